// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/host/privs.def and core/host/privs.c: the privilege table and its names. */
#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "host/privs.h"
#include "render.h"
#include "tcptrace/sysnr.h"

#define CAP(x) (1ull << CAP_##x)

static const struct tt_plan fentry = { TT_ATTACH_FENTRY };
static const struct tt_plan kprobe = { TT_ATTACH_KPROBE };
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
	struct tt_priv_ctx c = { .o = o, .p = p, .plan = plan, .perf_paranoid = 2 };

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

/* Debian's kernel.perf_event_paranoid=3: kprobes need CAP_SYS_ADMIN, nothing else does. */
static void test_perf_paranoid(void)
{
	struct tt_opts o;
	struct tt_probe p = { 0 };
	struct tt_priv_ctx c = { .o = &o, .p = &p, .plan = &kprobe, .perf_paranoid = 3 };

	tt_opts_init(&o, "connect");
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON) | CAP(SYS_ADMIN)));
	c.plan = &fentry;
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
	c.plan = &tp;
	c.tracepoints = true;
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
	c.plan = &kprobe;
	c.perf_paranoid = 2;
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
}

/* Runs fn with only caps effective (the permitted set stays); its stderr, or NULL. */
static char *stderr_with(tt_caps caps, void (*fn)(void *), void *arg)
{
	static char buf[512];
	cap_t saved = cap_get_proc(), now = cap_get_proc();
	FILE *tmp = tmpfile();
	int fd = tmp ? fileno(tmp) : -1, err = dup(2), cap;
	char *ret = NULL;
	ssize_t n;

	if (!saved || !now || fd < 0 || err < 0 || cap_clear_flag(now, CAP_EFFECTIVE))
		goto out;
	for (cap = 0; cap < 64; cap++) {
		cap_value_t v = cap;

		if (caps & (1ull << cap))
			cap_set_flag(now, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	if (cap_set_proc(now))
		goto out; /* not permitted: not root, or not in the bounding set */
	fflush(stderr);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(err, 2);
	cap_set_proc(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	ret = buf;
out:
	cap_free(saved);
	cap_free(now);
	if (tmp)
		fclose(tmp);
	if (err >= 0)
		close(err);
	return ret;
}

static void kprobe_refused(void *c)
{
	tt_priv_err_run(c, "--attach=kprobe", -EACCES);
}

static void load_refused(void *c)
{
	tt_priv_err_run(c, "loading BPF programs", -EPERM);
}

static void print_missing(void *c)
{
	fprintf(stderr, "%llx", (unsigned long long)tt_priv_missing(c));
}

/* A privilege error names what is missing (and the sysctl behind it), never what is held. */
static void test_errors(void)
{
	struct tt_opts o;
	struct tt_probe p = { 0 };
	struct tt_priv_ctx c = { .o = &o, .p = &p, .plan = &kprobe, .perf_paranoid = 3 };
	const char *got;

	tt_opts_init(&o, "connect");
	got = stderr_with(CAP(BPF) | CAP(PERFMON), kprobe_refused, &c);
	if (!got) {
		fprintf(stderr, "privs: not root: the privilege errors are not checked\n");
		return;
	}
	CHECK_STR(got, "tcptrace: --attach=kprobe: Permission denied (needs CAP_SYS_ADMIN while "
		       "kernel.perf_event_paranoid is above 2, or that sysctl at 2: run as root, or "
		       "grant it)\n");
	got = stderr_with(CAP(PERFMON), kprobe_refused, &c);
	CHECK_STR(got ? got : "", "tcptrace: --attach=kprobe: Permission denied (needs CAP_BPF and "
				  "CAP_SYS_ADMIN while kernel.perf_event_paranoid is above 2, or "
				  "that sysctl at 2: run as root, or grant them)\n");
	c.perf_paranoid = 2;
	got = stderr_with(CAP(BPF), kprobe_refused, &c);
	CHECK_STR(got ? got : "", "tcptrace: --attach=kprobe: Permission denied (needs CAP_PERFMON: "
				  "run as root, or grant it)\n");
	/* what follows names the host's lockdown and LSMs where securityfs is readable */
	static const char held[] = "tcptrace: --attach=kprobe: Permission denied (refused although "
				   "the capabilities it needs are held: ";
	got = stderr_with(CAP(BPF) | CAP(PERFMON), kprobe_refused, &c);
	CHECK(got && !strncmp(got, held, strlen(held)) && strchr(got, '\n') == got + strlen(got) - 1);

	/* what is missing decides whether a refusal is the host's policy (runner.c) */
	c.plan = NULL;
	got = stderr_with(CAP(BPF) | CAP(PERFMON), print_missing, &c);
	CHECK_STR(got ? got : "", "0");
	got = stderr_with(CAP(SYS_ADMIN), print_missing, &c);
	CHECK_STR(got ? got : "", "0");
	got = stderr_with(CAP(BPF), print_missing, &c);
	CHECK(got && strtoull(got, NULL, 16) == CAP(PERFMON));
	got = stderr_with(0, print_missing, &c);
	CHECK(got && strtoull(got, NULL, 16) == (CAP(BPF) | CAP(PERFMON)));

	/* before 5.11 with a finite RLIMIT_MEMLOCK: CAP_SYS_RESOURCE too, and why */
	c.memlock = true;
	got = stderr_with(CAP(BPF) | CAP(PERFMON), print_missing, &c);
	CHECK(got && strtoull(got, NULL, 16) == CAP(SYS_RESOURCE));
	/* NULL where the process may not hold CAP_SYS_RESOURCE (a bounding set without it) */
	got = stderr_with(CAP(BPF) | CAP(PERFMON) | CAP(SYS_RESOURCE), print_missing, &c);
	if (got)
		CHECK_STR(got, "0");
	got = stderr_with(CAP(BPF) | CAP(PERFMON), load_refused, &c);
	CHECK_STR(got ? got : "", "tcptrace: loading BPF programs: Operation not permitted (needs "
				  "CAP_SYS_RESOURCE before Linux 5.11, where BPF memory counts "
				  "against RLIMIT_MEMLOCK, or ulimit -l unlimited: run as root, or "
				  "grant it)\n");
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

/* The union of what applies to c: kept capabilities, and whether call is allowed. */
static tt_caps kept(const struct tt_priv_ctx *c, const char *call, bool *allowed)
{
	struct tt_priv_entry e;
	tt_caps keep = 0;
	char name[64];
	int i, len;
	bool on;

	*allowed = false;
	for (i = 0; tt_priv_entry(i, c, &e, &on); i++) {
		const char *p = e.syscalls;

		if (!on)
			continue;
		keep |= e.keep;
		while (sscanf(p, " %63s%n", name, &len) == 1) {
			p += len;
			*allowed |= !strcmp(name, call);
		}
	}
	return keep;
}

/*
 * --containers: nothing more to set up (a missing CAP_DAC_READ_SEARCH only
 * degrades it); CAP_DAC_READ_SEARCH kept for open_by_handle_at(2), which
 * with the files' calls is allowed only with the option.
 */
static void test_containers(void)
{
	static const char *const calls[] = { "open_by_handle_at", "readlink", "openat2", "openat",
					     "getdents64", "getrandom" };
	struct tt_opts o;
	struct tt_probe p = { .events = TT_EVBIT(TT_EV_CONNECT) };
	struct tt_priv_ctx c = { .o = &o, .p = &p, .plan = &tp };
	bool allowed;
	size_t i;

	tt_opts_init(&o, "connect");
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		CHECK(kept(&c, calls[i], &allowed) == 0);
		CHECK(!allowed);
	}
	enrich_opt(&o, p.events, "--containers");
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		CHECK(kept(&c, calls[i], &allowed) == CAP(DAC_READ_SEARCH));
		CHECK(allowed);
	}
}

/* -d: its cgroup programs need CAP_NET_ADMIN during setup, nothing after; connect and life only. */
static void test_dns(void)
{
	struct tt_opts o;
	struct tt_probe p = { .events = TT_EVBIT(TT_EV_CLOSE) };
	struct tt_priv_ctx c = { .o = &o, .p = &p, .plan = &tp };
	bool allowed;

	tt_opts_init(&o, "life");
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
	enrich_opt(&o, p.events, "-d");
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON) | CAP(NET_ADMIN)));
	CHECK(kept(&c, "read", &allowed) == 0 && allowed);
	p.events = TT_EVBIT(TT_EV_ACCEPT); /* a mode it does not add to */
	CHECK(tt_priv_setup_caps(&c) == (CAP(BPF) | CAP(PERFMON)));
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
	test_perf_paranoid();
	test_errors();
	test_applies();
	test_containers();
	test_dns();
	test_names();
	test_syscall_numbers();
	return tt_test_done("privs");
}
