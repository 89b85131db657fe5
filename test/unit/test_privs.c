// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/privs.def and core/privs.c: the privilege table and its names. */
#include <linux/bpf.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include "check.h"
#include "privs.h"
#include "tcptrace/sysnr.h"

#define CAP(x) (1ull << CAP_##x)

static const struct tt_plan fentry = { TT_ATTACH_FENTRY };
static const struct tt_plan tp = { TT_ATTACH_TRACEPOINT };

/* Every system call the table names exists on x86-64 or arm64. */
static void test_syscall_names(void)
{
	struct tt_priv_entry e;
	char name[64];
	bool on;
	int i, n, len;

	for (i = 0; tt_priv_entry(i, NULL, &e, &on); i++) {
		const char *p = e.syscalls;

		CHECK(!on); /* no context: nothing applies */
		CHECK(e.what && *e.what);
		while (sscanf(p, " %63s%n", name, &len) == 1) {
			p += len;
			n = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
			if (n == __NR_SCMP_ERROR)
				n = seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, name);
			if (n == __NR_SCMP_ERROR)
				fprintf(stderr, "unknown system call '%s' in '%s'\n", name, e.what);
			CHECK(n != __NR_SCMP_ERROR);
		}
	}
	CHECK(i >= 5);
}

static tt_caps setup(const struct tt_opts *o, const struct tt_probe *p, const struct tt_plan *plan)
{
	struct tt_priv_ctx c = { .o = o, .p = p, .plan = plan };

	return tt_priv_setup_caps(&c);
}

static void test_setup_caps(void)
{
	struct tt_opts o;
	struct tt_probe p = { 0 };

	tt_opts_init(&o, "connect");
	/* every mode and plan: exactly CAP_BPF and CAP_PERFMON */
	CHECK(setup(&o, &p, NULL) == (CAP(BPF) | CAP(PERFMON)));
	CHECK(setup(&o, &p, &fentry) == (CAP(BPF) | CAP(PERFMON)));
	CHECK(setup(&o, &p, &tp) == (CAP(BPF) | CAP(PERFMON)));
	o.cgroup = "/sys/fs/cgroup";
	o.count = true;
	p.exit_map = "connecting";
	CHECK(setup(&o, &p, &tp) == (CAP(BPF) | CAP(PERFMON)));
}

/* What applies to a run: the exit iterator's bpf(2) commands only with -O. */
static void test_applies(void)
{
	struct tt_opts o;
	struct tt_probe p = { 0 };
	struct tt_priv_ctx c = { .o = &o, .p = &p, .plan = &tp };
	struct tt_priv_entry e;
	uint64_t cmds = 0;
	bool on;
	int i;

	tt_opts_init(&o, "connect");
	for (i = 0; tt_priv_entry(i, &c, &e, &on); i++)
		if (on)
			cmds |= e.bpf_cmds;
	CHECK(cmds & (1ull << BPF_MAP_LOOKUP_ELEM));
	CHECK(!(cmds & (1ull << BPF_LINK_CREATE)));
	CHECK(!(cmds & (1ull << BPF_PROG_LOAD)));
	p.exit_map = "connecting";
	for (cmds = 0, i = 0; tt_priv_entry(i, &c, &e, &on); i++)
		if (on)
			cmds |= e.bpf_cmds;
	CHECK(cmds & (1ull << BPF_LINK_CREATE) && cmds & (1ull << BPF_ITER_CREATE));
	CHECK(!(cmds & (1ull << BPF_PROG_LOAD)) && !(cmds & (1ull << BPF_MAP_CREATE)));
}

static void test_names(void)
{
	char buf[128];

	CHECK_STR(tt_priv_names(CAP(BPF), buf, sizeof(buf)), "CAP_BPF");
	CHECK_STR(tt_priv_names(CAP(PERFMON) | CAP(BPF), buf, sizeof(buf)), "CAP_BPF and CAP_PERFMON");
	CHECK_STR(tt_priv_names(CAP(SYS_ADMIN) | CAP(BPF) | CAP(DAC_READ_SEARCH), buf, sizeof(buf)),
		  "CAP_BPF, CAP_DAC_READ_SEARCH and CAP_SYS_ADMIN");
	CHECK_STR(tt_priv_names(0, buf, sizeof(buf)), "");
}

/* The numbers the sys_exit twins match are the C library's. */
static void test_syscall_numbers(void)
{
	CHECK(TT_NR_CONNECT == __NR_connect);
	CHECK(TT_NR_ACCEPT == __NR_accept);
	CHECK(TT_NR_ACCEPT4 == __NR_accept4);
}

int main(void)
{
	test_syscall_names();
	test_setup_caps();
	test_applies();
	test_names();
	test_syscall_numbers();
	return tt_test_done("privs");
}
