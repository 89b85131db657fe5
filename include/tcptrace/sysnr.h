/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * System call numbers the sys_exit hooks match (probes/common.bpf.h): the
 * per-system-call tracepoints syscalls:sys_exit_* take their id from tracefs,
 * and where it cannot be read, the same programs run on the raw sys_exit
 * tracepoint and pick these calls by number. Numbers are ABI, fixed per
 * architecture; a unit test compares them with the C library's __NR_*.
 */
#ifndef TCPTRACE_SYSNR_H
#define TCPTRACE_SYSNR_H

#if defined(__TARGET_ARCH_x86) || defined(__x86_64__)
/* arch/x86/entry/syscalls/syscall_64.tbl */
#define TT_NR_CONNECT 42
#define TT_NR_ACCEPT 43
#define TT_NR_ACCEPT4 288
#elif defined(__TARGET_ARCH_arm64) || defined(__aarch64__)
/* include/uapi/asm-generic/unistd.h */
#define TT_NR_CONNECT 203
#define TT_NR_ACCEPT 202
#define TT_NR_ACCEPT4 242
#else
#error "no system call numbers for this architecture"
#endif

#endif /* TCPTRACE_SYSNR_H */
