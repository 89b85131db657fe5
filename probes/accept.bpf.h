/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding accepted TCP connections, for every mode that needs them. The
 * hooks of each attach plan find the accepted socket and its listener in the
 * task whose accept()/accept4() returns the socket, and call
 *
 *	static __always_inline void tt_accepted(struct sock *sk, struct sock *listener,
 *						bool direct);
 *	static __always_inline bool tt_accept_wanted(void);
 *	static __always_inline bool tt_accept_needs_listener(void);
 *
 * which the including file defines after including this one (accept mode
 * emits an event; life mode records the owner of a passive socket). When it
 * is called, sk is a TCP socket, listener is in TCP_LISTEN, and the current
 * task is the accepting one; direct: both are pointers the verifier knows
 * (read them directly, see common.bpf.h). Where tt_accept_needs_listener()
 * is false, the syscall-exit hooks do not look the listener up (listener is
 * NULL): the fd accept(2) returned is an accepted socket already.
 * Include common.bpf.h first.
 *
 * Plans (user space loads one; these program names are its lists):
 *  fentry: fexit inet_csk_accept: listener = first argument, sk = return
 *	value. One program per signature: (sk, struct proto_accept_arg *) since
 *	v6.10 (commit 92ef0fd55ac8), (sk, flags, err, kern) before; user space
 *	loads the one the kernel's BTF has.
 *  kprobe: kprobe inet_csk_accept records the listener per thread, the
 *	kretprobe takes the returned socket.
 *  tracepoint: syscalls:sys_exit_accept and sys_exit_accept4. The new fd is
 *	the return value; the listener fd is the syscall's first argument, read
 *	from the task's saved user registers (bpf_task_pt_regs(), v5.15, commit
 *	dd6e10fbd9fb; before it, from the top of the task's kernel stack, and
 *	only if they are accept's: arch.bpf.h) rather than recorded at
 *	sys_enter, so an accept that was already blocked when tracing started
 *	is found too. Both fds are resolved to sockets through the task's file
 *	table (the task from bpf_get_current_task_btf(), v5.11, or before it
 *	bpf_get_current_task(): tt_current_task()).
 *
 * fexit and kretprobe only fire for calls that enter inet_csk_accept() after
 * they were attached: a thread already blocked in accept() when tracing
 * starts returns unseen (bcc #2165). The fentry and kprobe plans therefore
 * also load the syscall-exit programs in catch-up mode, which report an
 * accept syscall only when the in-kernel hook did not handle it.
 */
#ifndef TCPTRACE_ACCEPT_BPF_H
#define TCPTRACE_ACCEPT_BPF_H

#include "fd.bpf.h"

/* Handled by fexit/kretprobe: the syscall-exit catch-up leaves it alone. */
#define TT_ACCEPT_SEEN 1ull

static __always_inline void tt_accepted(struct sock *sk, struct sock *listener, bool direct);
static __always_inline bool tt_accept_wanted(void);
static __always_inline bool tt_accept_needs_listener(void);

/*
 * Thread -> its accept in progress: the listener the kprobe saw at entry,
 * then TT_ACCEPT_SEEN once fexit/kretprobe handled the accept. The
 * syscall-exit catch-up consumes the entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} accept_tid SEC(".maps");

static __always_inline bool tt_accept_valid(struct sock *sk, struct sock *listener, bool direct)
{
	if (!sk || !listener || !tt_is_tcp(sk, direct))
		return false;
	return TT_SK(direct, listener, __sk_common.skc_state) == TCP_LISTEN;
}

static __always_inline void tt_accept_mark_seen(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 seen = TT_ACCEPT_SEEN;

	bpf_map_update_elem(&accept_tid, &tid, &seen, BPF_ANY);
}

/*
 * The listener fd, accept's first argument, at its exit: from regs where the
 * hook has them (the raw sys_exit tracepoint's), else from the task's saved
 * registers (arch.bpf.h). False where they cannot be found: unknown.
 */
static __always_inline bool tt_accept_listener_fd(struct task_struct *task,
						  const struct pt_regs *regs, __s64 ret, long *fd)
{
	if (regs) {
		*fd = (long)TT_SYSCALL_ARG1(regs);
		return true;
	}
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		/* a pointer the verifier knows: read directly, not with the helper */
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
		*fd = (long)TT_SYSCALL_ARG1(regs);
		return true;
	}
	return tt_stack_syscall_arg1(task, TT_NR_ACCEPT, TT_NR_ACCEPT4, ret, fd);
}

/*
 * At the exit of accept()/accept4(): ret is the new fd or -errno; regs, the
 * task's saved registers where the hook has them, else NULL. catchup: only
 * report what fexit/kretprobe did not (their plans load this too).
 */
static __always_inline void tt_accept_syscall_exit(__s64 ret, bool catchup,
						   const struct pt_regs *regs)
{
	struct sock *sk, *listener = NULL;
	struct tt_fd_table fds;
	struct task_struct *task;
	__u64 *call;
	long fd;

	if (catchup) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		__u64 v;

		call = bpf_map_lookup_elem(&accept_tid, &tid);
		if (call) {
			v = *call;
			bpf_map_delete_elem(&accept_tid, &tid);
			if (v == TT_ACCEPT_SEEN)
				return;
			/* The kprobe saw the entry, the kretprobe missed the return. */
			listener = tt_typed() ? tt_cast_sock((void *)v) : (struct sock *)v;
		}
	}
	if (ret < 0 || !tt_accept_wanted())
		return;
	task = tt_current_task();
	if (!tt_fd_table(task, &fds))
		return;
	sk = tt_file_sock(tt_fd_file(&fds, ret));
	if (!sk)
		return;
	if (!tt_accept_needs_listener()) {
		if (tt_is_tcp(sk, tt_typed()))
			tt_accepted(sk, NULL, tt_typed());
		return;
	}
	if (!listener) {
		/*
		 * Registers not found (arch.bpf.h): no event, as when the
		 * listener fd no longer leads to the listener; the backlog is
		 * never another socket's.
		 */
		if (!tt_accept_listener_fd(task, regs, ret, &fd))
			return;
		listener = tt_file_sock(tt_fd_file(&fds, (int)fd));
	}
	if (tt_accept_valid(sk, listener, tt_typed()))
		tt_accepted(sk, listener, tt_typed());
}

/* ---- fentry plan ---- */

SEC("fexit/inet_csk_accept")
int BPF_PROG(tt_accept_fexit, struct sock *listener, struct proto_accept_arg *arg, struct sock *sk)
{
	if (!sk)
		return 0;
	tt_accept_mark_seen();
	if (tt_accept_wanted() && tt_accept_valid(sk, listener, true))
		tt_accepted(sk, listener, true);
	return 0;
}

/* Before v6.10 (commit 92ef0fd55ac8). */
SEC("fexit/inet_csk_accept")
int BPF_PROG(tt_accept_fexit_old, struct sock *listener, int flags, int *err, bool kern,
	     struct sock *sk)
{
	if (!sk)
		return 0;
	tt_accept_mark_seen();
	if (tt_accept_wanted() && tt_accept_valid(sk, listener, true))
		tt_accepted(sk, listener, true);
	return 0;
}

/* ---- kprobe plan ---- */

SEC("kprobe/inet_csk_accept")
int BPF_KPROBE(tt_accept_kprobe, struct sock *listener)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 v = (__u64)listener;

	bpf_map_update_elem(&accept_tid, &tid, &v, BPF_ANY);
	return 0;
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(tt_accept_kretprobe, struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock *listener;
	__u64 *call;

	call = bpf_map_lookup_elem(&accept_tid, &tid);
	if (!call || *call == TT_ACCEPT_SEEN)
		return 0;
	listener = (struct sock *)*call;
	*call = TT_ACCEPT_SEEN;
	if (sk && tt_accept_wanted() && tt_accept_valid(sk, listener, false))
		tt_accepted(sk, listener, false);
	return 0;
}

/*
 * ---- tracepoint plan, and the catch-up of the other two ----
 *
 * Each program is also attached to syscalls:sys_exit_accept4, whose record
 * is the same (user space's tt_probe.also_attach): one program verified,
 * not a copy per syscall.
 */

SEC("tracepoint/syscalls/sys_exit_accept")
int tt_accept_exit(struct tt_sys_exit *ctx)
{
	tt_accept_syscall_exit(ctx->ret, false, NULL);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tt_accept_exit_catchup(struct tt_sys_exit *ctx)
{
	tt_accept_syscall_exit(ctx->ret, true, NULL);
	return 0;
}

/* The same where the tracepoints' ids cannot be read (common.bpf.h). */
SEC("tp_btf/sys_exit")
int BPF_PROG(tt_accept_exit_sysexit, struct pt_regs *regs, long ret)
{
	if (tt_sys_exit_is(regs, TT_NR_ACCEPT, TT_NR_ACCEPT4))
		tt_accept_syscall_exit(ret, false, regs);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tt_accept_exit_catchup_sysexit, struct pt_regs *regs, long ret)
{
	if (tt_sys_exit_is(regs, TT_NR_ACCEPT, TT_NR_ACCEPT4))
		tt_accept_syscall_exit(ret, true, regs);
	return 0;
}

#endif /* TCPTRACE_ACCEPT_BPF_H */
