// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrace life: one event per TCP session when it closes, with the bytes it
 * moved, how long it lived and the process that owned it.
 *
 * Plans (user space autoloads one):
 *  fentry: tp_btf/inet_sock_set_state; passive owners from fexit
 *	inet_csk_accept (accept.bpf.h).
 *  kprobe: passive owners from kretprobe inet_csk_accept; the state changes
 *	from tp_btf/inet_sock_set_state where the kernel has it (v5.5), else
 *	from kprobe tcp_set_state plus kretprobe inet_csk_clone_lock for the
 *	birth of passive opens (the clone sets SYN_RECV without
 *	tcp_set_state()). The kernel skips a kprobe program while any kprobe
 *	or tracepoint program runs on that CPU (bpf_prog_active): a softirq
 *	->CLOSE interrupting the accept kretprobe would be lost, and before
 *	v6.7 not even counted as a recursion miss.
 *  tracepoint: tp_btf/inet_sock_set_state or, on kernels without tp_btf
 *	(before v5.5), the classic sock:inet_sock_set_state; passive owners
 *	from syscalls:sys_exit_accept{,4}.
 *
 * A session as its state changes show it:
 *  CLOSE->SYN_SENT	active open, in the connecting task (tcp_v4_connect()
 *			and tcp_v6_connect() hold the socket lock): birth, and
 *			the owner.
 *  LISTEN->SYN_RECV	passive open: inet_csk_clone_lock() made the child
 *			from the listener (softirq; v4.16+, commit 563e0bb0dc74):
 *			birth only, the owner is whoever accepts it.
 *  ->FIN_WAIT1/LAST_ACK  close(2) or shutdown(2) by a task: the owner of a
 *			session opened before tracing started.
 *  ->CLOSE		the end: emit the event, forget the socket. With
 *			--containers, a session whose owner was never seen
 *			gets the cgroup of the socket itself (cgroup.bpf.h).
 *
 * Birth is taken at those transitions only. A socket whose birth was not
 * seen (it predates the tracer) has duration unknown, not a guess from a
 * later transition. The event's time is the ->CLOSE transition; a socket
 * that leaves through TIME_WAIT is replaced by a timewait sock at that
 * moment (tcp_time_wait() calls tcp_done()), so the TIME_WAIT tail is not
 * part of the duration.
 *
 * TX and RX come from tcp_sock.bytes_acked (v4.1, commit 0df48c26d841) and
 * bytes_received (v4.2, commit bdd1f9edacb5), less the SYN and FINs they
 * count (payload()). tcp_disconnect() zeroes them, but only after its
 * ->CLOSE transition, which is where they are read.
 */
#include "owners.bpf.h"
#include "accept.bpf.h"
#include "cgroup.bpf.h"
#include "nested.bpf.h"

/* Every accept matters: the task filters are recorded with the owner. */
static __always_inline bool tt_accept_wanted(void)
{
	return true;
}

/* Only the accepted socket: its owner is the accepting task. */
static __always_inline bool tt_accept_needs_listener(void)
{
	return false;
}

/* accept.bpf.h found a socket the current task accepted: it owns it. */
static __always_inline void tt_accepted(struct sock *sk, struct sock *listener, bool direct)
{
	tt_owner_accepted(sk, direct);
}

/*
 * Whether a state change runs in the context of a task using this socket,
 * so that the current task may be reported as its owner.
 *
 * sk_lock.owned is set by lock_sock(), which only process context takes,
 * and TCP never changes the state of a socket a task owns from another
 * context: softirq receive and the timers find it owned and leave the work
 * to the owner's release_sock(), which runs it in the owner's context. So a
 * state change seen with owned set is made by the task holding the lock,
 * and one made in softirq, where the current task is whatever was
 * interrupted (bcc tcplife's swapper, ksoftirqd and wrong pids), sees it
 * clear. A task changing the state without lock_sock() (a listener's close
 * dropping children still queued, under bh_lock_sock() only) reads as not
 * owned: unknown, rather than a guess. preempt_count could also tell
 * process context from softirq, but where it lives depends on architecture
 * and version (on x86 a per-cpu variable of its own or a member of
 * pcpu_hot, on arm64 in thread_info), and it would not say that the task
 * uses this socket.
 */
static __always_inline bool in_owner_context(const struct sock *sk, bool direct)
{
	return TT_SK(direct, sk, sk_lock.owned) != 0;
}

/* A new socket: its entry starts over (the address may be a freed socket's). */
static __always_inline void born(const struct sock *sk, bool connecting)
{
	__u64 key = (__u64)sk, pid_tgid;
	struct tt_sock_owner v;
	__u32 uid;

	__builtin_memset(&v, 0, sizeof(v));
	v.birth_ns = bpf_ktime_get_ns();
	v.dir = connecting ? TT_DIR_ACTIVE : TT_DIR_PASSIVE;
	if (connecting) {
		pid_tgid = bpf_get_current_pid_tgid();
		uid = (__u32)bpf_get_current_uid_gid();
		tt_owner_current_at(&v.owner, pid_tgid, uid, v.birth_ns);
		v.how = TT_OWNER_CONNECT;
		v.selected = tt_task_selected(pid_tgid, uid);
	}
	bpf_map_update_elem(&owners, &key, &v, BPF_ANY);
}

/* close(2) or shutdown(2): the owner of a session opened before tracing. */
static __always_inline void closing(const struct sock *sk, bool direct)
{
	__u64 key = (__u64)sk;
	struct tt_sock_owner *cur;

	if (!in_owner_context(sk, direct))
		return;
	cur = bpf_map_lookup_elem(&owners, &key);
	if (cur && cur->how != TT_OWNER_NONE)
		return;
	tt_owner_set(sk, TT_OWNER_CLOSE, TT_DIR_UNKNOWN);
}

/* struct sock before v4.4: sk_flags was its own member. */
struct sock___old {
	unsigned long sk_flags;
} __attribute__((preserve_access_index));

/*
 * sk_flags moved into sock_common (skc_flags, sharing a word with
 * skc_listener) when request socks joined the established hash in v4.4.
 */
static __always_inline unsigned long sock_flags(const struct sock *sk, bool direct)
{
	if (bpf_core_field_exists(sk->__sk_common.skc_flags))
		return TT_SK(direct, sk, __sk_common.skc_flags);
	return BPF_CORE_READ((const struct sock___old *)sk, sk_flags);
}

/*
 * Payload bytes. bytes_acked counts acknowledged sequence space: an active
 * open's SYN (acked when it was established) and our FIN (acked if it was
 * sent: the states after close(2)/shutdown(2) queued it, and nothing is
 * left unacknowledged). bytes_received counts the peer's FIN, which
 * tcp_fin() marks with SOCK_DONE. Which end opened a connection is known
 * only from its birth or its accept; without it TX still counts an active
 * open's SYN: returns TT_EVF_TX_RAW then, and user space decides
 * (core/run/sessions_setup.c knows the direction of sessions opened before
 * tracing; else TX is unknown, core/out/fields.c).
 */
static __always_inline __u8 payload(const struct sock *sk, const struct tcp_sock *tp, bool direct,
				    int state, __u8 dir, __u64 *tx, __u64 *rx)
{
	__u64 acked = TT_TP(tp, sk, bytes_acked);
	__u64 received = TT_TP(tp, sk, bytes_received);
	unsigned long flags = sock_flags(sk, direct);
	bool fin_sent = state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 ||
			state == TCP_CLOSING || state == TCP_LAST_ACK;

	if (fin_sent && acked && TT_TP(tp, sk, snd_una) == TT_TP(tp, sk, write_seq))
		acked--;
	if (dir == TT_DIR_ACTIVE && acked)
		acked--;
	*tx = acked;
	if (received && (flags & (1ul << bpf_core_enum_value(enum sock_flags, SOCK_DONE))))
		received--;
	*rx = received;
	return dir == TT_DIR_UNKNOWN ? TT_EVF_TX_RAW : 0;
}

static __always_inline bool task_filters_off(void)
{
	return !tt_cfg.filter_pid && tt_cfg.filter_uid == TT_TASK_UNKNOWN && !tt_cfg.filter_cgroup;
}

/* What a session's owner entry says of it, or that it has none. */
struct session {
	__u64 birth;
	__u8 how, selected, dir;
	struct tt_owner o;
};

/* A session nobody was seen owning: unknown, or the socket's cgroup. */
static __always_inline void owner_unknown(const struct sock *sk, struct session *s)
{
	__builtin_memset(&s->o, 0, sizeof(s->o));
	s->o.pid = TT_TASK_UNKNOWN;
	s->o.tid = TT_TASK_UNKNOWN;
	s->o.uid = TT_TASK_UNKNOWN;
	/* --containers: the socket's own cgroup, not a task's */
	if (tt_cfg.containers)
		s->o.cgroup_id = tt_sk_cgroup_id(sk);
	s->selected = task_filters_off();
}

/*
 * The record of a session, closing (TT_EV_CLOSE, state the one it left)
 * or still open (TT_EV_OPEN, state the one it is in), if the filters take
 * it: 1, else 0.
 */
static __always_inline int session_record(const struct sock *sk, bool direct, __u8 type,
					  __u8 flags, int state, const struct session *s)
{
	const struct tcp_sock *tp;
	__u16 family, lport, rport;
	struct tt_event *e;

	if (!s->selected)
		return 0;
	/* read once: the filter, then the event */
	tp = tt_tcp_sock(sk, direct);
	family = tt_sk_family(sk, direct);
	lport = tt_sk_lport(sk, tp);
	rport = tt_sk_rport(sk, direct);
	if (!tt_sock_selected(family, lport, rport))
		return 0;
	e = tt_reserve();
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->start_ns = s->birth;
	flags |= payload(sk, tp, direct, state, s->dir, &e->tx_bytes, &e->rx_bytes);
	e->backlog = 0;
	e->backlog_max = 0;
	/* how it ended (core/out/fields.c: close_cause, closed_by) */
	e->err = type == TT_EV_CLOSE ? TT_SK(direct, sk, sk_err) : 0;
	e->oldstate = state;
	e->owner_how = s->how;
	tt_tcp_health(sk, tp, e);
	e->netns = tt_sk_netns(sk, direct);
	/* the join with open records (core/run/sessions.c), only with them */
	e->sock = tt_cfg.open ? (__u64)sk : 0;
	e->cookie = tt_cfg.open ? TT_SK(direct, sk, __sk_common.skc_cookie.counter) : 0;
	e->type = type;
	e->flags = flags;
	tt_event_owner(e, &s->o);
	e->family = family;
	e->lport = lport;
	e->rport = rport;
	tt_read_addrs(sk, direct, family, e->laddr, e->raddr);
	/* an open record's reader is the walk, which reads them once it has run */
	if (type == TT_EV_OPEN)
		bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	else
		tt_submit(e);
	return 1;
}

/*
 * An entry user space wrote for a session opened before tracing is that
 * socket's while the socket has the cookie it was listed with: the entry of
 * one that closed unseen is not the next socket's at the same address.
 */
static __always_inline bool adopted_still(const struct sock *sk, bool direct,
					  const struct tt_sock_owner *cur)
{
	return TT_SK(direct, sk, __sk_common.skc_cookie.counter) == (__s64)cur->cookie;
}

/* ->CLOSE: the session is over. */
static __always_inline void closed(const struct sock *sk, bool direct, int oldstate)
{
	__u64 key = (__u64)sk;
	struct tt_sock_owner *cur;
	struct session s;
	bool adopted = false;

	s.birth = TT_TS_UNKNOWN;
	s.how = TT_OWNER_NONE;
	s.selected = 0;
	s.dir = TT_DIR_UNKNOWN;
	cur = bpf_map_lookup_elem(&owners, &key);
	if (cur && cur->adopted && !adopted_still(sk, direct, cur)) {
		bpf_map_delete_elem(&owners, &key);
		cur = NULL;
	}
	if (cur) {
		s.birth = cur->adopted ? TT_TS_UNKNOWN : cur->birth_ns;
		s.how = cur->how;
		s.selected = cur->selected;
		s.dir = cur->dir;
		adopted = cur->adopted;
		s.o = cur->owner;
		bpf_map_delete_elem(&owners, &key);
	}
	if (s.how == TT_OWNER_NONE) {
		/* adopted: no owner found at start, none learnt later */
		if (!adopted && in_owner_context(sk, direct)) {
			__u64 pid_tgid = bpf_get_current_pid_tgid();
			__u32 uid = (__u32)bpf_get_current_uid_gid();

			tt_owner_current(&s.o, pid_tgid, uid);
			s.selected = tt_task_selected(pid_tgid, uid);
			s.how = TT_OWNER_CLOSE;
		} else {
			owner_unknown(sk, &s);
		}
	}
	session_record(sk, direct, TT_EV_CLOSE, 0, oldstate, &s);
}

/*
 * --dns: a socket this host opened left SYN_SENT, its source port chosen.
 * Its four-tuple and namespace go to user space, which looks the name of its
 * destination up now and keeps it until the close event (which carries the
 * same), however long the session lives and whatever the name cache forgets
 * meanwhile. Sessions the close would not report are left out here too.
 */
static __always_inline void dns_open(const struct sock *sk, bool direct)
{
	__u64 key = (__u64)sk;
	struct tt_sock_owner *cur = bpf_map_lookup_elem(&owners, &key);
	struct tt_dns_open r;

	if (!cur || cur->how != TT_OWNER_CONNECT || !cur->selected)
		return;
	__builtin_memset(&r, 0, sizeof(r));
	tt_read_sock(sk, tt_tcp_sock(sk, direct), direct, &r.family, &r.lport, &r.rport, r.laddr,
		     r.raddr);
	if (!tt_sock_selected(r.family, r.lport, r.rport))
		return;
	r.type = TT_REC_DNS;
	r.kind = TT_DNS_OPEN;
	r.pid = cur->owner.pid;
	r.start_ns = cur->birth_ns;
	r.netns = tt_sk_netns(sk, direct);
	tt_output(&r, sizeof(r), tt_cfg.wakeup_bytes);
}

/* direct: sk is a tp_btf argument (common.bpf.h). */
static __always_inline void state_change(const struct sock *sk, bool direct, int oldstate,
					 int newstate)
{
	if (tt_cfg.dns && oldstate == TCP_SYN_SENT)
		dns_open(sk, direct);
	switch (newstate) {
	case TCP_SYN_SENT:
		if (oldstate == TCP_CLOSE)
			born(sk, true);
		break;
	case TCP_SYN_RECV:
		if (oldstate == TCP_LISTEN)
			born(sk, false);
		break;
	case TCP_FIN_WAIT1:
	case TCP_LAST_ACK:
		closing(sk, direct);
		break;
	case TCP_CLOSE:
		/* Not sessions: a listener closing, or close(2) after a reset. */
		if (oldstate != TCP_LISTEN && oldstate != TCP_CLOSE)
			closed(sk, direct, oldstate);
		break;
	}
}

/* ---- fentry and tracepoint plans ---- */

/* tt_life_btf_nested: state changes in softirqs that interrupt tt_life_btf (nested.bpf.h). */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_life_btf, const struct sock *sk, int oldstate, int newstate)
{
	__u32 *busy = tt_outer_enter();

	if (busy) {
		if (tt_is_tcp(sk, true))
			state_change(sk, true, oldstate, newstate);
		tt_outer_exit(busy);
	}
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tt_life_btf_nested, const struct sock *sk, int oldstate, int newstate)
{
	if (tt_outer_interrupted() && tt_is_tcp(sk, true))
		state_change(sk, true, oldstate, newstate);
	return 0;
}

/* Kernels before tp_btf (v5.5): the same tracepoint through tracefs. */
SEC("tracepoint/sock/inet_sock_set_state")
int tt_life_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP)
		state_change(ctx->skaddr, false, ctx->oldstate, ctx->newstate);
	return 0;
}

/* ---- kprobe plan, on kernels without tp_btf ---- */

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(tt_life_kprobe, struct sock *sk, int state)
{
	/* At entry sk_state still holds the old state. */
	state_change(sk, false, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

/* The clone of a listener (the child of a passive open), born in SYN_RECV. */
SEC("kretprobe/inet_csk_clone_lock")
int BPF_KRETPROBE(tt_life_clone, struct sock *newsk)
{
	if (newsk && tt_is_tcp(newsk, false))
		born(newsk, false);
	return 0;
}

/* ---- life --open/--interval: the sessions open now ---- */

/* The states of a session: established, or closing with data still possible. */
static __always_inline bool session_state(int state)
{
	return state == TCP_ESTABLISHED || state == TCP_FIN_WAIT1 || state == TCP_FIN_WAIT2 ||
	       state == TCP_CLOSE_WAIT || state == TCP_CLOSING || state == TCP_LAST_ACK;
}

/*
 * One entry of the owners map, if it is a session whose birth was seen or
 * one opened before tracing that user space adopted (the others are
 * sock_diag's, core/run/sessions_pre.c): its TT_EV_OPEN record. The entry
 * decides nothing alone: the socket must still be in a session state (its
 * ->CLOSE deletes the entry; a stale entry's memory is a TCP socket still,
 * the slab being typesafe by RCU), and an adopted one still that socket.
 */
static __always_inline int open_record(__u64 key, const struct tt_sock_owner *cur, __u8 at)
{
	/* where the kernel has bpf_rdonly_cast(), direct reads: no helper call each */
	bool direct = tt_typed();
	const struct sock *sk = direct ? tt_cast_sock((void *)key) : (const struct sock *)key;
	struct session s;
	int state;

	if (!key || !sk)
		return 0;
	state = TT_SK(direct, sk, __sk_common.skc_state);
	if (!session_state(state))
		return 0;
	if (cur->adopted ? !adopted_still(sk, direct, cur) : cur->birth_ns == TT_TS_UNKNOWN)
		return 0;
	/*
	 * Without a branch: the verifier would follow the adopted and the born
	 * apart to the end (twice the instructions to verify). User space
	 * tells the adopted by their sock (core/run/sessions.c).
	 */
	s.birth = cur->birth_ns & ((__u64)!!cur->adopted - 1); /* an adopted entry holds its cookie */
	s.how = cur->how;
	s.selected = cur->selected;
	s.dir = cur->dir;
	s.o = cur->owner;
	if (s.how == TT_OWNER_NONE)
		owner_unknown(sk, &s);
	return session_record(sk, direct, TT_EV_OPEN, at << TT_EVF_AT_SHIFT, state, &s);
}

/*
 * open_record() for a key, looked up. A global function: verified once, on
 * its own, and called for each argument (inlined eleven times, the program
 * took seconds to verify on kernels without bpf_rdonly_cast(), minutes
 * under an emulated CPU).
 */
__noinline int tt_life_open_one(__u64 key, __u8 at)
{
	struct tt_sock_owner *cur;

	if (!key)
		return 0;
	cur = bpf_map_lookup_elem(&owners, &key);
	return cur ? open_record(key, cur, at) : 0;
}

/*
 * Never attached: user space runs it (BPF_PROG_TEST_RUN, raw_tp since
 * v5.10, commit 1b4d60ec162f) with the walk's enum tt_open_at and up to
 * TT_OPEN_BATCH keys of the owners map as its arguments (0: none), and
 * reads the records from the ring buffer. Returns how many it wrote.
 * Works where iterators are refused. Kernels with bpf_for_each_map_elem()
 * get tt_life_open_walk instead.
 */
SEC("raw_tp")
int tt_life_open_run(struct bpf_raw_tracepoint_args *ctx)
{
	__u8 at = (__u8)ctx->args[0];
	int n = 0;

	/* constant offsets: a raw_tp context is read at fixed offsets only */
	n += tt_life_open_one(ctx->args[1], at);
	n += tt_life_open_one(ctx->args[2], at);
	n += tt_life_open_one(ctx->args[3], at);
	n += tt_life_open_one(ctx->args[4], at);
	n += tt_life_open_one(ctx->args[5], at);
	n += tt_life_open_one(ctx->args[6], at);
	n += tt_life_open_one(ctx->args[7], at);
	n += tt_life_open_one(ctx->args[8], at);
	n += tt_life_open_one(ctx->args[9], at);
	n += tt_life_open_one(ctx->args[10], at);
	n += tt_life_open_one(ctx->args[11], at);
	return n;
}

/* A walk of the whole owners map, in runs (tt_life_open_walk). */
struct open_walk {
	__u64 limit; /* stop once the ring buffer holds this many bytes unread */
	__u32 walk;  /* this walk's number: the entries marked with it are done */
	__u32 done;  /* entries marked by this run */
	__u8 at;     /* enum tt_open_at */
	__u8 more;   /* stopped at limit: run again once the ring is read */
};

static long open_walk_entry(struct bpf_map *map, __u64 *key, struct tt_sock_owner *cur,
			    struct open_walk *w)
{
	if (cur->walk == w->walk)
		return 0;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= w->limit) {
		w->more = 1;
		return 1;
	}
	cur->walk = w->walk;
	w->done++;
	open_record(*key, cur, w->at);
	return 0;
}

/*
 * Never attached: user space runs it (BPF_PROG_TEST_RUN) with the walk's
 * enum tt_open_at, its number (never 0: born() zeroes an entry's mark) and
 * how many unread bytes of the ring buffer to stop at, then reads the ring
 * buffer, and runs it again while it returns an odd number: twice the
 * entries it did, plus 1 if it stopped at the limit. Each run visits the map in
 * the kernel (bpf_for_each_map_elem(), v5.13, commit 69c087ba6225) and
 * writes the records of the entries not yet marked with this walk's
 * number, marking them: a session is reported once per walk, however the
 * map changes between runs, and no key leaves the kernel.
 */
SEC("raw_tp")
int tt_life_open_walk(struct bpf_raw_tracepoint_args *ctx)
{
	struct open_walk w = {
		.limit = ctx->args[2],
		.walk = (__u32)ctx->args[1],
		.at = (__u8)ctx->args[0],
	};

	bpf_for_each_map_elem(&owners, open_walk_entry, &w, 0);
	return (int)(w.done << 1 | w.more);
}

/*
 * The tuple at off of the test packet: its socket's address written after
 * it if one is in a session state (1), 0 if none, -1 at the end. A global
 * function, verified once: inlined in the loop, the program took 130 ms to
 * verify (each iteration's reference to a socket followed on its own).
 */
__noinline int tt_life_adopt_one(struct __sk_buff *skb, __u32 off)
{
	struct bpf_sock_tuple t;
	struct tt_adopt q;
	struct bpf_sock *sk;
	__u64 found;
	__u32 len;

	if (!skb || bpf_skb_load_bytes(skb, off, &q, sizeof(q)) || !q.family)
		return -1;
	__builtin_memset(&t, 0, sizeof(t));
	if (q.family == AF_INET) {
		__builtin_memcpy(&t.ipv4.saddr, q.saddr, 4);
		__builtin_memcpy(&t.ipv4.daddr, q.daddr, 4);
		t.ipv4.sport = q.sport;
		t.ipv4.dport = q.dport;
		len = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, q.saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, q.daddr, 16);
		t.ipv6.sport = q.sport;
		t.ipv6.dport = q.dport;
		len = sizeof(t.ipv6);
	}
	sk = bpf_skc_lookup_tcp(skb, &t, len, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	/* a listener or a request answers a tuple no session has */
	found = session_state(sk->state) ? (__u64)sk : 0;
	bpf_sk_release(sk);
	if (!found)
		return 0;
	bpf_skb_store_bytes(skb, off + __builtin_offsetof(struct tt_adopt, sk), &found,
			    sizeof(found), 0);
	return 1;
}

/*
 * Never attached: at setup, user space runs it (BPF_PROG_TEST_RUN) in each
 * network namespace that has sessions opened before tracing, their tuples
 * in the test packet (struct tt_adopt), and writes an owners entry for
 * each socket it finds (core/run/sessions_setup.c): from then on the walks
 * above report those sessions too, and sock_diag lists only the others.
 * A tc program: bpf_skc_lookup_tcp() (v5.2) finds a
 * socket by its tuple in the namespace of the test packet's device, the
 * caller's loopback, and is not given to tracing programs. Returns how
 * many it found.
 */
SEC("tc")
int tt_life_adopt(struct __sk_buff *skb)
{
	int n = 0, r;
	__u32 i;

	for (i = 0; i < TT_ADOPT_BATCH; i++) {
		r = tt_life_adopt_one(skb, TT_ADOPT_HDR + i * sizeof(struct tt_adopt));
		if (r < 0)
			break;
		n += r;
	}
	return n;
}
