/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every probe shares: the load-time configuration, the in-kernel
 * filters, reading a socket's addresses, and emitting an event either into
 * the ring buffer (batched wake-ups, losses counted) or into the count-mode
 * aggregation map.
 */
#ifndef TCPTRACE_COMMON_BPF_H
#define TCPTRACE_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "tcptrace/event.h"
#include "tcptrace/sysnr.h"
#include "arch.bpf.h"
#include "ringbuf.bpf.h"

#define IPPROTO_TCP 6

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile struct tt_config tt_cfg = {
	.filter_uid = TT_TASK_UNKNOWN,
};
/* Set by user space where the kernel has bpf_rdonly_cast() (see below). */
const volatile struct tt_btf_ids tt_ids = {};
/* Port filters: bit p set = port p selected (host order). */
const volatile __u8 tt_lports[TT_PORT_BITMAP_BYTES] = {};
const volatile __u8 tt_rports[TT_PORT_BITMAP_BYTES] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct tt_count_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

/* Layout of syscalls:sys_exit_* records (stable tracepoint ABI). */
struct tt_sys_exit {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

/*
 * The programs on syscalls:sys_exit_* have a twin, <name>_sysexit, on the
 * raw sys_exit tracepoint (tp_btf, v5.5), which user space loads instead
 * where it cannot attach the per-call tracepoint (core/run/attach.c): its id
 * cannot be read from tracefs (not mounted and no CAP_SYS_ADMIN to mount
 * it, or not readable), or perf_event_open(2) is refused. The twin runs at
 * the exit of every system call on the host and keeps those numbered a or
 * b, as the per-call tracepoint does; like it, it ignores compat system
 * calls. What that reads per architecture: arch.bpf.h.
 */
static __always_inline bool tt_sys_exit_is(const struct pt_regs *regs, long a, long b)
{
	long nr = tt_syscall_nr(regs);

	return (nr == a || nr == b) && !tt_compat_syscall(regs);
}

static __always_inline bool tt_port_in(const volatile __u8 *bitmap, __u16 port)
{
	__u32 i = port >> 3;

	/*
	 * Ports come from bpf_ntohs(), a byte swap whose result the 6.1 verifier
	 * does not bound: clang knows i < 8192 and drops any check, so hide that
	 * from it and bound the index in a way the verifier sees.
	 */
	barrier_var(i);
	i &= TT_PORT_BITMAP_BYTES - 1;
	return bitmap[i] & (1u << (port & 7));
}

/* Filters on the current task: pid, uid, cgroup. */
static __always_inline bool tt_task_selected(__u64 pid_tgid, __u32 uid)
{
	if (tt_cfg.filter_pid && (__u32)(pid_tgid >> 32) != tt_cfg.filter_pid)
		return false;
	if (tt_cfg.filter_uid != TT_TASK_UNKNOWN && uid != tt_cfg.filter_uid)
		return false;
	if (tt_cfg.filter_cgroup && !bpf_current_task_under_cgroup(&cgroup_map, 0))
		return false;
	return true;
}

/* Filters on the socket: family and ports (host order). */
static __always_inline bool tt_sock_selected(__u16 family, __u16 lport, __u16 rport)
{
	if (tt_cfg.filter_family && family != tt_cfg.filter_family)
		return false;
	if (tt_cfg.filter_lports && !tt_port_in(tt_lports, lport))
		return false;
	if (tt_cfg.filter_rports && !tt_port_in(tt_rports, rport))
		return false;
	return true;
}

/*
 * Reading a socket. In a tp_btf or fentry program the struct sock argument
 * is a pointer whose type the verifier knows, and its fields are read
 * directly: plain loads, which the JIT guards with an exception table
 * entry. Anywhere else (a classic tracepoint's or a kprobe's sk, a pointer
 * kept in a map) only bpf_probe_read_kernel() can read it, a helper call
 * for each field: ~20 ns on the development VM, and life reads some forty
 * fields per connection. The readers below take `direct`, a constant in
 * every caller, so that each program keeps one of the two ways.
 *
 * A direct read must stay inside struct sock, the type the verifier knows;
 * inet_sock and tcp_sock fields lie beyond it and are read through
 * tt_tcp_sock(), the same socket typed as a tcp_sock.
 */
#define TT_SK(direct, sk, field) ((direct) ? (sk)->field : BPF_CORE_READ(sk, field))

/*
 * Where a hook has only the address of a kernel object (a classic
 * tracepoint's socket found through the file table, a socket kept in a
 * map), bpf_rdonly_cast() (v6.2, commit fd264ca02094) gives a pointer the
 * verifier knows the type of, from that type's id in the kernel's BTF, and
 * its fields are read directly too. User space (core/run/corebtf.c) sets tt_ids
 * only where the kernel has the function; elsewhere they are 0, tt_typed()
 * is false and the helper reads everything. The extern is weak: the object
 * loads on kernels without the function, where its calls are dead code.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

static __always_inline bool tt_typed(void)
{
	return tt_ids.sock != 0;
}

/* addr as a struct sock the verifier knows (only where tt_typed()). */
static __always_inline struct sock *tt_cast_sock(const void *addr)
{
	return bpf_rdonly_cast(addr, tt_ids.sock);
}

/*
 * sk as a tcp_sock the verifier knows (direct readers only), or NULL:
 * callers fall back to bpf_probe_read_kernel(). Where tt_typed(), through
 * bpf_rdonly_cast() (tt_ids.tcp_sock is 0 in an object that never names
 * struct tcp_sock); else through bpf_skc_to_tcp_sock() (v5.9; NULL for a
 * socket that is not a full TCP one), which only tracing programs have: a
 * classic tracepoint's direct reads all come with tt_typed().
 */
static __always_inline const struct tcp_sock *tt_tcp_sock(const struct sock *sk, bool direct)
{
	if (!direct)
		return NULL;
	if (tt_typed())
		return tt_ids.tcp_sock ? bpf_rdonly_cast(sk, tt_ids.tcp_sock) : NULL;
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_skc_to_tcp_sock))
		return NULL;
	return bpf_skc_to_tcp_sock((void *)sk);
}

/* A tcp_sock member: through tp where tt_tcp_sock() gave one, else the helper. */
#define TT_TP(tp, sk, field) ((tp) ? (tp)->field : BPF_CORE_READ((const struct tcp_sock *)(sk), field))

/*
 * The socket's TCP health as tcp_get_info() reports it (tcpi_rtt,
 * tcpi_min_rtt, tcpi_total_retrans, tcpi_segs_out, tcpi_segs_in): srtt_us
 * holds eight times the smoothed RTT in us (v3.15), rtt_min is the
 * windowed-minimum filter of commit f672258391b4 (v4.6) in lib/win_minmax's
 * layout since v4.10 (commit a4f1f9ac8153), its best sample s[0] and ~0u
 * before the first, segs_in/segs_out count segments (v4.2) and
 * total_retrans retransmitted ones: all older than any kernel with BTF.
 */
static __always_inline void tt_tcp_health(const struct sock *sk, const struct tcp_sock *tp,
					  struct tt_event *e)
{
	e->srtt_us = TT_TP(tp, sk, srtt_us) >> 3;
	e->min_rtt_us = TT_TP(tp, sk, rtt_min.s[0].v);
	e->retrans_segs = TT_TP(tp, sk, total_retrans);
	e->segs_out = TT_TP(tp, sk, segs_out);
	e->segs_in = TT_TP(tp, sk, segs_in);
}

static __always_inline bool tt_is_tcp(const struct sock *sk, bool direct)
{
	/* sk_protocol was an 8-bit bitfield before v5.6 (commit bf9765145b85). */
	if (direct)
		return BPF_CORE_READ_BITFIELD(sk, sk_protocol) == IPPROTO_TCP;
	return BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == IPPROTO_TCP;
}

static __always_inline __u16 tt_sk_family(const struct sock *sk, bool direct)
{
	return TT_SK(direct, sk, __sk_common.skc_family);
}

/*
 * inet_sport, not skc_num: __inet_put_port() zeroes inet_num before the
 * TCP_CLOSE state change is traced, while inet_sport keeps the port.
 * tp: tt_tcp_sock(sk, ...), NULL to read through the helper.
 */
static __always_inline __u16 tt_sk_lport(const struct sock *sk, const struct tcp_sock *tp)
{
	if (tp)
		return bpf_ntohs(((const struct inet_sock *)tp)->inet_sport);
	return bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
}

static __always_inline __u16 tt_sk_rport(const struct sock *sk, bool direct)
{
	return bpf_ntohs(TT_SK(direct, sk, __sk_common.skc_dport));
}

/* An IPv6 address of the socket, a 32-bit word at a time (direct reads). */
#define TT_SK_V6(sk, field, to)                                                   \
	do {                                                                      \
		__u32 w_;                                                         \
		_Pragma("unroll") for (int i_ = 0; i_ < 4; i_++) {                \
			w_ = (sk)->__sk_common.field.in6_u.u6_addr32[i_];         \
			__builtin_memcpy((to) + 4 * i_, &w_, 4);                  \
		}                                                                 \
	} while (0)

/* Both addresses of a socket of this family, as the socket holds them. */
static __always_inline void tt_read_addrs(const struct sock *sk, bool direct, __u16 family,
					  __u8 *laddr, __u8 *raddr)
{
	__u32 v4;

	if (direct && family == AF_INET6) {
		TT_SK_V6(sk, skc_v6_rcv_saddr, laddr);
		TT_SK_V6(sk, skc_v6_daddr, raddr);
	} else if (direct) {
		v4 = sk->__sk_common.skc_rcv_saddr;
		__builtin_memcpy(laddr, &v4, 4);
		v4 = sk->__sk_common.skc_daddr;
		__builtin_memcpy(raddr, &v4, 4);
	} else if (family == AF_INET6) {
		bpf_core_read(laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(raddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		bpf_core_read(laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(raddr, 4, &sk->__sk_common.skc_daddr);
	}
}

/* Family, ports and both addresses, as the socket holds them. */
static __always_inline void tt_read_sock(const struct sock *sk, const struct tcp_sock *tp,
					 bool direct, __u16 *family, __u16 *lport, __u16 *rport,
					 __u8 *laddr, __u8 *raddr)
{
	*family = tt_sk_family(sk, direct);
	*lport = tt_sk_lport(sk, tp);
	*rport = tt_sk_rport(sk, direct);
	tt_read_addrs(sk, direct, *family, laddr, raddr);
}

/*
 * The current task's cgroup v2 id, for --containers only: a rodata switch,
 * so the helper call (~35 ns) costs nothing without it. The v2 cgroup
 * whatever controllers v1 has (v4.18, commit bf6fa2c893c5).
 */
static __always_inline __u64 tt_cgroup_id(void)
{
	return tt_cfg.containers ? bpf_get_current_cgroup_id() : 0;
}

/*
 * The socket's network namespace cookie, for --dns only (a rodata switch:
 * nothing is read without it). net->net_cookie is a plain u64 set when the
 * namespace is created since v5.12 (commit 3d368ab87cf6). Before, from
 * v5.7 (commit f318903c0bf4), it is an atomic64_t given out on first use:
 * 0 (unknown) until then, but the namespace of a DNS query has one, as the
 * dns object's bpf_get_netns_cookie() gave it out.
 */
static __always_inline __u64 tt_sk_netns(const struct sock *sk, bool direct)
{
	const struct net *net;

	if (!tt_cfg.dns)
		return 0;
	if (!bpf_core_field_exists(struct net, net_cookie)) {
		if (!bpf_core_field_exists(struct net___atomic64, net_cookie))
			return 0;
		net = TT_SK(direct, sk, __sk_common.skc_net.net);
		return BPF_CORE_READ((const struct net___atomic64 *)net, net_cookie.counter);
	}
	if (!direct)
		return BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
	net = sk->__sk_common.skc_net.net;
	return net ? net->net_cookie : 0;
}

/* The current task as owner, seen at ts (a clock read the caller has already). */
static __always_inline void tt_owner_current_at(struct tt_owner *o, __u64 pid_tgid, __u32 uid,
						__u64 ts)
{
	o->ts_ns = ts;
	o->cgroup_id = tt_cgroup_id();
	o->pid = pid_tgid >> 32;
	o->tid = (__u32)pid_tgid;
	o->uid = uid;
	o->reported = 0;
	o->deferred = 0;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline void tt_owner_current(struct tt_owner *o, __u64 pid_tgid, __u32 uid)
{
	tt_owner_current_at(o, pid_tgid, uid, bpf_ktime_get_ns());
}

static __always_inline void tt_event_owner(struct tt_event *e, const struct tt_owner *o)
{
	e->pid = o->pid;
	e->tid = o->tid;
	e->uid = o->uid;
	e->cgroup_id = o->cgroup_id;
	__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
}

/* Space for one event; NULL (loss counted) when the ring buffer is full. */
static __always_inline struct tt_event *tt_reserve(void)
{
	struct tt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		tt_count_lost();
	return e;
}

/* Hand the event to user space (a wake-up only when the buffer fills: ringbuf.bpf.h). */
static __always_inline void tt_submit(struct tt_event *e)
{
	bpf_ringbuf_submit(e, tt_wakeup_flags(tt_cfg.wakeup_bytes));
}

/* Count mode: aggregate the event's key fields in the kernel. */
static __always_inline void tt_count(const struct tt_event *e)
{
	struct tt_count_key key = {};
	__u64 one = 1, *n;

	key.family = e->family;
	if (tt_cfg.count_fields & TT_COUNT_LADDR)
		__builtin_memcpy(key.laddr, e->laddr, sizeof(key.laddr));
	if (tt_cfg.count_fields & TT_COUNT_RADDR)
		__builtin_memcpy(key.raddr, e->raddr, sizeof(key.raddr));
	if (tt_cfg.count_fields & TT_COUNT_LPORT)
		key.lport = e->lport;
	if (tt_cfg.count_fields & TT_COUNT_RPORT)
		key.rport = e->rport;
	if (tt_cfg.count_fields & TT_COUNT_RESULT)
		key.result = (__u16)e->err;
	n = bpf_map_lookup_elem(&counts, &key);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	if (!bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST))
		return;
	/* Another CPU created the key first: count into it. */
	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
}

#endif /* TCPTRACE_COMMON_BPF_H */
