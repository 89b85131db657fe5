/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Least privilege (core/host/privs.c, table in core/host/privs.def): which
 * capabilities a run needs, the one-line privilege errors that name the
 * missing ones, and the drop after setup (capabilities, no_new_privs, a
 * seccomp filter of the steady state's system calls).
 */
#ifndef TCPTRACE_PRIVS_H
#define TCPTRACE_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mode.h"

/* What the `when` column of core/host/privs.def reads. */
struct tt_priv_ctx {
	const struct tt_opts *o;
	const struct tt_probe *p;
	const struct tt_plan *plan; /* NULL until one is chosen */
	bool tracepoints;	    /* classic tracepoints attached by id */
	bool exit_runs;		    /* the exit map read by p->exit_run, not an iterator */
	int perf_paranoid;	    /* kernel.perf_event_paranoid (tt_priv_perf_paranoid()) */
	bool memlock;		    /* BPF memory counts against a finite RLIMIT_MEMLOCK (< v5.11) */
};

/* kernel.perf_event_paranoid, read once at start; 2 (upstream's default) if unknown. */
int tt_priv_perf_paranoid(void);

/* A capability set: bit n is capability n (CAP_BPF is bit 39). */
typedef uint64_t tt_caps;
/* CAP_x as a tt_caps (<linux/capability.h>), BPF_x as a bpf_cmds bit (<linux/bpf.h>). */
#define TT_CAP(x) (1ull << CAP_##x)
#define TT_BPF(x) (1ull << BPF_##x)

/* The setup capabilities of the entries that apply to c. */
tt_caps tt_priv_setup_caps(const struct tt_priv_ctx *c);
/* Those of them the process lacks (CAP_SYS_ADMIN counting for CAP_BPF and CAP_PERFMON). */
tt_caps tt_priv_missing(const struct tt_priv_ctx *c);
/* The process's effective capabilities. */
tt_caps tt_priv_effective(void);
/*
 * "CAP_A and CAP_B" for the capabilities in caps, as this kernel knows them
 * (before v5.8 CAP_BPF and CAP_PERFMON were part of CAP_SYS_ADMIN): buf.
 */
const char *tt_priv_names(tt_caps caps, char *buf, size_t len);

/*
 * Reports a failure that may be a refused privilege: one line, with a hint
 * naming the capabilities in need that the process lacks, and never one it
 * has. For other errors, as tt_err().
 */
void tt_priv_err(const char *what, int err, tt_caps need);
/*
 * The same with what the entries of the table that apply to c need: the
 * hint adds the `because` of those whose capabilities are missing.
 */
void tt_priv_err_run(const struct tt_priv_ctx *c, const char *what, int err);

/*
 * After setup: keeps only what the rest of the run needs, sets
 * no_new_privs, installs the seccomp filter. probe(arg) does what the rest
 * of the run will do with the kernel (0, or -errno): the keep_if_refused
 * capabilities are dropped if it works without them. 0, or -1 after one
 * line on stderr.
 */
int tt_priv_drop(const struct tt_priv_ctx *c, int (*probe)(void *arg), void *arg);

/*
 * The table, for tests and -v: entry i's fields, false past the end.
 */
struct tt_priv_entry {
	const char *what;
	tt_caps setup, keep, keep_if_refused;
	const char *syscalls;
	uint64_t bpf_cmds;
	const char *because;
};
bool tt_priv_entry(int i, const struct tt_priv_ctx *c, struct tt_priv_entry *e, bool *applies);

#endif
