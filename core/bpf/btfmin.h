/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A minimised kernel BTF for CO-RE relocations (core/bpf/btfmin.c). */
#ifndef TCPTRACE_BTFMIN_H
#define TCPTRACE_BTFMIN_H

#include <stddef.h>

struct btf;

/* strlen() of a type name without its "___flavor" suffix, as libbpf. */
size_t tt_btf_essential_len(const char *name);

/* A type of the target BTF wanted by name and kind: id is set if found. */
struct tt_btf_query {
	const char *name;
	unsigned kind;	/* BTF_KIND_* */
	unsigned id;	/* 0: not found */
};

/*
 * Raw BTF (malloc()ed, *size bytes) holding the types of `target` that the
 * CO-RE relocations of an object with BTF `local` can resolve to, for
 * libbpf's btf_custom_path. *ntypes (if not NULL) gets its type count. On
 * the way, the nq queries get the id in `target` of the first type of
 * their name and kind among those (the object must name them too). NULL
 * with errno set on failure.
 */
void *tt_btf_min_core(const struct btf *target, const struct btf *local, size_t *size,
		      unsigned *ntypes, struct tt_btf_query *q, int nq);

#endif
