// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ttsyscall: makes a running process enter one system call of our choice,
 * from outside, with ptrace(2): the test of what tcptrace's seccomp filter
 * does with a call it does not allow (test/integration/test_privileges.sh).
 *
 *   ttsyscall PID NAME      NAME: getpid or socket
 *
 * It stops the process at its next system call entry (PTRACE_SYSCALL) and
 * replaces that call's number with NAME's before the kernel goes on: the
 * kernel runs seccomp after the tracer's syscall-entry stop, on the number
 * the tracer left ("Do seccomp after ptrace, to catch any tracer changes",
 * kernel/entry/common.c), then ttsyscall detaches. So the call is made by
 * the real process in its steady state and meets its real filter, and
 * nothing in tcptrace exists for this test. Prints "nr=N" (the call's
 * number here); exit status 0 once the call is made, 1 on failure, 2
 * usage, 77 where the architecture is not supported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

static int fail(const char *what)
{
	fprintf(stderr, "ttsyscall: %s: %s\n", what, strerror(errno));
	return 1;
}

/* The number of the system call the stopped tracee is entering, set to nr. */
static int set_syscall(pid_t pid, long nr)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs))
		return -1;
	regs.orig_rax = (unsigned long long)nr;
	return ptrace(PTRACE_SETREGS, pid, NULL, &regs) ? -1 : 0;
#else
	(void)pid, (void)nr;
	errno = ENOSYS;
	return -1;
#endif
}

int main(int argc, char **argv)
{
	pid_t pid;
	long nr;
	int st, i;

#if !defined(__x86_64__)
	fprintf(stderr, "ttsyscall: x86-64 only\n");
	return 77;
#endif
	if (argc != 3 || (pid = (pid_t)atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: ttsyscall PID getpid|socket\n");
		return 2;
	}
	if (!strcmp(argv[2], "getpid"))
		nr = SYS_getpid;
	else if (!strcmp(argv[2], "socket"))
		nr = SYS_socket;
	else {
		fprintf(stderr, "ttsyscall: unknown system call %s\n", argv[2]);
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)PTRACE_O_TRACESYSGOOD))
		return fail("PTRACE_SEIZE");
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL))
		return fail("PTRACE_INTERRUPT");
	/* (a single-threaded tracee: one stop after another) */
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &st, __WALL) != pid)
			return fail("waitpid");
		if (!WIFSTOPPED(st)) {
			fprintf(stderr, "ttsyscall: %d ended\n", pid);
			return 1;
		}
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			/* a syscall-entry stop: the first one after the interrupt */
			if (set_syscall(pid, nr))
				return fail("setting the system call");
			if (ptrace(PTRACE_DETACH, pid, NULL, NULL))
				return fail("PTRACE_DETACH");
			printf("nr=%ld\n", nr);
			return 0;
		}
		/* the interrupt's stop, or a signal: on to the next system call */
		if (ptrace(PTRACE_SYSCALL, pid, NULL,
			   (void *)(long)(st >> 16 || WSTOPSIG(st) == SIGTRAP ? 0 : WSTOPSIG(st))))
			return fail("PTRACE_SYSCALL");
	}
	fprintf(stderr, "ttsyscall: %d entered no system call\n", pid);
	return 1;
}
