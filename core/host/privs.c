// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Least privilege, from the table in core/host/privs.def: the capabilities a run
 * needs (named in privilege errors: only those the process lacks), and the
 * drop once everything is attached:
 *  - capabilities: only the table's `keep` ones, and its `keep_if_refused`
 *    ones where the kernel refuses the rest of the run without them (before
 *    v5.19 it refuses any bpf(2) command without CAP_BPF while
 *    kernel.unprivileged_bpf_disabled is set; since then only map
 *    creation and program loads, commit c8644cd0efe7: a map is read
 *    through its descriptor; measured: Debian 12's 6.1 keeps nothing);
 *    the bounding, inheritable and ambient sets emptied likewise;
 *  - no_new_privs;
 *  - a seccomp filter allowing only the table's system calls (bpf(2) with
 *    its commands only). Any other call raises SIGSYS (SECCOMP_RET_TRAP,
 *    not RET_KILL_PROCESS, which would end the run without a word): the
 *    handler writes one line naming the call and exits 1. Everything the
 *    run attached is held by file descriptors, so the exit detaches it.
 * libcap and libseccomp do the work (both linked statically).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bpf/roles.h"
#include "host/privs.h"

#define MAX_SYSNR 1024
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a SIGSYS from seccomp (asm-generic/siginfo.h) */
#endif

bool tt_priv_entry(int i, const struct tt_priv_ctx *c, struct tt_priv_entry *e, bool *applies)
{
	const struct tt_enricher *const *enrichers;
	int n = 0, k, j, nenrichers;

#define TT_PRIV(what_, when_, setup_, keep_, kir_, calls_, cmds_, because_)             \
	if (n++ == i) {                                                                 \
		*e = (struct tt_priv_entry){ what_, setup_, keep_, kir_,                  \
					     calls_, cmds_, because_ };                   \
		*applies = c && (when_);                                                \
		return true;                                                            \
	}
#include "privs.def"
#undef TT_PRIV
	/* then each enricher's own, applying when the run enables it */
	enrichers = tt_enrichers(&nenrichers);
	for (k = 0; k < nenrichers; k++)
		for (j = 0; j < enrichers[k]->nprivs; j++)
			if (n++ == i) {
				*e = enrichers[k]->privs[j];
				*applies = c && (enrichers[k]->events & c->p->events) &&
					   tt_enrich_enabled(c->o, enrichers[k]);
				return true;
			}
	return false;
}

#define BPF_CAPS (TT_CAP(BPF) | TT_CAP(PERFMON))

/*
 * Capabilities this kernel does not know are part of CAP_SYS_ADMIN (v5.8),
 * which still grants CAP_BPF's and CAP_PERFMON's rights.
 */
static tt_caps held(tt_caps eff)
{
	return eff & TT_CAP(SYS_ADMIN) ? eff | BPF_CAPS : eff;
}

/* What is held of caps as the process holds it: CAP_SYS_ADMIN for the BPF ones. */
static tt_caps held_as(tt_caps caps, tt_caps eff)
{
	if ((caps & BPF_CAPS) && (eff & TT_CAP(SYS_ADMIN)) && (caps & BPF_CAPS & ~eff))
		caps = (caps & ~BPF_CAPS) | TT_CAP(SYS_ADMIN);
	return caps & eff;
}

static tt_caps as_known(tt_caps caps)
{
	tt_caps out = 0;
	int cap;

	for (cap = 0; cap < 64; cap++) {
		if (!(caps & (1ull << cap)))
			continue;
		out |= CAP_IS_SUPPORTED(cap) ? 1ull << cap : TT_CAP(SYS_ADMIN);
	}
	return out;
}

tt_caps tt_priv_setup_caps(const struct tt_priv_ctx *c)
{
	struct tt_priv_entry e;
	tt_caps caps = 0;
	bool on;
	int i;

	for (i = 0; tt_priv_entry(i, c, &e, &on); i++)
		if (on)
			caps |= e.setup;
	return as_known(caps);
}

static tt_caps caps_of(cap_t caps, cap_flag_t flag)
{
	cap_flag_value_t v;
	tt_caps out = 0;
	int cap;

	for (cap = 0; cap < 64 && caps; cap++)
		if (CAP_IS_SUPPORTED(cap) && !cap_get_flag(caps, cap, flag, &v) && v == CAP_SET)
			out |= 1ull << cap;
	return out;
}

tt_caps tt_priv_effective(void)
{
	cap_t caps = cap_get_proc();
	tt_caps eff = caps_of(caps, CAP_EFFECTIVE);

	cap_free(caps);
	return eff;
}

const char *tt_priv_names(tt_caps caps, char *buf, size_t len)
{
	size_t used = 0;
	int i, cap, n = 0, total = __builtin_popcountll(caps);

	buf[0] = '\0';
	/* CAP_BPF and CAP_PERFMON first: the ones every run needs */
	for (i = 0; i < 64; i++) {
		char *name, *p;

		cap = i < 2 ? CAP_BPF - i : i - 2 + (i - 2 >= CAP_PERFMON) * 2;
		if (!(caps & (1ull << cap)))
			continue;
		name = cap_to_name(cap);
		for (p = name; p && *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		n++;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 n == 1 ? "" : n == total ? " and " : ", ",
					 name ? name : "?");
		cap_free(name);
	}
	return buf;
}

int tt_priv_perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int level = 2;

	if (f && fscanf(f, "%d", &level) != 1)
		level = 2;
	if (f)
		fclose(f);
	return level;
}

/*
 * Refused while every capability it needs is held: the host's policy (a
 * lockdown mode, an LSM such as the BPF LSM with a policy, seccomp), with
 * what securityfs tells of the first two where it can be read.
 */
static void refused_err(const char *what, int err)
{
	char sec[192];

	tt_security_read(sec, sizeof(sec));
	if (sec[0])
		tt_errf("%s: %s (refused although the capabilities it needs are held: a security "
			"policy refuses it: %s)", what, strerror(err), sec);
	else
		tt_errf("%s: %s (refused although the capabilities it needs are held: kernel "
			"lockdown, an LSM or a seccomp policy?)", what, strerror(err));
}

/* The hint of a refused privilege; c: the table's entries say why. */
static void priv_err(const struct tt_priv_ctx *c, const char *what, int err, tt_caps need)
{
	char names[160], because[160] = "";
	struct tt_priv_entry e;
	tt_caps missing;
	size_t used = 0;
	bool on;
	int i;

	if (err < 0)
		err = -err;
	if (err != EPERM && err != EACCES) {
		tt_err(what, err);
		return;
	}
	need = as_known(need);
	missing = need & ~held(tt_priv_effective());
	for (i = 0; c && tt_priv_entry(i, c, &e, &on); i++)
		if (on && e.because && (as_known(e.setup) & missing) && used < sizeof(because))
			used += (size_t)snprintf(because + used, sizeof(because) - used, " %s",
						 e.because);
	if (missing)
		tt_errf("%s: %s (needs %s%s: run as root, or grant %s)", what, strerror(err),
			tt_priv_names(missing, names, sizeof(names)), because,
			__builtin_popcountll(missing) > 1 ? "them" : "it");
	else
		refused_err(what, err);
}

void tt_priv_err(const char *what, int err, tt_caps need)
{
	priv_err(NULL, what, err, need);
}

void tt_priv_err_run(const struct tt_priv_ctx *c, const char *what, int err)
{
	priv_err(c, what, err, tt_priv_setup_caps(c));
}

tt_caps tt_priv_missing(const struct tt_priv_ctx *c)
{
	return as_known(tt_priv_setup_caps(c)) & ~held(tt_priv_effective());
}

/* Sets the effective and permitted sets; inheritable is emptied. */
static int set_caps(tt_caps eff, tt_caps perm)
{
	cap_t caps = cap_init();
	int cap, err = 0;

	for (cap = 0; cap < 64 && caps; cap++) {
		cap_value_t v = cap;

		if (perm & (1ull << cap))
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (eff & perm & (1ull << cap))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	if (!caps || cap_set_proc(caps))
		err = -errno;
	cap_free(caps);
	return err;
}

static bool refused(int err)
{
	return err == -EPERM || err == -EACCES;
}

/* The names of the system calls, for the SIGSYS handler (which may not allocate). */
static char *sys_names[MAX_SYSNR];

static size_t put(char *buf, size_t at, size_t len, const char *s)
{
	while (*s && at + 1 < len)
		buf[at++] = *s++;
	return at;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[256], num[16];
	int nr = si->si_syscall, i = (int)sizeof(num) - 1;
	unsigned v = nr < 0 ? 0u : (unsigned)nr;
	size_t at = 0;

	(void)sig, (void)uc;
	if (si->si_code != SYS_SECCOMP) {
		/* kill -SYS from outside: not a refused call */
		nr = -1;
		v = 0;
	}
	num[i] = '\0';
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i > 0);
	at = put(line, at, sizeof(line), TT_PROG ": ");
	if (nr >= 0)
		at = put(line, at, sizeof(line), "system call ");
	if (nr >= 0 && nr < MAX_SYSNR && sys_names[nr]) {
		at = put(line, at, sizeof(line), sys_names[nr]);
		at = put(line, at, sizeof(line), " (");
		at = put(line, at, sizeof(line), num + i);
		at = put(line, at, sizeof(line), ")");
	} else if (nr >= 0) {
		at = put(line, at, sizeof(line), num + i);
	} else {
		at = put(line, at, sizeof(line), "SIGSYS received: exiting\n");
		if (write(STDERR_FILENO, line, at) < 0)
			_exit(TT_EXIT_FAIL);
		_exit(TT_EXIT_FAIL);
	}
	at = put(line, at, sizeof(line),
		 " is not allowed after setup: stopped by the seccomp filter (a bug: "
		 "--no-sandbox runs without it)\n");
	if (write(STDERR_FILENO, line, at) < 0)
		_exit(TT_EXIT_FAIL);
	_exit(TT_EXIT_FAIL);
}

static int add_calls(scmp_filter_ctx ctx, const char *list, int *n)
{
	char name[64];
	const char *p = list;
	int len, nr, err;

	while (sscanf(p, " %63s%n", name, &len) == 1) {
		p += len;
		nr = seccomp_syscall_resolve_name(name);
		/* bpf(2) is allowed per command; unknown or absent here: skipped */
		if (!strcmp(name, "bpf") || nr == __NR_SCMP_ERROR || nr < 0)
			continue;
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (err && err != -EEXIST)
			return err;
		(*n)++;
	}
	return 0;
}

/*
 * A build with sanitizers (-DTCPTRACE_SANITIZE=ON, for tests only) installs
 * no filter: its runtime makes calls the tracer never does (its allocator's
 * gettid, the leak check's ptrace()ing clone at exit), and refusing them
 * would hide the very report the build is for, or hang the leak check.
 * Capabilities and no_new_privs are dropped as in any build.
 */
#if defined(__SANITIZE_ADDRESS__)
#define TT_SECCOMP 0
#else
#define TT_SECCOMP 1
#endif

static int install_filter(const struct tt_priv_ctx *c, int *ncalls)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct tt_priv_entry e;
	uint64_t cmds = 0;
	scmp_filter_ctx ctx;
	int i, err = 0;
	bool on;

	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	*ncalls = 0;
	for (i = 0; !err && tt_priv_entry(i, c, &e, &on); i++) {
		if (!on)
			continue;
		err = add_calls(ctx, e.syscalls, ncalls);
		cmds |= e.bpf_cmds;
	}
	for (i = 0; !err && i < 64; i++)
		if (cmds & (1ull << i))
			err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bpf), 1,
					       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)i));
	if (cmds)
		(*ncalls)++;
	for (i = 0; !err && i < MAX_SYSNR; i++)
		if (!sys_names[i])
			sys_names[i] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
	sigemptyset(&sa.sa_mask);
	if (!err && sigaction(SIGSYS, &sa, NULL))
		err = -errno;
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

int tt_priv_drop(const struct tt_priv_ctx *c, int (*probe)(void *arg), void *arg)
{
	tt_caps have = tt_priv_effective(), keep = 0, kir = 0;
	struct tt_priv_entry e;
	char names[160];
	int i, err, ncalls;
	bool on;

	for (i = 0; tt_priv_entry(i, c, &e, &on); i++)
		if (on) {
			keep |= e.keep;
			kir |= e.keep_if_refused;
		}
	keep = held_as(as_known(keep), have);
	kir = held_as(as_known(kir), have) & ~keep;
	/* Try the rest of the run without kir; nothing is lost yet (permitted stays). */
	if (kir && probe) {
		err = set_caps(keep, have);
		if (!err && refused(probe(arg)))
			keep |= kir;
	}
	/* The bounding set needs CAP_SETPCAP, which root has: best effort. */
	if (have & TT_CAP(SETPCAP)) {
		set_caps(have, have);
		for (i = 0; i < 64; i++)
			if (CAP_IS_SUPPORTED(i) && !(keep & (1ull << i)))
				cap_drop_bound((cap_value_t)i);
	}
	err = set_caps(keep, keep);
	if (!err)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err) {
		tt_err("dropping privileges after setup", err);
		return -1;
	}
	ncalls = 0;
	err = TT_SECCOMP ? install_filter(c, &ncalls) : 0;
	if (err) {
		tt_err("installing the seccomp filter", err);
		return -1;
	}
	if (c->o->verbose && TT_SECCOMP)
		fprintf(stderr, TT_PROG ": %s: after setup: capabilities %s, seccomp filter of %d "
			"system calls\n", c->o->mode, keep ? tt_priv_names(keep, names, sizeof(names))
							   : "none", ncalls);
	else if (c->o->verbose)
		fprintf(stderr, TT_PROG ": %s: after setup: capabilities %s, no seccomp filter "
			"(a sanitizer build)\n", c->o->mode,
			keep ? tt_priv_names(keep, names, sizeof(names)) : "none");
	return 0;
}
