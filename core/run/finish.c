// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The end of a run: events lost (ring buffer full) and missed (programs
 * the kernel skipped), and -c's rows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "run/run.h"

static uint64_t percpu_sum(struct run *r, const char *name)
{
	return tt_map_percpu_sum(bpf_object__find_map_by_name(r->skel->obj, name));
}

uint64_t run_read_lost(struct run *r)
{
	return percpu_sum(r, "lost");
}

void run_report_lost(struct run *r)
{
	uint64_t lost = run_read_lost(r);

	if (lost > r->lost_reported) {
		tt_write_lost(&r->w, lost - r->lost_reported);
		r->lost_reported = lost;
	}
}

#define NESTED_SUFFIX "_nested"
#define MAX_OBJ_PROGS 64

bool run_is_nested(const char *name)
{
	size_t n = strlen(name), k = strlen(NESTED_SUFFIX);

	return n > k && !strcmp(name + n - k, NESTED_SUFFIX);
}

/*
 * Runs of the tracer's programs that the kernel skipped because a BPF
 * program was already running on that CPU: bpf_prog_info.recursion_misses.
 * The kernel counts them for fentry/fexit since v5.12 and for tp_btf and
 * raw_tp since v6.1 (both per program), for kprobes and classic tracepoints
 * (which it skips while any kprobe or tracepoint program runs on the CPU)
 * only since v6.7; before that those skips are invisible.
 *
 * A program named <prog>_nested is a second program on <prog>'s hook that
 * handles what the kernel skipped <prog> for (life.bpf.c), counting them in
 * the per-CPU map "recovered": those skips are not losses. Its own skips are
 * not counted: either <prog> ran for that hit, or <prog> was skipped too and
 * the hit is counted there, not recovered. With -v each program's count is
 * printed.
 */
uint64_t run_missed(const char *const *names, const uint64_t *misses, int n, uint64_t recovered)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!run_is_nested(names[i]))
			sum += misses[i];
	return sum > recovered ? sum - recovered : 0;
}

uint64_t run_read_missed(struct run *r)
{
	const char *names[MAX_OBJ_PROGS];
	uint64_t misses[MAX_OBJ_PROGS], recovered = percpu_sum(r, "recovered");
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, r->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (!bpf_program__autoload(prog) || fd < 0 || n == MAX_OBJ_PROGS)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		names[n] = bpf_program__name(prog);
		misses[n++] = info.recursion_misses;
		if (r->o->verbose && info.recursion_misses)
			fprintf(stderr, TT_PROG ": %s: %s: skipped %llu times (recursion)\n",
				r->o->mode, names[n - 1], (unsigned long long)info.recursion_misses);
	}
	if (r->o->verbose && recovered)
		fprintf(stderr, TT_PROG ": %s: %llu of those runs handled by the nested programs\n",
			r->o->mode, (unsigned long long)recovered);
	return run_missed(names, misses, n, recovered);
}

/* An exit event in count mode: counted like the kernel counts (tt_count). */
static void count_exit_event(struct run *r, const struct tt_event *e)
{
	struct tt_count_key key;

	tt_count_key_of(e, r->p->count_fields, &key);
	tt_counts_add(&r->counts, &key, NULL, 1);
}

/* An exit event (read_exit_events): like any other, or into the kernel's counts. */
void run_exit_event(struct run *r, const struct tt_event *e)
{
	if (r->o->count && !r->user_count)
		count_exit_event(r, e);
	else
		run_handle_event(r, e);
}

/* The kernel's "counts" map into the rows (kernel count mode). */
static void collect_kernel_counts(struct run *r)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, "counts");
	struct tt_count_key key, next, *prev = NULL;
	int fd = bpf_map__fd(map);
	uint64_t count;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &count))
			tt_counts_add(&r->counts, &next, NULL, count);
		key = next;
		prev = &key;
	}
}

int run_print_counts(struct run *r)
{
	struct tt_counts *c = &r->counts;
	size_t i;

	if (!r->user_count)
		collect_kernel_counts(r);
	if (c->failed)
		return -ENOMEM;
	tt_counts_sort(c);
	r->w.cols = r->p->count_cols;
	r->w.ncols = r->p->ncount_cols;
	tt_write_header(&r->w);
	for (i = 0; i < c->n; i++) {
		const struct tt_count_row *row = &c->rows[i];
		struct tt_event e = { .family = row->key.family,
				      .lport = row->key.lport,
				      .rport = row->key.rport };
		struct tt_src src = { .e = &e, .count = row->count, .pre = row->vals };

		e.err = row->key.result;
		e.flags = r->p->count_fields & TT_COUNT_RESULT ? TT_EVF_OUTCOME : 0;
		memcpy(e.laddr, row->key.laddr, sizeof(e.laddr));
		memcpy(e.raddr, row->key.raddr, sizeof(e.raddr));
		tt_write_src(&r->w, &src, &r->clock);
	}
	if (c->dropped)
		tt_warn(&r->w, r->o->mode, "-c", "%llu events not counted: more than %d rows",
			(unsigned long long)c->dropped, TT_COUNT_ROWS_MAX);
	return 0;
}

/*
 * The end of a run: detach, then drain (nothing is emitted after the last
 * read), the records read at exit, what was lost or missed, -c's rows.
 * The exit status.
 */
int run_finish(struct run *r)
{
	struct tt_opts *o = r->o;
	uint64_t lost, missed;

	run_detach_all(r);
	tt_enrich_detach(&r->enrich);
	if (r->rb && !r->out_closed)
		ring_buffer__consume(r->rb);
	if (!r->out_closed)
		run_read_exit_events(r, run_exit_event);
	run_sessions_walk(r, TT_AT_EXIT);
	missed = run_read_missed(r);
	if (!r->out_closed) {
		run_report_lost(r);
		if (missed)
			tt_write_missed(&r->w, missed);
		tt_enrich_report(&r->enrich, &r->w, o->verbose);
		if (o->count && run_print_counts(r))
			tt_err("counting", -ENOMEM);
		run_check_output(r);
	}
	lost = run_read_lost(r);
	if (lost)
		tt_errf("%s: lost %llu events (ring buffer full)", o->mode,
			(unsigned long long)lost);
	if (missed)
		tt_errf("%s: missed up to %llu events: the kernel skipped the tracer's BPF "
			"programs that many times (recursion)",
			o->mode, (unsigned long long)missed);
	if (r->sink.abandoned)
		tt_errf("%s: output given up at a second signal while its reader did not read: "
			"%llu lines not written", o->mode, (unsigned long long)r->sink.dropped);
	if (r->out_failed) {
		tt_err("writing output", r->out_errno);
		return TT_EXIT_FAIL;
	}
	return TT_EXIT_OK;
}
