/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a BPF object needs of the kernel's BTF to load (core/bpf/corebtf.c): the
 * mode's object (the runner) and the enrichers' objects go through the same
 * calls.
 *
 *   tt_core_btf_acquire()  before the object opens: cb->path for its
 *                          bpf_object_open_opts.btf_custom_path; the first
 *                          of a run parses the kernel's BTF (or --btf FILE)
 *                          into cb->vmlinux, the others share it
 *   tt_core_btf_fill()     once it is open, before it loads: the BTF cut
 *                          down to what its CO-RE relocations read, written
 *                          to cb->path
 *   tt_core_btf_release()  once it is loaded, or given up
 *
 * The kernel's BTF is parsed once: libbpf's load of the mode's object takes
 * that copy (core/bpf/vmlinux.c) and frees it; the first acquire's release, after
 * that load, returns the memory the parse used. Enrichers acquire theirs
 * before the mode's object loads (tt_enrich_init()), while it is there.
 */
#ifndef TCPTRACE_COREBTF_H
#define TCPTRACE_COREBTF_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct btf;
struct tt_btf_query;

struct tt_core_btf {
	/* the run's BTF, parsed (NULL if none): valid until the mode's object loads */
	struct btf *vmlinux;
	/* for btf_custom_path: fd_path, or file (once released too) */
	const char *path;
	const char *file; /* --btf FILE, or NULL: libbpf parses the kernel's own */
	int fd;		/* the memfd behind path, or -1 */
	unsigned kept;	/* types in what fill() wrote; 0: the whole BTF */
	bool first;	/* this one parsed the run's BTF: its release frees it */
	char fd_path[32];
};

/*
 * Before the object opens. file: --btf FILE, or NULL for the running
 * kernel's. 0, or -errno: the BTF could not be parsed (btf__parse()'s
 * errno for FILE; -ENOENT: the kernel has none). No memfd (no /proc, or
 * memfd_create() before v3.17) is no error: path is then file.
 */
int tt_core_btf_acquire(struct tt_core_btf *cb, const char *file);
/*
 * Once the object is open: writes to cb->path the run's BTF cut down to the
 * types the object's CO-RE relocations can resolve to (core/bpf/btfmin.c; the
 * whole BTF if that fails). The nq queries get their ids on the way (see
 * tt_btf_min_core()). 0 (also with no memfd), or -errno of the write.
 */
int tt_core_btf_fill(struct tt_core_btf *cb, const struct bpf_object *obj,
		     struct tt_btf_query *q, int nq);
/*
 * Closes the memfd (path is file again); the first acquire's also frees the
 * run's BTF. Idempotent; a zeroed cb is released too.
 */
void tt_core_btf_release(struct tt_core_btf *cb);

/* Writes all of data to fd (a memfd), going on after EINTR and short writes: 0 or -errno. */
int tt_write_all(int fd, const void *data, size_t size);

#endif
