// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one runner every mode uses: tt_run() is the list of a run's steps
 * (choose an attach plan, open the skeleton, configure its .rodata, load,
 * attach, poll the ring buffer in batches, drain, detach), each in a file
 * of its own (core/run/run.h); libbpf logging, the load and the sandbox here.
 */
#define _GNU_SOURCE /* memfd_create() */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "run/run.h"

static int verbose_level;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && verbose_level < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* -v: the phase of setup that ends now, and how long it took since the last. */
void run_phase(struct run *r, const char *name)
{
	uint64_t now = tt_now_ns();
	size_t n = r->phases_len;

	if (r->o->verbose && n < sizeof(r->phases))
		r->phases_len += (size_t)snprintf(r->phases + n, sizeof(r->phases) - n, "%s%s %.1f",
						  n ? ", " : "", name,
						  (double)(now - r->phase_ns) / 1e6);
	r->phase_ns = now;
}

static void teardown(struct run *r)
{
	int i;

	run_check_output(r); /* what an early failure had to say (warnings) */
	tt_sink_close(&r->sink, r->out);
	r->out = NULL;
	run_detach_all(r);
	for (i = 0; i < r->ntps; i++)
		if (r->tps[i].pfd >= 0)
			close(r->tps[i].pfd);
	r->ntps = 0;
	tt_enrich_detach(&r->enrich);
	ring_buffer__free(r->rb);
	r->rb = NULL;
	if (r->skel)
		r->p->destroy(r->skel);
	r->skel = NULL;
	if (r->cgroup_fd >= 0)
		close(r->cgroup_fd);
	tt_core_btf_release(&r->btf);
	r->vmlinux = NULL;
	tt_enrich_fini(&r->enrich);
	tt_counts_free(&r->counts);
	run_sessions_free(r);
}

/* Logging, --cgroup, signals and the output: what every later step reports through. */
static int begin(struct run *r)
{
	const struct tt_probe *p = r->p;
	struct tt_opts *o = r->o;

	r->priv = (struct tt_priv_ctx){ .o = o, .p = p, .perf_paranoid = tt_priv_perf_paranoid() };
	verbose_level = o->verbose;
	libbpf_set_print(o->verbose ? libbpf_print : quiet_print);
	if (run_open_cgroup(r))
		return TT_EXIT_USAGE;
	run_install_signals();
	tt_clock_init(&r->clock);
	r->out = tt_sink_open(&r->sink, STDOUT_FILENO, &run_stop_signals);
	if (!r->out) {
		tt_err("buffering the output", -errno);
		return TT_EXIT_FAIL;
	}
	r->w = (struct tt_writer){ .out = r->out, .fmt = o->fmt, .cols = p->cols, .ncols = p->ncols };
	r->phase_ns = tt_now_ns();
	return 0;
}

/* A hard RLIMIT_MEMLOCK: libbpf cannot lift it without CAP_SYS_RESOURCE. */
static bool memlock_finite(void)
{
	struct rlimit rl;

	return !getrlimit(RLIMIT_MEMLOCK, &rl) && rl.rlim_max != RLIM_INFINITY;
}

/*
 * The kernel's BTF (or --btf), parsed once (core/bpf/corebtf.c): the feature
 * probes read it, the mode's object is loaded against it.
 */
static int kernel_btf(struct run *r)
{
	const char *file = r->o->btf;
	int err = tt_core_btf_acquire(&r->btf, file);

	if (err) {
		if (file) {
			tt_errf("--btf %s: %s", file, run_btf_file_error(file, -err));
			return TT_EXIT_USAGE; /* a bad argument */
		}
		tt_errf("kernel BTF not found at /sys/kernel/btf/vmlinux (build the kernel "
			"with CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE)");
		return TT_EXIT_FAIL;
	}
	r->vmlinux = r->btf.vmlinux;
	r->priv.memlock = tt_kernel_charges_memlock(r->vmlinux) && memlock_finite();
	run_phase(r, "btf");
	return 0;
}

/*
 * A two-instruction tracepoint program proves the capabilities. Refused
 * while they are all held, it is the host's policy refusing that program
 * type: each program is tried before the load (core/bpf/roles.c), and the run
 * goes on with what the kernel takes.
 */
static int privilege(struct run *r)
{
	int err = tt_probe_privilege();

	if (err && ((err != -EPERM && err != -EACCES) || tt_priv_missing(&r->priv))) {
		tt_priv_err_run(&r->priv, "loading BPF programs", err);
		return TT_EXIT_FAIL;
	}
	if (err && r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: a tracepoint program is refused (%s) although the "
			"capabilities are held: each program is tried before the load\n", r->o->mode,
			tt_strerror(err));
	run_phase(r, "privilege");
	return 0;
}

static int plan(struct run *r)
{
	if (run_choose_plan(r, r->vmlinux, true))
		return TT_EXIT_FAIL;
	run_phase(r, "plan");
	return 0;
}

/* Enrichers set what the probes need (o->cfg) before the load. */
static int enrichers(struct run *r)
{
	if (tt_enrich_init(&r->enrich, r->o, r->p->events, &r->w, NULL, 0))
		return TT_EXIT_FAIL;
	r->user_count = r->o->count && tt_enrich_active(&r->enrich);
	tt_counts_init(&r->counts, r->p->count_cols, r->p->ncount_cols);
	run_phase(r, "enrichers");
	return 0;
}

/* life --open/--interval: what only setup may read (namespaces, fds). */
static int sessions(struct run *r)
{
	int err = run_sessions_setup(r);

	if (!err)
		run_phase(r, "sessions");
	return err;
}

static int sandbox(struct run *r)
{
	if (!r->o->no_sandbox && run_enter_sandbox(r))
		return TT_EXIT_FAIL;
	run_phase(r, "sandbox");
	return 0;
}

/* -v: the setup's phases and "attached"; the header, or -c's notice. */
static int attached(struct run *r)
{
	if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: setup in ms: %s\n" TT_PROG ": %s: attached\n",
			r->o->mode, r->phases, r->o->mode);
	if (!r->o->count) {
		tt_write_header(&r->w);
		run_check_output(r);
	} else if (r->o->fmt == TT_FMT_TABLE) {
		fprintf(stderr, "Tracing %s attempts... Ctrl-C to end.\n", r->o->mode);
	}
	run_sessions_walk(r, TT_AT_START);
	return 0;
}

/* A run, step by step (core/run/run.h says which file does what); one cleanup. */
int tt_run(const struct tt_probe *p, struct tt_opts *o)
{
	struct run r = { .p = p, .o = o, .cgroup_fd = -1, .probe_plan = tt_probe_plan };
	int ret;

	if ((ret = begin(&r)) || (ret = kernel_btf(&r)) || (ret = privilege(&r)) ||
	    (ret = plan(&r)) || (ret = enrichers(&r)) || (ret = run_load_and_attach(&r)) ||
	    (ret = sessions(&r)) || (ret = sandbox(&r)) || (ret = attached(&r)) || (ret = run_poll_loop(&r) ? TT_EXIT_FAIL : 0))
		goto out;
	ret = run_finish(&r);
out:
	teardown(&r);
	return ret;
}
