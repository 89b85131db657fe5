/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probes read differently per architecture, in one place: at a
 * system call's exit, from the task's saved user registers (struct pt_regs:
 * the raw sys_exit tracepoint's first argument, or bpf_task_pt_regs(),
 * v5.15, a pointer the verifier knows, read directly; before v5.15, the top
 * of the task's kernel stack, read with the helper: tt_stack_syscall_args()),
 * which call it was, whether it was a 32-bit (compat) one, its first two
 * arguments and its return value. The call numbers themselves are ABI, in
 * include/tcptrace/sysnr.h (shared with user space, unit-tested against the
 * C library's).
 *
 * x86-64 (arch/x86/include/asm/ptrace.h, syscall.h):
 *   syscall_get_nr() is regs->orig_ax; a 32-bit call (int 0x80, sysenter)
 *   runs with TS_COMPAT (0x0002) in current_thread_info()->status
 *   (in_ia32_syscall()); an x32 call has __X32_SYSCALL_BIT in its number,
 *   which then matches none of ours. The arguments are passed in di, si...
 *   and the return value in ax, so at the exit they are all still there.
 * arm64 (arch/arm64/include/asm/ptrace.h, as Debian 12's 6.1 kernel BTF
 *   has it: struct pt_regs { union { struct user_pt_regs user_regs;
 *   struct { u64 regs[31]; u64 sp; u64 pc; u64 pstate; }; }; u64 orig_x0;
 *   s32 syscallno; u32 unused2; ... }):
 *   syscall_get_nr() is regs->syscallno (an s32 since v4.15, commit
 *   35d0e6fb4d21); only an AArch32 task makes compat calls, and its saved
 *   pstate has PSR_MODE32_BIT (0x10, SPSR.M[4], fixed by the architecture:
 *   compat_user_mode()), whatever number the kernel gives TIF_32BIT. The
 *   arguments are passed in x0, x1... and the return value in x0:
 *   invoke_syscall() overwrites the first argument with it, which is why
 *   the kernel keeps that in orig_x0 (libbpf's PT_REGS_PARM1_SYSCALL()
 *   reads it too, but with a helper call). Reading x0 at the exit of
 *   accept(2) finds the accepted socket's fd, not the listener's.
 * Like the per-call tracepoints (trace_get_syscall_nr() returns -1 for a
 * compat call, ARCH_TRACE_IGNORE_COMPAT_SYSCALLS), compat calls are
 * ignored: their numbers mean other calls.
 *
 * vmlinux.h declares each architecture's pt_regs (what is read here, and
 * what libbpf's PT_REGS_*() read for the kprobe plan); the arm64 lines are
 * built only with -D__TARGET_ARCH_arm64.
 */
#ifndef TCPTRACE_ARCH_BPF_H
#define TCPTRACE_ARCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/*
 * The current task: a pointer the verifier knows where the kernel has
 * bpf_get_current_task_btf() (v5.11, commit 3ca1032ab7ab), else its
 * address (bpf_get_current_task()), whose fields only the helper reads.
 * The test is a CO-RE relocation against the kernel's enum bpf_func_id: the
 * verifier never sees the other branch.
 */
static __always_inline struct task_struct *tt_current_task(void)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf();
	return (struct task_struct *)bpf_get_current_task();
}

#if defined(__TARGET_ARCH_x86)

#define TT_TS_COMPAT 0x0002

static __always_inline long tt_syscall_nr(const struct pt_regs *regs)
{
	return (long)regs->orig_ax;
}

static __always_inline bool tt_compat_syscall(const struct pt_regs *regs)
{
	struct task_struct *task;

	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return bpf_get_current_task_btf()->thread_info.status & TT_TS_COMPAT;
	task = (struct task_struct *)bpf_get_current_task();
	return BPF_CORE_READ(task, thread_info.status) & TT_TS_COMPAT;
}

#define TT_SYSCALL_ARG1(regs) ((regs)->di)
#define TT_SYSCALL_ARG2(regs) ((regs)->si)

/* The same registers at an address (tt_stack_syscall_args()): number, return value, args 1, 2. */
static __always_inline void tt_saved_syscall(const struct pt_regs *regs, long *nr, long *ret,
					     long *arg1, long *arg2)
{
	*nr = (long)BPF_CORE_READ(regs, orig_ax);
	*ret = (long)BPF_CORE_READ(regs, ax);
	*arg1 = (long)BPF_CORE_READ(regs, di);
	*arg2 = (long)BPF_CORE_READ(regs, si);
}

#elif defined(__TARGET_ARCH_arm64)

#define TT_PSR_MODE32_BIT 0x10

static __always_inline long tt_syscall_nr(const struct pt_regs *regs)
{
	return regs->syscallno;
}

static __always_inline bool tt_compat_syscall(const struct pt_regs *regs)
{
	return regs->pstate & TT_PSR_MODE32_BIT;
}

#define TT_SYSCALL_ARG1(regs) ((regs)->orig_x0)
#define TT_SYSCALL_ARG2(regs) (((const struct user_pt_regs *)(regs))->regs[1])

/*
 * The same registers at an address (tt_stack_syscall_args()): number, return
 * value (x0), args 1, 2; a compat call's number is -1, which matches none.
 */
static __always_inline void tt_saved_syscall(const struct pt_regs *regs, long *nr, long *ret,
					     long *arg1, long *arg2)
{
	*nr = BPF_CORE_READ(regs, pstate) & TT_PSR_MODE32_BIT ? -1 : BPF_CORE_READ(regs, syscallno);
	*ret = (long)BPF_CORE_READ((const struct user_pt_regs *)regs, regs[0]);
	*arg1 = (long)BPF_CORE_READ(regs, orig_x0);
	*arg2 = (long)BPF_CORE_READ((const struct user_pt_regs *)regs, regs[1]);
}

#else
#error "no system call registers for this architecture (probes/arch.bpf.h)"
#endif

/*
 * The saved user registers without bpf_task_pt_regs() (before v5.15, commit
 * dd6e10fbd9fb): where the kernel's task_pt_regs() finds them, the last
 * struct pt_regs of the task's kernel stack, task->stack (both
 * architectures select CONFIG_THREAD_INFO_IN_TASK) + THREAD_SIZE:
 *   x86-64 (arch/x86/include/asm/processor.h, page_64_types.h,
 *   thread_info.h): task_stack_page(task) + THREAD_SIZE -
 *   TOP_OF_KERNEL_STACK_PADDING, a padding of 0 on x86-64 until FRED's 16
 *   bytes (v6.9, commit 65c9cc9e2c14), which only kernels with
 *   bpf_task_pt_regs() have; THREAD_SIZE is PAGE_SIZE << 2, 16 KiB, doubled
 *   by KASAN (KASAN_STACK_ORDER).
 *   arm64 (arch/arm64/include/asm/processor.h, memory.h): task_stack_page(p)
 *   + THREAD_SIZE; THREAD_SIZE is 1 << 14, 16 KiB, doubled by KASAN, and
 *   PAGE_SIZE where pages are 64 KiB and stacks vmapped.
 * sizeof(struct pt_regs) is the kernel's, a CO-RE relocation (arm64's has
 * grown over the years). User space (tt_accept_fits()) loads the programs
 * that read this only where THREAD_SIZE is 16 KiB as far as the kernel's
 * BTF and page size tell; and what is read there counts only if it is the
 * system call that is returning: its number is one of nr_a, nr_b and its
 * return value is ret. A 16 KiB guess on a larger stack would read the
 * task's own stack, never another task's, where the same two matches are
 * not to be expected: the argument is then unknown (false), never another
 * call's.
 */
#define TT_THREAD_SIZE (16 * 1024)

static __always_inline bool tt_stack_syscall_args(struct task_struct *task, long nr_a, long nr_b,
						  long ret, long *arg1, long *arg2)
{
	const struct pt_regs *regs;
	long nr, r0, a1, a2;
	void *stack;

	stack = BPF_CORE_READ(task, stack);
	if (!stack)
		return false;
	regs = stack + TT_THREAD_SIZE - bpf_core_type_size(struct pt_regs);
	tt_saved_syscall(regs, &nr, &r0, &a1, &a2);
	if ((nr != nr_a && nr != nr_b) || r0 != ret)
		return false;
	*arg1 = a1;
	*arg2 = a2;
	return true;
}

static __always_inline bool tt_stack_syscall_arg1(struct task_struct *task, long nr_a, long nr_b,
						  long ret, long *arg1)
{
	long arg2;

	return tt_stack_syscall_args(task, nr_a, nr_b, ret, arg1, &arg2);
}

#endif /* TCPTRACE_ARCH_BPF_H */
