// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrace connect: active TCP opens.
 *
 * Plans (user space autoloads one):
 *  tracepoint: tp_btf/inet_sock_set_state CLOSE->SYN_SENT runs in the
 *	connecting task, so pid/comm/uid are exact there; but tcp_v4_connect()
 *	sets SYN_SENT *before* inet_hash_connect() picks the source port, so the
 *	task is recorded by socket and the event is emitted at
 *	syscalls:sys_exit_connect, when the port is known. Connects that never
 *	return through connect(2) (io_uring, in-kernel sockets) are emitted at
 *	the socket's next state change instead.
 *  fentry: fexit tcp_v4_connect/tcp_v6_connect (port known at return).
 *  kprobe: kprobe+kretprobe tcp_v4_connect/tcp_v6_connect.
 *
 * tcp_v6_connect() calls tcp_v4_connect() for an IPv4-mapped peer on the
 * same (AF_INET6) socket: the v4 hooks skip AF_INET6 sockets so such a
 * connect is reported once, by the v6 hook, with the mapped addresses.
 */
#include "common.bpf.h"

/*
 * SYN_SENT sockets -> the task that connected them; emptied at the outcome.
 * User space sizes it to the host's TCP sockets at start (core/maps.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tt_owner);
} connecting SEC(".maps");

/* Thread inside connect(2) -> its socket (tracepoint and kprobe plans). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} connect_tid SEC(".maps");

/* Layout of syscalls:sys_exit_* records (stable tracepoint ABI). */
struct tt_sys_exit_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

static __always_inline void emit_connect(const struct sock *sk, const struct tt_owner *o)
{
	struct tt_event stack_e, *e;

	if (tt_cfg.count_mode) {
		e = &stack_e;
		__builtin_memset(e, 0, sizeof(*e));
	} else {
		e = tt_reserve();
		if (!e)
			return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->start_ns = o->ts_ns;
	e->type = TT_EV_CONNECT;
	e->tx_bytes = 0;
	e->rx_bytes = 0;
	e->backlog = 0;
	e->backlog_max = 0;
	e->err = 0;
	e->flags = 0;
	tt_event_owner(e, o);
	tt_read_sock(sk, &e->family, &e->lport, &e->rport, e->laddr, e->raddr);
	if (tt_cfg.count_mode)
		tt_count(e);
	else
		tt_submit(e);
}

/* The filters that can be decided when the connect starts, in its task. */
static __always_inline bool connect_selected(const struct sock *sk, __u64 pid_tgid, __u32 uid)
{
	if (!tt_task_selected(pid_tgid, uid))
		return false;
	return tt_sock_selected(tt_sk_family(sk), 0, tt_sk_rport(sk));
}

static __always_inline void emit_current(const struct sock *sk)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct tt_owner o;

	if (!connect_selected(sk, pid_tgid, uid))
		return;
	tt_owner_current(&o, pid_tgid, uid);
	emit_connect(sk, &o);
}

/* ---- tracepoint plan ---- */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_connect_state, const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct tt_owner *p;

	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		__u32 uid = (__u32)bpf_get_current_uid_gid();
		__u32 tid = (__u32)pid_tgid;
		struct tt_owner o;

		if (!tt_is_tcp(sk) || !connect_selected(sk, pid_tgid, uid))
			return 0;
		tt_owner_current(&o, pid_tgid, uid);
		bpf_map_update_elem(&connecting, &key, &o, BPF_ANY);
		bpf_map_update_elem(&connect_tid, &tid, &key, BPF_ANY);
		return 0;
	}
	if (oldstate != TCP_SYN_SENT)
		return 0;
	p = bpf_map_lookup_elem(&connecting, &key);
	if (!p)
		return 0;
	if (!p->reported)
		emit_connect(sk, p);
	bpf_map_delete_elem(&connecting, &key);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tt_connect_exit(struct tt_sys_exit_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tt_owner *p;
	__u64 *skp, key;

	skp = bpf_map_lookup_elem(&connect_tid, &tid);
	if (!skp)
		return 0;
	key = *skp;
	bpf_map_delete_elem(&connect_tid, &tid);
	p = bpf_map_lookup_elem(&connecting, &key);
	if (!p || p->reported)
		return 0;
	emit_connect((const struct sock *)key, p);
	p->reported = 1;
	return 0;
}

/* ---- fentry plan ---- */

SEC("fexit/tcp_v4_connect")
int BPF_PROG(tt_connect_v4_fexit, struct sock *sk, void *uaddr, int addr_len, int ret)
{
	if (ret || tt_sk_family(sk) == AF_INET6)
		return 0;
	emit_current(sk);
	return 0;
}

SEC("fexit/tcp_v6_connect")
int BPF_PROG(tt_connect_v6_fexit, struct sock *sk, void *uaddr, int addr_len, int ret)
{
	if (!ret)
		emit_current(sk);
	return 0;
}

/* ---- kprobe plan ---- */

static __always_inline int kprobe_enter(struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 key = (__u64)sk;

	bpf_map_update_elem(&connect_tid, &tid, &key, BPF_ANY);
	return 0;
}

static __always_inline int kprobe_return(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *skp = bpf_map_lookup_elem(&connect_tid, &tid);
	__u64 key;

	if (!skp)
		return 0;
	key = *skp;
	bpf_map_delete_elem(&connect_tid, &tid);
	if (!ret)
		emit_current((const struct sock *)key);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tt_connect_v4_kprobe, struct sock *sk)
{
	if (tt_sk_family(sk) == AF_INET6)
		return 0;
	return kprobe_enter(sk);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tt_connect_v4_kretprobe, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *skp = bpf_map_lookup_elem(&connect_tid, &tid);

	/* Nested in tcp_v6_connect() for a mapped peer: the v6 return reports. */
	if (skp && tt_sk_family((const struct sock *)*skp) == AF_INET6)
		return 0;
	return kprobe_return(ret);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tt_connect_v6_kprobe, struct sock *sk)
{
	return kprobe_enter(sk);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tt_connect_v6_kretprobe, int ret)
{
	return kprobe_return(ret);
}
