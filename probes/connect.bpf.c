// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrace connect: active TCP opens, and with --outcome (tt_cfg.outcome)
 * the result and latency of every attempt.
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
 *
 * Outcomes: an attempt that sent its SYN is kept in "connecting" until the
 * socket leaves SYN_SENT: ESTABLISHED is "ok"; CLOSE carries the error in
 * sk_err, which the kernel sets before tcp_done() (ECONNREFUSED from a RST,
 * ETIMEDOUT or the last ICMP error from the retransmit timer, EHOSTUNREACH
 * from an ICMP error or a failed neighbour lookup). A CLOSE without sk_err
 * inside connect(2) itself (inet_hash_connect() found no port) is decided
 * by connect(2)'s return value; one outside it is the owner closing the
 * socket (TT_RES_CLOSED). connect(2) failing before any SYN (no route, no
 * source address) never reaches SYN_SENT: the fexit/kretprobe hooks see the
 * error returned, the tracepoint plan finds it at sys_exit_connect. Those
 * state changes run in softirqs that may interrupt the state program itself
 * (a tp_btf program is not re-entered on a CPU): a second program on the
 * same tracepoint takes exactly those (nested.bpf.h). What is still in
 * "connecting" at exit is reported by user space as pending.
 */
#include "common.bpf.h"
#include "fd.bpf.h"
#include "nested.bpf.h"

#define EINPROGRESS 115
#define EALREADY 114
#define EISCONN 106
#define EINTR 4
#define ERESTARTSYS 512	/* ... ERESTART_RESTARTBLOCK 516: interrupted, restarted */
#define ERESTART_MAX 516

/*
 * SYN_SENT sockets -> who connected them (and where); emptied at the outcome.
 * User space sizes it to the host's TCP sockets at start (core/bpf/maps.c).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tt_attempt);
} connecting SEC(".maps");

/* A thread inside connect(2) or tcp_v[46]_connect(): its socket and address. */
struct tt_connect_call {
	__u64 sk;
	__u64 uaddr; /* kprobe plan: the kernel's copy of the sockaddr */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct tt_connect_call);
} connect_tid SEC(".maps");

/* struct sockaddr_in / sockaddr_in6, as connect(2) takes them. */
struct tt_sockaddr {
	__u16 family;
	__be16 port;
	union {
		__u8 v4[4];
		struct {
			__u32 flowinfo;
			__u8 v6[16];
		};
	};
};

/* Space for an event: the ring buffer's, or a stack copy to count. */
static __always_inline struct tt_event *event_new(struct tt_event *stack_e)
{
	struct tt_event *e;

	if (tt_cfg.count_mode) {
		__builtin_memset(stack_e, 0, sizeof(*stack_e));
		return stack_e;
	}
	e = tt_reserve();
	if (!e)
		return NULL;
	e->tx_bytes = 0;
	e->rx_bytes = 0;
	e->backlog = 0;
	e->backlog_max = 0;
	e->netns = 0;
	e->retrans_segs = 0;
	return e;
}

static __always_inline void event_send(struct tt_event *e)
{
	if (tt_cfg.count_mode)
		tt_count(e);
	else
		tt_submit(e);
}

/* --failed and --min-latency, decided in the kernel. */
static __always_inline bool outcome_selected(__s32 err, __u64 start_ns, __u64 now)
{
	if (tt_cfg.failed_only && !err)
		return false;
	if (tt_cfg.min_latency_ns && now - start_ns < tt_cfg.min_latency_ns)
		return false;
	return true;
}

/* The event of owner o's attempt, with its result err (--outcome); NULL: none. */
static __always_inline struct tt_event *event_of(struct tt_event *stack_e,
						 const struct tt_owner *o, __s32 err)
{
	struct tt_event *e;
	__u64 now = bpf_ktime_get_ns();

	if (tt_cfg.outcome && !outcome_selected(err, o->ts_ns, now))
		return NULL;
	e = event_new(stack_e);
	if (!e)
		return NULL;
	e->ts_ns = now;
	e->start_ns = o->ts_ns;
	e->type = TT_EV_CONNECT;
	e->err = err;
	e->flags = tt_cfg.outcome ? TT_EVF_OUTCOME : 0;
	tt_event_owner(e, o);
	return e;
}

/* An event with the addresses socket sk holds now (direct: see common.bpf.h). */
static __always_inline void emit_connect(const struct sock *sk, bool direct,
					 const struct tt_owner *o, __s32 err)
{
	struct tt_event stack_e, *e = event_of(&stack_e, o, err);
	const struct tcp_sock *tp;

	if (!e)
		return;
	tp = tt_tcp_sock(sk, direct);
	tt_read_sock(sk, tp, direct, &e->family, &e->lport, &e->rport, e->laddr, e->raddr);
	e->netns = tt_sk_netns(sk, direct);
	/* --outcome: the SYNs resent before it (tcp_retransmit_skb() counts them) */
	if (tt_cfg.outcome)
		e->retrans_segs = TT_TP(tp, sk, total_retrans);
	event_send(e);
}

/*
 * An event with the addresses recorded in attempt a (the socket lost them);
 * sk, still open, read through the helper.
 */
static __always_inline void emit_recorded(const struct sock *sk, const struct tt_attempt *a,
					  __s32 err)
{
	struct tt_event stack_e, *e = event_of(&stack_e, &a->owner, err);

	if (!e)
		return;
	e->netns = tt_sk_netns(sk, false);
	e->retrans_segs = BPF_CORE_READ((const struct tcp_sock *)sk, total_retrans);
	e->family = a->family;
	e->lport = a->lport;
	e->rport = a->rport;
	__builtin_memcpy(e->laddr, a->laddr, sizeof(e->laddr));
	__builtin_memcpy(e->raddr, a->raddr, sizeof(e->raddr));
	event_send(e);
}

/*
 * connect() failed before its socket sent a SYN: the current task's attempt
 * to reach sa (read from user memory if user, else kernel memory).
 */
static __always_inline void emit_early_failure(const struct sock *sk, const void *sa, bool user,
					       __s32 err)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct tt_sockaddr addr = {};
	struct tt_event stack_e, *e;
	struct tt_owner o;
	__u16 family, rport;
	long rc;

	if (!sa || !tt_task_selected(pid_tgid, uid) || !outcome_selected(err, 0, 0))
		return;
	/* sockaddr_in first: a shorter sockaddr may end at a page's end. */
	rc = user ? bpf_probe_read_user(&addr, 8, sa) : bpf_probe_read_kernel(&addr, 8, sa);
	if (rc)
		return;
	family = addr.family;
	if (family == AF_INET6) {
		rc = user ? bpf_probe_read_user(&addr, 24, sa) : bpf_probe_read_kernel(&addr, 24, sa);
		if (rc)
			return;
	} else if (family != AF_INET) {
		family = tt_sk_family(sk, false);
	}
	rport = bpf_ntohs(addr.port);
	if (!tt_sock_selected(family, 0, rport))
		return;
	tt_owner_current(&o, pid_tgid, uid);
	e = event_new(&stack_e);
	if (!e)
		return;
	e->ts_ns = o.ts_ns;
	e->start_ns = o.ts_ns;
	e->type = TT_EV_CONNECT;
	e->err = err;
	e->flags = TT_EVF_OUTCOME;
	tt_event_owner(e, &o);
	e->netns = tt_sk_netns(sk, false);
	e->family = family;
	e->lport = tt_sk_lport(sk, NULL);
	e->rport = rport;
	__builtin_memset(e->laddr, 0, sizeof(e->laddr));
	__builtin_memset(e->raddr, 0, sizeof(e->raddr));
	if (family == AF_INET6) {
		bpf_core_read(e->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		__builtin_memcpy(e->raddr, addr.v6, 16);
	} else {
		bpf_core_read(e->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		__builtin_memcpy(e->raddr, addr.v4, 4);
	}
	event_send(e);
}

/* The filters that can be decided when the connect starts, in its task. */
static __always_inline bool connect_selected(const struct sock *sk, bool direct, __u64 pid_tgid,
					     __u32 uid)
{
	if (!tt_task_selected(pid_tgid, uid))
		return false;
	return tt_sock_selected(tt_sk_family(sk, direct), 0, tt_sk_rport(sk, direct));
}

/* Records the current task's attempt on sk (SYN_SENT, or just past it). */
static __always_inline void record_attempt(const struct sock *sk, bool direct, __u64 pid_tgid,
					   __u32 uid)
{
	struct tt_attempt a;
	__u64 key = (__u64)sk;

	__builtin_memset(&a, 0, sizeof(a));
	tt_owner_current(&a.owner, pid_tgid, uid);
	/* Without --outcome events read the live socket. */
	if (tt_cfg.outcome)
		tt_read_sock(sk, tt_tcp_sock(sk, direct), direct, &a.family, &a.lport, &a.rport,
			     a.laddr, a.raddr);
	bpf_map_update_elem(&connecting, &key, &a, BPF_ANY);
}

/* fexit/kretprobe: tcp_v[46]_connect() returned ret in the connecting task. */
static __always_inline void connect_returned(const struct sock *sk, bool direct, const void *uaddr,
					     int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct tt_owner o;

	if (!tt_cfg.outcome) {
		if (ret || !connect_selected(sk, direct, pid_tgid, uid))
			return;
		tt_owner_current(&o, pid_tgid, uid);
		emit_connect(sk, direct, &o, 0);
		return;
	}
	if (ret) {
		emit_early_failure(sk, uaddr, false, -ret);
		return;
	}
	if (connect_selected(sk, direct, pid_tgid, uid))
		record_attempt(sk, direct, pid_tgid, uid);
}

/* The socket left SYN_SENT: its attempt's outcome (--outcome). */
static __always_inline void outcome(const struct sock *sk, bool direct, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct tt_attempt *a;
	__s32 err = 0;

	if (oldstate != TCP_SYN_SENT)
		return;
	a = bpf_map_lookup_elem(&connecting, &key);
	if (!a)
		return;
	if (newstate == TCP_CLOSE) {
		err = TT_SK(direct, sk, sk_err);
		if (!err) {
			__u32 tid = (__u32)bpf_get_current_pid_tgid();
			struct tt_connect_call *c = bpf_map_lookup_elem(&connect_tid, &tid);

			if (c && c->sk == key) {
				/* Failed inside connect(2): its return value says why. */
				a->owner.deferred = 1;
				return;
			}
			err = TT_RES_CLOSED;
		}
	}
	/* else ESTABLISHED, or SYN_RECV (simultaneous open: the peer answered). */
	emit_connect(sk, direct, &a->owner, err);
	bpf_map_delete_elem(&connecting, &key);
}

/* ---- tracepoint plan ---- */

/* tp_btf/inet_sock_set_state: sk is read directly. */
static __always_inline void state_change(const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct tt_attempt *a;

	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		__u64 pid_tgid = bpf_get_current_pid_tgid();
		__u32 uid = (__u32)bpf_get_current_uid_gid();
		__u32 tid = (__u32)pid_tgid;
		struct tt_connect_call c = { .sk = key };

		if (!tt_is_tcp(sk, true) || !connect_selected(sk, true, pid_tgid, uid))
			return;
		record_attempt(sk, true, pid_tgid, uid);
		bpf_map_update_elem(&connect_tid, &tid, &c, BPF_ANY);
		return;
	}
	if (tt_cfg.outcome) {
		outcome(sk, true, oldstate, newstate);
		return;
	}
	if (oldstate != TCP_SYN_SENT)
		return;
	a = bpf_map_lookup_elem(&connecting, &key);
	if (!a)
		return;
	if (!a->owner.reported)
		emit_connect(sk, true, &a->owner, 0);
	bpf_map_delete_elem(&connecting, &key);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_connect_state, const struct sock *sk, int oldstate, int newstate)
{
	__u32 *busy;

	/*
	 * Without --outcome the nested twin is not loaded (cmd/connect.c): a
	 * state change it would recover loses nothing. CLOSE->SYN_SENT runs in
	 * the connecting task, never in a softirq interrupting this program,
	 * and the attempt is reported when connect(2) returns; the outcome is
	 * only where that report comes first (connects that never return to
	 * user space: io_uring, the kernel's own).
	 */
	if (!tt_cfg.outcome) {
		state_change(sk, oldstate, newstate);
		return 0;
	}
	busy = tt_outer_enter();
	if (busy) {
		state_change(sk, oldstate, newstate);
		tt_outer_exit(busy);
	}
	return 0;
}

/* State changes in a softirq that interrupted tt_connect_state (nested.bpf.h). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_connect_state_nested, const struct sock *sk, int oldstate, int newstate)
{
	if (tt_outer_interrupted())
		state_change(sk, oldstate, newstate);
	return 0;
}

/*
 * connect(2)'s fd and address at its exit, from the task's saved registers:
 * bpf_task_pt_regs() (v5.15, commit dd6e10fbd9fb) where the kernel has it,
 * else the top of the task's kernel stack (arch.bpf.h), trusted only when
 * the registers found there are this connect(2)'s own (number and return
 * value): false, and the early failure unreported, where they are not
 * (as on a stack larger than the 16 KiB guessed, with KASAN or arm64's 64
 * KiB pages: there the task's own stack is read, never another task's).
 * bpf_get_current_task_btf() (v5.11) comes before bpf_task_pt_regs(), so
 * tt_current_task() is the pointer the helper wants where it exists.
 */
static __always_inline bool connect_args(struct task_struct *task, __s64 ret, long *fd,
					 long *uaddr)
{
	struct pt_regs *regs;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		*fd = (long)TT_SYSCALL_ARG1(regs);
		*uaddr = (long)TT_SYSCALL_ARG2(regs);
		return true;
	}
	return tt_stack_syscall_args(task, TT_NR_CONNECT, TT_NR_CONNECT, ret, fd, uaddr);
}

/* At the exit of connect(2), which returned ret. */
static __always_inline void connect_exit(__s64 ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tt_connect_call *c;
	struct tt_fd_table fdt;
	struct task_struct *task;
	struct tt_attempt *a;
	long fd, uaddr;
	struct sock *sk;
	__u64 key;

	c = bpf_map_lookup_elem(&connect_tid, &tid);
	if (c) {
		key = c->sk;
		bpf_map_delete_elem(&connect_tid, &tid);
		a = bpf_map_lookup_elem(&connecting, &key);
		if (!a)
			return; /* the outcome came first */
		if (!tt_cfg.outcome) {
			if (!a->owner.reported) {
				emit_connect(tt_typed() ? tt_cast_sock((void *)key)
							: (const struct sock *)key,
					     tt_typed(), &a->owner, 0);
				a->owner.reported = 1;
			}
		} else if (a->owner.deferred) {
			emit_recorded((const struct sock *)key, a,
				      ret < 0 ? (__s32)-ret : TT_RES_CLOSED);
			bpf_map_delete_elem(&connecting, &key);
		} else {
			/* Still in SYN_SENT: the source port is known now. */
			a->lport = tt_sk_lport((const struct sock *)key, NULL);
		}
		return;
	}
	/* --outcome: a connect(2) that failed without sending a SYN. */
	if (!tt_cfg.outcome || ret >= 0 || ret == -EINPROGRESS || ret == -EALREADY ||
	    ret == -EISCONN || ret == -EINTR || (ret <= -ERESTARTSYS && ret >= -ERESTART_MAX))
		return;
	task = tt_current_task();
	if (!tt_fd_table(task, &fdt) || !connect_args(task, ret, &fd, &uaddr))
		return;
	sk = tt_file_sock(tt_fd_file(&fdt, (int)fd));
	/*
	 * Not a TCP socket, or one with a destination: a connect(2) repeated
	 * after the attempt failed returns its error again; that attempt was
	 * reported at its outcome (tcp_v[46]_connect() clear the port on failure).
	 */
	if (!sk || !tt_is_tcp(sk, false) || BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_CLOSE ||
	    BPF_CORE_READ(sk, __sk_common.skc_dport))
		return;
	emit_early_failure(sk, (const void *)uaddr, true, (__s32)-ret);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tt_connect_exit(struct tt_sys_exit *ctx)
{
	connect_exit(ctx->ret);
	return 0;
}

/* The same where the tracepoint's id cannot be read (common.bpf.h). */
SEC("tp_btf/sys_exit")
int BPF_PROG(tt_connect_exit_sysexit, struct pt_regs *regs, long ret)
{
	if (tt_sys_exit_is(regs, TT_NR_CONNECT, TT_NR_CONNECT))
		connect_exit(ret);
	return 0;
}

/* ---- fentry plan ---- */

SEC("fexit/tcp_v4_connect")
int BPF_PROG(tt_connect_v4_fexit, struct sock *sk, void *uaddr, int addr_len, int ret)
{
	if (tt_sk_family(sk, true) != AF_INET6)
		connect_returned(sk, true, uaddr, ret);
	return 0;
}

SEC("fexit/tcp_v6_connect")
int BPF_PROG(tt_connect_v6_fexit, struct sock *sk, void *uaddr, int addr_len, int ret)
{
	connect_returned(sk, true, uaddr, ret);
	return 0;
}

/* Outcomes on the fentry plan: the same tracepoint, without SYN_SENT records. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_connect_btf, const struct sock *sk, int oldstate, int newstate)
{
	__u32 *busy = tt_outer_enter();

	if (busy) {
		outcome(sk, true, oldstate, newstate);
		tt_outer_exit(busy);
	}
	return 0;
}

/* Outcomes in a softirq that interrupted tt_connect_btf. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_connect_btf_nested, const struct sock *sk, int oldstate, int newstate)
{
	if (tt_outer_interrupted())
		outcome(sk, true, oldstate, newstate);
	return 0;
}

/* ---- kprobe plan ---- */

static __always_inline int kprobe_enter(struct sock *sk, void *uaddr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tt_connect_call c = { .sk = (__u64)sk, .uaddr = (__u64)uaddr };

	bpf_map_update_elem(&connect_tid, &tid, &c, BPF_ANY);
	return 0;
}

static __always_inline int kprobe_return(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tt_connect_call *cp = bpf_map_lookup_elem(&connect_tid, &tid), c;

	if (!cp)
		return 0;
	c = *cp;
	bpf_map_delete_elem(&connect_tid, &tid);
	connect_returned((const struct sock *)c.sk, false, (const void *)c.uaddr, ret);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tt_connect_v4_kprobe, struct sock *sk, void *uaddr)
{
	if (tt_sk_family(sk, false) == AF_INET6)
		return 0;
	return kprobe_enter(sk, uaddr);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tt_connect_v4_kretprobe, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct tt_connect_call *cp = bpf_map_lookup_elem(&connect_tid, &tid);

	/* Nested in tcp_v6_connect() for a mapped peer: the v6 return reports. */
	if (cp && tt_sk_family((const struct sock *)cp->sk, false) == AF_INET6)
		return 0;
	return kprobe_return(ret);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tt_connect_v6_kprobe, struct sock *sk, void *uaddr)
{
	return kprobe_enter(sk, uaddr);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tt_connect_v6_kretprobe, int ret)
{
	return kprobe_return(ret);
}

/* Outcomes on the kprobe plan. */
SEC("kprobe/tcp_set_state")
int BPF_KPROBE(tt_connect_set_state, struct sock *sk, int state)
{
	/* At entry sk_state still holds the old state. */
	outcome(sk, false, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

/* ---- at exit (--outcome, every plan) ---- */

/*
 * The record of an attempt still in SYN_SENT at exit (TT_RES_PENDING), or
 * false. The source port is read now (connect(2) may still be blocked); an
 * entry whose socket left SYN_SENT unseen (outcome lost to recursion, LRU
 * reuse) is not pending: the socket itself is the evidence.
 */
static __always_inline bool pending_event(__u64 key, const struct tt_attempt *a,
					  struct tt_event *e)
{
	const struct sock *sk = (const struct sock *)key;
	__u64 now = bpf_ktime_get_ns();

	if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_SYN_SENT)
		return false;
	if (tt_cfg.min_latency_ns && now - a->owner.ts_ns < tt_cfg.min_latency_ns)
		return false;
	e->ts_ns = now;
	e->start_ns = a->owner.ts_ns;
	e->type = TT_EV_CONNECT;
	e->err = TT_RES_PENDING;
	e->flags = TT_EVF_OUTCOME;
	tt_event_owner(e, &a->owner);
	e->netns = tt_sk_netns(sk, false);
	e->retrans_segs = BPF_CORE_READ((const struct tcp_sock *)sk, total_retrans);
	e->family = a->family;
	e->lport = tt_sk_lport(sk, NULL);
	e->rport = a->rport;
	__builtin_memcpy(e->laddr, a->laddr, sizeof(e->laddr));
	__builtin_memcpy(e->raddr, a->raddr, sizeof(e->raddr));
	return true;
}

/*
 * Run by user space once the hooks are detached: one record per attempt
 * still pending, written to the iterator's output.
 */
SEC("iter/bpf_map_elem")
int tt_connect_pending(struct bpf_iter__bpf_map_elem *ctx)
{
	struct tt_attempt *a = ctx->value;
	__u64 *key = ctx->key;
	struct tt_event e = {};

	if (key && a && pending_event(*key, a, &e))
		bpf_seq_write(ctx->meta->seq, &e, sizeof(e));
	return 0;
}

/* Where tt_connect_pending_run leaves its record for user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_event);
} exit_event SEC(".maps");

/*
 * The same where the kernel refuses iterators (lockdown with a BPF LSM
 * policy): never attached, user space runs it (BPF_PROG_TEST_RUN, raw_tp
 * since v5.10, commit 1b4d60ec162f) once per key of "connecting", the key
 * as its only argument. Returns 1 with the record in exit_event, else 0.
 */
SEC("raw_tp")
int tt_connect_pending_run(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 key = ctx->args[0];
	__u32 zero = 0;
	struct tt_attempt *a = bpf_map_lookup_elem(&connecting, &key);
	struct tt_event *e = bpf_map_lookup_elem(&exit_event, &zero);

	if (!a || !e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	return pending_event(key, a, e);
}
