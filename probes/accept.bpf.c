// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrace accept: passive TCP opens, one event per socket that accept() or
 * accept4() returns, in the accepting task (pid/comm/uid are exact), with
 * the listener's accept queue right after the accept dequeued it.
 *
 * The hooks of every plan are in accept.bpf.h (shared with life mode); this
 * file only turns what they find into an event.
 */
#include "common.bpf.h"
#include "accept.bpf.h"

/* The task filters need nothing from the socket: checked before it is looked for. */
static __always_inline bool tt_accept_wanted(void)
{
	return tt_task_selected(bpf_get_current_pid_tgid(), (__u32)bpf_get_current_uid_gid());
}

/* The event has the listener's accept queue. */
static __always_inline bool tt_accept_needs_listener(void)
{
	return true;
}

static __always_inline void tt_accepted(struct sock *sk, struct sock *listener, bool direct)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u16 family = tt_sk_family(sk, direct), rport = tt_sk_rport(sk, direct);
	/* An accepted socket is hashed: inet_num is its port (see tt_sk_lport()). */
	__u16 lport = TT_SK(direct, sk, __sk_common.skc_num);
	struct tt_event stack_e, *e;

	/* -P selects local ports: the accepted socket's, as the listener's. */
	if (!tt_sock_selected(family, lport, rport))
		return;
	if (tt_cfg.count_mode) {
		e = &stack_e;
	} else {
		e = tt_reserve();
		if (!e)
			return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->type = TT_EV_ACCEPT;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->cgroup_id = tt_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->family = family;
	e->lport = lport;
	e->rport = rport;
	tt_read_addrs(sk, direct, family, e->laddr, e->raddr);
	/*
	 * inet_csk_accept() has already taken the connection off the queue
	 * (reqsk_queue_remove() -> sk_acceptq_removed()), so this is what is
	 * left. The max is listen()'s backlog capped by net.core.somaxconn.
	 * Both are u32 since v4.1 (commit becb74f0acca).
	 */
	e->backlog = TT_SK(direct, listener, sk_ack_backlog);
	e->backlog_max = TT_SK(direct, listener, sk_max_ack_backlog);
	if (tt_cfg.count_mode)
		tt_count(e);
	else
		tt_submit(e);
}
