// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval: the sessions born while tracing. They are in the
 * owners map already (birth, owner, direction). Where the kernel has
 * bpf_for_each_map_elem() (v5.13), p->open_walk visits the map in the kernel
 * and writes each session's record to the ring buffer like any event, a
 * run per part of the ring buffer (BPF_PROG_TEST_RUN); before, the map's
 * keys, read in batches, go TT_OPEN_BATCH at a time to p->open_run, which
 * does the same for them. Every network namespace, no capability
 * (core/host/privs.def).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "run/sessions.h"

bool run_is_open_name(const struct run *r, const char *prog)
{
	return (r->p->open_run && !strcmp(prog, r->p->open_run)) ||
	       (r->p->open_walk && !strcmp(prog, r->p->open_walk)) ||
	       (r->p->open_adopt && !strcmp(prog, r->p->open_adopt));
}

bool run_is_open_run(const struct run *r, const struct bpf_program *prog)
{
	return run_is_open_name(r, bpf_program__name(prog));
}

struct bpf_program *run_open_prog(const struct run *r, const char *name)
{
	struct bpf_program *prog = name ? bpf_object__find_program_by_name(r->skel->obj, name)
					: NULL;

	return prog && bpf_program__autoload(prog) ? prog : NULL;
}

/*
 * (p->open_walk: walk 0, which every entry has done, at the limit 0: no
 * record; p->open_adopt: a packet of no tuple)
 */
int run_try_open_run(struct run *r, struct bpf_program *prog)
{
	uint64_t args[1 + TT_OPEN_BATCH] = { TT_AT_START };
	uint8_t pkt[TT_ADOPT_HDR + sizeof(struct tt_adopt)] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	(void)r;
	if (bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS) {
		opts.ctx_in = NULL;
		opts.ctx_size_in = 0;
		opts.data_in = pkt;
		opts.data_size_in = sizeof(pkt);
	}
	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) ? -errno : 0;
}

#define BATCH_KEYS 4096

/*
 * The owners map's keys in batches (BPF_MAP_LOOKUP_BATCH, v5.6: a bucket at
 * a time, each key once): 0, or -errno (-EINVAL etc. where the kernel has
 * no batch for the map: the caller reads them one by one).
 */
static int keys_batched(struct run_sessions *s, int fd, size_t value_size)
{
	uint64_t token = 0;
	/* (the values come along, unused: the program reads the entry itself) */
	void *vals = malloc((size_t)BATCH_KEYS * value_size);
	bool first = true;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (;;) {
		__u32 count = BATCH_KEYS;

		while (s->nkeys + BATCH_KEYS > s->kcap)
			if (!sessions_grow((void **)&s->keys, &s->kcap, s->kcap, sizeof(*s->keys))) {
				free(vals);
				return -ENOMEM;
			}
		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, s->keys + s->nkeys,
					   vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		s->nkeys += count;
		first = false;
		if (err) { /* ENOENT: the last batch */
			err = 0;
			break;
		}
	}
	free(vals);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Runs in a row that found the ring buffer too full to write: the walk gives up. */
#define WALK_STALLED 1000

/*
 * p->open_walk: runs until the map is done, the ring buffer read after each.
 * A run stops once half the ring buffer waits to be read: the events of
 * the traced host keep room while the walk writes, and a run visits every
 * entry of the map, those done before too (10,000 sessions, about 1.7 MB
 * of records, take two runs in the default 2 MiB). Should the events
 * fill that half before every run, the walk ends unfinished: -EBUSY.
 */
static int walk_in_kernel(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	struct bpf_map *events = bpf_object__find_map_by_name(r->skel->obj, "events");
	uint64_t args[3] = { at, 0, events ? bpf_map__max_entries(events) / 2 : 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int fd = bpf_program__fd(s->walk), stalled = 0;

	if (!++s->walk_no) /* 0 marks the entries born() zeroed */
		s->walk_no = 1;
	args[1] = s->walk_no;
	do {
		if (bpf_prog_test_run_opts(fd, &opts))
			return -errno;
		if (r->rb)
			ring_buffer__consume(r->rb);
		stalled = opts.retval > 1 ? 0 : stalled + 1;
		if (stalled == WALK_STALLED)
			return -EBUSY;
	} while ((opts.retval & 1) && r->rb && !r->out_closed);
	return 0;
}

/*
 * The owners map's keys, each once (a key deleted while the map is read
 * makes the kernel start over from the first), then p->open_run per batch,
 * its records read from the ring buffer as they come.
 */
int sessions_walk_born(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, "owners");
	uint64_t key, *prev = NULL, args[1 + TT_OPEN_BATCH];
	size_t i, j, n = 0;
	int fd, pfd;

	if (s->walk)
		return walk_in_kernel(r, at);
	if (!s->prog || !map)
		return 0;
	fd = bpf_map__fd(map);
	pfd = bpf_program__fd(s->prog);
	s->nkeys = 0;
	if (!s->no_batch) {
		int err = keys_batched(s, fd, bpf_map__value_size(map));

		if (err == -ENOMEM)
			return err;
		if (err) {
			s->no_batch = true; /* refused: one by one from now on */
			s->nkeys = 0;
		}
	}
	while (s->no_batch && !bpf_map_get_next_key(fd, prev, &key)) {
		if (!sessions_grow((void **)&s->keys, &s->kcap, s->nkeys, sizeof(*s->keys)))
			return -ENOMEM;
		s->keys[s->nkeys++] = key;
		prev = &s->keys[s->nkeys - 1];
	}
	if (s->no_batch && errno != ENOENT)
		return -errno;
	if (s->no_batch) {
		qsort(s->keys, s->nkeys, sizeof(*s->keys), cmp_u64);
		for (i = 0; i < s->nkeys; i++)
			if (!n || s->keys[n - 1] != s->keys[i])
				s->keys[n++] = s->keys[i];
	} else {
		n = s->nkeys; /* a batch gives each key once */
	}
	for (i = 0; i < n; i += TT_OPEN_BATCH) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

		memset(args, 0, sizeof(args));
		args[0] = at;
		for (j = 0; j < TT_OPEN_BATCH && i + j < n; j++)
			args[1 + j] = s->keys[i + j];
		if (bpf_prog_test_run_opts(pfd, &opts))
			return -errno;
		if (opts.retval && r->rb)
			ring_buffer__consume(r->rb);
	}
	return 0;
}
