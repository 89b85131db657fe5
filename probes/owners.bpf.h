/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns each TCP socket: the `owners` map, keyed by struct sock *, that
 * tcptrace life reads when a session closes. A session's last state change
 * usually runs in softirq, in whatever task happened to be interrupted, so
 * its owner must have been recorded earlier, in the owner's own context:
 *
 *  - active opens: the CLOSE->SYN_SENT state change, which runs in the
 *    connecting task (life.bpf.c);
 *  - passive opens: the accept hooks (accept.bpf.h), which run in the
 *    accepting task and call tt_owner_accepted();
 *  - sessions opened before tracing started: with --open/--interval, user
 *    space writes the entry of each one tt_life_adopt finds (adopted: the
 *    owner found holding its fd at start, or none, and its cookie); those
 *    facts are kept to its close. Else the task that closes it, if it does
 *    so in process context (life.bpf.c).
 *
 * The same entry carries the socket's birth time, written at its first
 * state change, so one lookup serves both at close.
 *
 * Sizing: an entry costs about 128 bytes of kernel memory (64 bytes of
 * value, the key and the LRU hash's per-element header), all preallocated:
 * TT_OWNERS_MAX entries are about 30 MB, and take tens of milliseconds to
 * create. User space sizes the map to the host's open TCP sockets at start
 * (core/bpf/maps.c), TT_OWNERS_MAX at most. It bounds the sessions tracked at
 * once; when more are open, the least recently active lose their entry and
 * are reported with owner and duration unknown, never with a wrong one.
 */
#ifndef TCPTRACE_OWNERS_BPF_H
#define TCPTRACE_OWNERS_BPF_H

#include "common.bpf.h"

#define TT_OWNERS_MAX 262144

/* The entry, struct tt_sock_owner, is in include/tcptrace/event.h: user space writes some. */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_OWNERS_MAX);
	__type(key, __u64);
	__type(value, struct tt_sock_owner);
} owners SEC(".maps");

/*
 * Makes the current task the owner of sk, keeping the birth time and, if
 * dir is TT_DIR_UNKNOWN, the direction already recorded. The task filters
 * are decided here, where the task is known: bpf_current_task_under_cgroup()
 * means nothing at close in softirq.
 */
static __always_inline void tt_owner_set(const struct sock *sk, __u8 how, __u8 dir)
{
	__u64 key = (__u64)sk, pid_tgid = bpf_get_current_pid_tgid();
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct tt_sock_owner v, *cur;

	/*
	 * In place when the socket has an entry (its birth was seen): an
	 * update would take a new element from the LRU and free the old one.
	 * Only the owner's task writes it now; the close that reads it comes
	 * after.
	 */
	cur = bpf_map_lookup_elem(&owners, &key);
	if (cur && cur->adopted)
		return; /* the owner found at start stays its owner */
	if (cur) {
		tt_owner_current(&cur->owner, pid_tgid, uid);
		cur->how = how;
		cur->selected = tt_task_selected(pid_tgid, uid);
		if (dir != TT_DIR_UNKNOWN)
			cur->dir = dir;
		return;
	}
	__builtin_memset(&v, 0, sizeof(v));
	v.birth_ns = TT_TS_UNKNOWN;
	v.dir = dir;
	tt_owner_current(&v.owner, pid_tgid, uid);
	v.how = how;
	v.selected = tt_task_selected(pid_tgid, uid);
	bpf_map_update_elem(&owners, &key, &v, BPF_ANY);
}

/*
 * For the accept hooks: the current task has just accepted sk (a new fd,
 * or inet_csk_accept() returned it). Anything but a TCP socket is ignored,
 * so hooks on accept(2) may pass whatever socket the fd holds. A socket
 * that already reached CLOSE (reset while queued) had its session reported
 * already; recording it would leave an entry nothing deletes.
 */
static __always_inline void tt_owner_accepted(const struct sock *sk, bool direct)
{
	__u16 family;
	__u8 state;

	if (!sk || !tt_is_tcp(sk, direct))
		return;
	family = tt_sk_family(sk, direct);
	if (family != AF_INET && family != AF_INET6)
		return;
	state = TT_SK(direct, sk, __sk_common.skc_state);
	if (state == TCP_CLOSE || state == TCP_LISTEN)
		return;
	tt_owner_set(sk, TT_OWNER_ACCEPT, TT_DIR_PASSIVE);
}

#endif /* TCPTRACE_OWNERS_BPF_H */
