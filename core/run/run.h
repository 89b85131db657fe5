/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The runner's own header (core/run/: runner.c and the files below): the state of one
 * run, and the stages tt_run() goes through, one file each:
 *   plan.c     the attach plan, the .rodata, the programs' roles
 *   load.c     open, configure, load and attach; the sandbox after
 *   corebtf.c  the object's CO-RE BTF (core/bpf/corebtf.c), the ids it yields
 *   attach.c   classic tracepoints (ids, sys_exit twins), attaching, detaching
 *   loop.c     signals, the poll loop, one event to its writer or count
 *   exit.c     the records read at exit (an iterator, or program runs)
 *   sessions*.c life --open/--interval: the sessions open at start, each interval, exit (sessions.h)
 *   finish.c   lost and missed events, -c's rows
 */
#ifndef TCPTRACE_RUN_H
#define TCPTRACE_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/corebtf.h"
#include "enrich/enrich.h"
#include "host/privs.h"
#include "mode.h"
#include "out/count.h"
#include "out/output.h"
#include "out/sink.h"

struct bpf_link;
struct bpf_program;
struct ring_buffer;

#define POLL_MS 50		    /* bounds the delivery delay of an event */
#define LOST_CHECK_NS 1000000000ull /* how often the lost counter is read */
#define MAX_PROGS 16

struct run {
	const struct tt_probe *p;
	struct tt_opts *o;
	struct tt_priv_ctx priv; /* what the privilege table reads */
	struct tt_skel *skel;
	const struct tt_plan *plan;
	int next_plan; /* where run_choose_plan() goes on from */
	unsigned prog_mask; /* bit i: plan->progs[i] is loaded on this kernel */
	/* the plans' feature probe: tt_probe_plan() (a unit test's stand-in) */
	int (*probe_plan)(const struct btf *vmlinux, const struct tt_plan *plan);
	struct bpf_link *links[MAX_PROGS];
	int nlinks;
	struct ring_buffer *rb;
	struct tt_writer w;
	struct tt_sink sink; /* stdout in whole lines: w.out writes into it */
	FILE *out;
	struct tt_clock clock;
	int cgroup_fd;
	struct tt_core_btf btf;	/* what the mode's object needs of the kernel's BTF */
	struct btf *vmlinux;	/* btf.vmlinux: the parsed kernel BTF, until the load */
	/* classic tracepoints of the loaded programs and their ids */
	struct {
		const char *tp;
		int id;
		int pfd; /* check_perf_event()'s perf event, for attach_tracepoint(); or -1 */
	} tps[MAX_PROGS];
	int ntps;
	bool out_closed; /* stdout went away: stop quietly */
	bool out_failed; /* a real write error */
	int out_errno;
	uint64_t lost_reported;
	struct tt_enrich_stage enrich;
	/* -v: the milliseconds of each setup phase, said at "attached" */
	uint64_t phase_ns;
	char phases[320];
	size_t phases_len;
	/* -c: rows collected at exit (kernel counts) or from each event (user_count) */
	struct tt_counts counts;
	bool user_count; /* -c with enrichment: events stream and are counted here */
	struct run_sessions *sessions; /* life --open/--interval (sessions.c); NULL: off */
};

/* The last stop signal, and how many came (core/out/sink.c gives up at two). */
extern volatile sig_atomic_t run_stop_signal, run_stop_signals;

/* runner.c: -v, the milliseconds of the setup phase that ends now. */
void run_phase(struct run *r, const char *name);

/* load.c: 0, or TT_EXIT_FAIL (said). */
int run_load_and_attach(struct run *r);
int run_enter_sandbox(struct run *r);

/* plan.c */
void *run_rodata_var(struct bpf_object *obj, const char *name, size_t size);
/*
 * The first plan from r->next_plan on that the kernel takes; with report,
 * a failure is said (one line). 0 or -1.
 */
int run_choose_plan(struct run *r, const struct btf *vmlinux, bool report);
/* --cgroup: the directory, opened. 0, or TT_EXIT_USAGE (said) for one that is not cgroup v2. */
int run_open_cgroup(struct run *r);
int run_configure(struct run *r);
int run_apply_roles(struct run *r);

/* corebtf.c */
const char *run_core_btf_path(struct run *r);
int run_write_core_btf(struct run *r);
/* Why --btf FILE could not be parsed (btf__parse()'s errno), in words. */
const char *run_btf_file_error(const char *path, int err);

/* attach.c */
int run_resolve_tracepoints(struct run *r);
int run_attach_all(struct run *r);
void run_detach_all(struct run *r);

/* loop.c */
void run_install_signals(void);
void run_check_output(struct run *r);
void run_handle_event(struct run *r, const struct tt_event *e);
int run_on_event(void *ctx, void *data, size_t size);
int run_poll_loop(struct run *r);

/* exit.c */
bool run_is_exit_prog(const struct run *r, const struct bpf_program *prog);
int run_read_exit_events(struct run *r, void (*fn)(struct run *r, const struct tt_event *e));
int run_try_exit_prog(struct run *r, struct bpf_program *prog);

/* sessions.c: life --open/--interval */
struct run_sessions;
/* Setup (privileged): the namespaces' sock_diag sockets, the sessions open now. */
int run_sessions_setup(struct run *r);
/* p->open_run or p->open_walk: run by user space, never attached. */
bool run_is_open_name(const struct run *r, const char *prog);
bool run_is_open_run(const struct run *r, const struct bpf_program *prog);
/* The program of that name if it is loaded, else NULL. */
struct bpf_program *run_open_prog(const struct run *r, const char *name);
/* p->open_run tried once, for no socket: 0 or -errno. */
int run_try_open_run(struct run *r, struct bpf_program *prog);
/* One walk: every open session's record (enum tt_open_at). */
int run_sessions_walk(struct run *r, uint8_t at);
/* The poll loop's clock: a walk when an interval is over. */
void run_sessions_tick(struct run *r, uint64_t now);
/* An open or close event: its owner and deltas (before enrichment). */
void run_sessions_event(struct run *r, struct tt_event *e, struct tt_src *src);
void run_sessions_free(struct run *r);

/* finish.c */
uint64_t run_read_lost(struct run *r);
void run_report_lost(struct run *r);
/*
 * Skips to report: the sum of misses[i] of the programs that are not a
 * nested twin (names[i] ending in _nested), less what those recovered.
 */
uint64_t run_missed(const char *const *names, const uint64_t *misses, int n, uint64_t recovered);
/* A nested twin: named <outer>_nested (probes/nested.bpf.h). */
bool run_is_nested(const char *name);
uint64_t run_read_missed(struct run *r);
void run_exit_event(struct run *r, const struct tt_event *e);
int run_print_counts(struct run *r);
/* Detach, drain, exit records, lost/missed, counts: the exit status. */
int run_finish(struct run *r);

#endif /* TCPTRACE_RUN_H */
