// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The records a mode reads at exit (connect -O: attempts still pending):
 * an iterator over p->exit_map, or, where the kernel refuses iterators,
 * p->exit_run run once per entry (BPF_PROG_TEST_RUN).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "run/run.h"

/* An iterator is not a hook: it runs once, at exit (see run_read_exit_events). */
static bool is_exit_iter(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), "iter/", 5);
}

/* Nor is the program user space runs per entry where iterators are refused. */
static bool is_exit_run(const struct run *r, const struct bpf_program *prog)
{
	return r->p->exit_run && !strcmp(bpf_program__name(prog), r->p->exit_run);
}

bool run_is_exit_prog(const struct run *r, const struct bpf_program *prog)
{
	return is_exit_iter(prog) || is_exit_run(r, prog);
}

/* The exit map's records as a stream: an iterator over it, its link in *link. */
static int exit_iter_open(struct run *r, struct bpf_program *prog, struct bpf_link **link)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, r->p->exit_map);
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = {};
	int fd;

	if (!map)
		return -ENOENT;
	info.map.map_fd = bpf_map__fd(map);
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	*link = bpf_program__attach_iter(prog, &opts);
	if (!*link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(*link));
	if (fd < 0) {
		fd = -errno;
		bpf_link__destroy(*link);
		*link = NULL;
	}
	return fd;
}

/* Every record the exit iterator prog writes, to fn. */
static int read_exit_iter(struct run *r, struct bpf_program *prog,
			  void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_link *link;
	struct tt_event e;
	size_t have = 0;
	ssize_t n;
	int fd = exit_iter_open(r, prog, &link);

	if (fd < 0)
		return fd;
	/* The iterator's output is a stream: records may span reads. */
	while ((n = read(fd, (char *)&e + have, sizeof(e) - have)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		have += (size_t)n;
		if (have == sizeof(e)) {
			fn(r, &e);
			have = 0;
		}
	}
	close(fd);
	bpf_link__destroy(link);
	return n < 0 ? -errno : 0;
}

#define EXIT_KEY_MAX 64

/*
 * One run of p->exit_run for an entry's key (BPF_PROG_TEST_RUN): 1 with its
 * record in *e (read back from the map "exit_event"), 0 for none, or -errno.
 */
static int exit_run_once(struct run *r, struct bpf_program *prog, const void *key, size_t size,
			 struct tt_event *e)
{
	struct bpf_map *out = bpf_object__find_map_by_name(r->skel->obj, "exit_event");
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = key, .ctx_size_in = (__u32)size);
	uint32_t zero = 0;

	if (!out)
		return -ENOENT;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -errno;
	if (opts.retval != 1)
		return 0;
	return bpf_map_lookup_elem(bpf_map__fd(out), &zero, e) ? -errno : 1;
}

/*
 * Where the kernel refuses iterators: the exit map's keys read here, and
 * prog run once per key: the same records from the same code (the socket
 * behind each entry decides, never the entry alone).
 */
/* The exit map's key size, which is p->exit_run's argument: 0 if it cannot be one. */
static size_t exit_key_size(const struct bpf_map *map)
{
	size_t size = map ? bpf_map__key_size(map) : 0;

	/* a raw_tp program's arguments are u64s */
	return size && size <= EXIT_KEY_MAX && !(size % 8) ? size : 0;
}

static int read_exit_runs(struct run *r, struct bpf_program *prog,
			  void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, r->p->exit_map);
	unsigned char key[EXIT_KEY_MAX], next[EXIT_KEY_MAX];
	size_t size = exit_key_size(map);
	struct tt_event e;
	void *prev = NULL;
	int err;

	if (!size)
		return -EINVAL;
	while (!bpf_map_get_next_key(bpf_map__fd(map), prev, next)) {
		err = exit_run_once(r, prog, next, size, &e);
		if (err < 0)
			return err;
		if (err)
			fn(r, &e);
		memcpy(key, next, size);
		prev = key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * The mode's records at exit (connect -O: attempts still pending), once the
 * hooks are detached, through the iterator over p->exit_map, or where the
 * kernel refused it its alternative p->exit_run; each record to fn.
 */
int run_read_exit_events(struct run *r, void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_program *prog;
	int err = 0, e;

	if (!r->p->exit_map)
		return 0;
	bpf_object__for_each_program(prog, r->skel->obj) {
		if (!bpf_program__autoload(prog) || !run_is_exit_prog(r, prog))
			continue;
		if (r->o->verbose)
			fprintf(stderr, TT_PROG ": %s: at exit: %s over %s (%s)\n", r->o->mode,
				is_exit_iter(prog) ? "a BPF iterator" : "one program run per entry",
				r->p->exit_map, bpf_program__name(prog));
		e = is_exit_iter(prog) ? read_exit_iter(r, prog, fn) : read_exit_runs(r, prog, fn);
		if (e) {
			tt_err("reading what is pending at exit", e);
			err = e;
		}
	}
	return err;
}

/* The exit program tried once (the iterator created, a run for no entry): 0 or -errno. */
int run_try_exit_prog(struct run *r, struct bpf_program *prog)
{
	unsigned char key[EXIT_KEY_MAX] = { 0 };
	struct bpf_link *link;
	struct tt_event e;
	int fd;

	if (is_exit_run(r, prog)) {
		size_t size = exit_key_size(bpf_object__find_map_by_name(r->skel->obj,
									 r->p->exit_map));

		fd = size ? exit_run_once(r, prog, key, size, &e) : -EINVAL;
		return fd < 0 ? fd : 0;
	}
	fd = exit_iter_open(r, prog, &link);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	close(fd);
	bpf_link__destroy(link);
	return 0;
}
