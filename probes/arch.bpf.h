/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the probes read differently per architecture, in one place: at a
 * system call's exit, from the task's saved user registers (struct pt_regs:
 * the raw sys_exit tracepoint's first argument, or bpf_task_pt_regs(),
 * v5.15, a pointer the verifier knows, read directly), which call it was,
 * whether it was a 32-bit (compat) one, and its first two arguments. The
 * call numbers themselves are ABI, in include/tcptrace/sysnr.h (shared with
 * user space, unit-tested against the C library's).
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

#if defined(__TARGET_ARCH_x86)

#define TT_TS_COMPAT 0x0002

static __always_inline long tt_syscall_nr(const struct pt_regs *regs)
{
	return (long)regs->orig_ax;
}

static __always_inline bool tt_compat_syscall(const struct pt_regs *regs)
{
	return bpf_get_current_task_btf()->thread_info.status & TT_TS_COMPAT;
}

#define TT_SYSCALL_ARG1(regs) ((regs)->di)
#define TT_SYSCALL_ARG2(regs) ((regs)->si)

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

#else
#error "no system call registers for this architecture (probes/arch.bpf.h)"
#endif

#endif /* TCPTRACE_ARCH_BPF_H */
