// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The mode's object opened, configured, loaded and attached (and the
 * enrichers' after it); then the sandbox: what the rest of the run needs is
 * tried once, and only that is kept (core/host/privs.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "run/run.h"

/* Open, configure, load and attach the mode's object, then the enrichers' own. */
int run_load_and_attach(struct run *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	int err;

	open_opts.btf_custom_path = r->btf.path;
	r->skel = r->p->open(&open_opts);
	run_phase(r, "open");
	if (!r->skel) {
		tt_err("opening BPF object", -errno);
		return TT_EXIT_FAIL;
	}
	if (run_configure(r) || run_apply_roles(r))
		return TT_EXIT_FAIL;
	/* the plan chosen, once the kernel's refusals may have changed it */
	if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: attaching via %s: %s\n", r->o->mode,
			tt_attach_name(r->plan->method), r->plan->what);
	run_phase(r, "roles");
	if (r->p->exit_run) {
		struct bpf_program *run = bpf_object__find_program_by_name(r->skel->obj,
									   r->p->exit_run);

		r->priv.exit_runs = run && bpf_program__autoload(run);
	}
	if (run_write_core_btf(r))
		return TT_EXIT_FAIL;
	run_phase(r, "core-btf");
	if (run_resolve_tracepoints(r))
		return TT_EXIT_FAIL;
	run_phase(r, "tracepoints");
	err = bpf_object__load(r->skel->obj);
	/* libbpf took the kernel's BTF for attach targets (and freed it), or
	 * needed none: either way it is not needed any more. */
	tt_core_btf_release(&r->btf);
	r->vmlinux = NULL;
	run_phase(r, "load");
	if (err == -EACCES) {
		/* Privilege was probed before: this is the verifier's answer. */
		tt_errf("%s: loading BPF programs: the kernel's verifier rejected them (%s; -v "
			"shows its log)", r->o->mode, tt_strerror(err));
		return TT_EXIT_FAIL;
	}
	if (err) {
		tt_priv_err_run(&r->priv, "loading BPF programs", err);
		return TT_EXIT_FAIL;
	}
	if (r->cgroup_fd >= 0) {
		struct bpf_map *cg = bpf_object__find_map_by_name(r->skel->obj, "cgroup_map");
		uint32_t zero = 0;

		if (bpf_map_update_elem(bpf_map__fd(cg), &zero, &r->cgroup_fd, BPF_ANY)) {
			tt_priv_err_run(&r->priv, "setting the cgroup filter", -errno);
			return TT_EXIT_FAIL;
		}
	}
	if (run_attach_all(r))
		return TT_EXIT_FAIL;
	run_phase(r, "attach");
	if (tt_enrich_attach(&r->enrich, r->skel->obj,
			     bpf_map__fd(bpf_object__find_map_by_name(r->skel->obj, "events"))))
		return TT_EXIT_FAIL;
	run_phase(r, "enrichers' objects");
	/* Kernel count mode reads only the "counts" map, at exit. */
	if (!r->o->cfg.count_mode) {
		struct bpf_map *events = bpf_object__find_map_by_name(r->skel->obj, "events");

		r->rb = ring_buffer__new(bpf_map__fd(events), run_on_event, r, NULL);
		if (!r->rb) {
			tt_err("creating the ring buffer", -errno);
			return TT_EXIT_FAIL;
		}
	}
	return 0;
}

/*
 * What the rest of the run asks of the kernel, tried once after setup
 * (core/host/privs.c drops the capabilities it does without): the lost counter,
 * a program's info, the counts and the exit iterator where they are used.
 */
static int steady_probe(void *arg)
{
	struct run *r = arg;
	struct bpf_map *lost = bpf_object__find_map_by_name(r->skel->obj, "lost");
	struct bpf_map *counts = bpf_object__find_map_by_name(r->skel->obj, "counts");
	int ncpu = libbpf_num_possible_cpus();
	struct tt_count_key key;
	struct bpf_program *prog;
	uint64_t *vals;
	uint32_t zero = 0;
	int err = 0;

	vals = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*vals));
	if (lost && vals && bpf_map_lookup_elem(bpf_map__fd(lost), &zero, vals))
		err = -errno;
	free(vals);
	if (!err && r->o->count && counts &&
	    bpf_map_get_next_key(bpf_map__fd(counts), NULL, &key) && errno != ENOENT)
		err = -errno;
	bpf_object__for_each_program(prog, r->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (err || !bpf_program__autoload(prog))
			continue;
		if (run_is_exit_prog(r, prog)) {
			err = run_try_exit_prog(r, prog);
			continue;
		}
		if (run_is_open_run(r, prog)) {
			err = run_try_open_run(r, prog);
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_program__fd(prog) >= 0 && bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			err = -errno;
	}
	return err;
}

/* After setup: only what the rest of the run needs (core/host/privs.def). */
int run_enter_sandbox(struct run *r)
{
	/* read once, here: the filter has no open(2) (CPUs from sysfs, the
	 * time zone for -T) */
	libbpf_num_possible_cpus();
	tzset();
	return tt_priv_drop(&r->priv, steady_probe, r);
}
