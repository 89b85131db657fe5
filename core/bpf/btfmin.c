// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A minimised kernel BTF for CO-RE relocations.
 *
 * libbpf resolves each CO-RE relocation by searching the kernel's BTF for
 * types whose name matches the BPF object's type (bpf_core_find_cands()): a
 * linear scan of every kernel type, ~127,000 of them on 6.x, once per
 * distinct struct or enum the programs read. With a dozen of them that scan
 * was two thirds of the CPU tcptrace used to start (perf, kernel 6.18).
 *
 * libbpf takes the BTF to relocate against from btf_custom_path when given
 * one (the kernel's own BTF is still what it resolves tp_btf/fentry attach
 * targets with). tt_btf_min_core() builds that file from the parsed kernel
 * BTF, with one pass over it: every kernel type whose name, without a
 * "___flavor" suffix, is the name of a struct, union, enum, typedef or
 * forward declaration in the BPF object's BTF (the only types a relocation
 * can start from), and everything those contain by value (members, array
 * elements, typedef targets, modifiers). Pointers are kept as pointers but
 * their targets only when they are in the set for another reason, else they
 * become void *: a field access through a pointer is a new relocation
 * starting from the pointee's own name, and libbpf compares pointer fields
 * as compatible without looking at the target (bpf_core_fields_are_compat()).
 * Type-based relocations (bpf_core_type_matches() and friends), which do
 * follow pointers, are not used by our programs.
 *
 * The result is the same set of candidates libbpf would find in the whole
 * BTF, with the same member names, offsets, sizes, bitfields and enum
 * values: the relocated instructions are the same.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <linux/btf.h>

#include "bpf/btfmin.h"

size_t tt_btf_essential_len(const char *name)
{
	size_t n = strlen(name);
	size_t i;

	/* "X___Y" where neither X nor Y is '_': as libbpf's
	 * bpf_core_essential_name_len(). */
	for (i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;) {
		const char *s = name + i;

		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return i + 1;
	}
	return n;
}

/* Open-addressing set of the object's essential type names. */
struct nameset {
	const char **name;
	size_t *len;
	size_t mask;
};

static uint32_t hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int nameset_add(struct nameset *set, const char *name, size_t len)
{
	size_t i = hash_name(name, len) & set->mask;

	while (set->name[i]) {
		if (set->len[i] == len && !memcmp(set->name[i], name, len))
			return 0;
		i = (i + 1) & set->mask;
	}
	set->name[i] = name;
	set->len[i] = len;
	return 0;
}

static bool nameset_has(const struct nameset *set, const char *name, size_t len)
{
	size_t i = hash_name(name, len) & set->mask;

	while (set->name[i]) {
		if (set->len[i] == len && !memcmp(set->name[i], name, len))
			return true;
		i = (i + 1) & set->mask;
	}
	return false;
}

/* The kinds a CO-RE relocation can start from, or match by name. */
static bool is_root_kind(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_FWD:
		return true;
	default:
		return false;
	}
}

static int build_nameset(const struct btf *local, struct nameset *set)
{
	__u32 n = btf__type_cnt(local), id;
	size_t cap = 16;

	while (cap < (size_t)n * 2)
		cap <<= 1;
	set->name = calloc(cap, sizeof(*set->name));
	set->len = calloc(cap, sizeof(*set->len));
	set->mask = cap - 1;
	if (!set->name || !set->len)
		return -ENOMEM;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(local, id);
		const char *name;

		if (!is_root_kind(t))
			continue;
		name = btf__name_by_offset(local, t->name_off);
		if (name && *name)
			nameset_add(set, name, tt_btf_essential_len(name));
	}
	return 0;
}

/* Growable byte buffer. */
struct buf {
	char *p;
	size_t len, cap;
};

static void *buf_grow(struct buf *b, size_t more)
{
	void *at;

	if (b->len + more > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + more)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return NULL;
		b->p = p;
		b->cap = cap;
	}
	at = b->p + b->len;
	b->len += more;
	return at;
}

struct minimiser {
	const struct btf *src;
	__u32 n;
	/*
	 * The kept types: bit id of kept[]. A kept type's id in the result is
	 * its rank among them, below[id / 64] plus the bits set before it in
	 * its word: 20 KB for ~127,000 types, where an id per type took 0.5 MB
	 * of the heap at its peak (the kernel's BTF being parsed then).
	 */
	uint64_t *kept_bits;
	__u32 *below;
	__u32 *stack;	/* kept, contents not followed yet */
	size_t depth, cap;
	__u32 kept;
	struct buf types, strs;
	int err;
};

static bool is_kept(const struct minimiser *m, __u32 id)
{
	return m->kept_bits[id / 64] >> (id % 64) & 1;
}

static void keep(struct minimiser *m, __u32 id)
{
	if (!id || id >= m->n || is_kept(m, id))
		return;
	if (m->depth == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		__u32 *stack = realloc(m->stack, cap * sizeof(*stack));

		if (!stack) {
			m->err = -ENOMEM;
			return;
		}
		m->stack = stack;
		m->cap = cap;
	}
	m->kept_bits[id / 64] |= 1ull << (id % 64);	/* numbered in id order below */
	m->stack[m->depth++] = id;
}

/* Mark what a kept type contains by value. */
static void follow(struct minimiser *m, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(m->src, id);
	__u16 i, vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_PTR:	/* the target only if kept anyway (see top) */
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		keep(m, t->type);
		break;
	case BTF_KIND_ARRAY:
		keep(m, btf_array(t)->type);
		keep(m, btf_array(t)->index_type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			keep(m, btf_members(t)[i].type);
		break;
	case BTF_KIND_FUNC_PROTO:
		keep(m, t->type);
		for (i = 0; i < vlen; i++)
			keep(m, btf_params(t)[i].type);
		break;
	default:
		/* FUNC, VAR, DATASEC, DECL_TAG or a kind newer than this code:
		 * nothing a CO-RE relocation reads through. */
		m->err = -EOPNOTSUPP;
		break;
	}
}

static __u32 add_str(struct minimiser *m, __u32 off)
{
	const char *s = btf__name_by_offset(m->src, off);
	size_t len;
	char *at;

	if (!s || !*s)
		return 0;
	len = strlen(s) + 1;
	at = buf_grow(&m->strs, len);
	if (!at) {
		m->err = -ENOMEM;
		return 0;
	}
	memcpy(at, s, len);
	return (__u32)(m->strs.len - len);
}

/* The id a kept type refers to in the result (void for one not kept). */
static __u32 ref(const struct minimiser *m, __u32 id)
{
	uint64_t before;

	if (!id || id >= m->n || !is_kept(m, id))
		return 0;
	before = m->kept_bits[id / 64] & ((1ull << (id % 64)) - 1);
	return m->below[id / 64] + (__u32)__builtin_popcountll(before) + 1;
}

static void emit(struct minimiser *m, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(m->src, id);
	__u16 i, vlen = btf_vlen(t);
	struct btf_type *out;
	size_t extra = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		extra = sizeof(__u32);
		break;
	case BTF_KIND_ARRAY:
		extra = sizeof(struct btf_array);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		extra = vlen * sizeof(struct btf_member);
		break;
	case BTF_KIND_ENUM:
		extra = vlen * sizeof(struct btf_enum);
		break;
	case BTF_KIND_ENUM64:
		extra = vlen * sizeof(struct btf_enum64);
		break;
	case BTF_KIND_FUNC_PROTO:
		extra = vlen * sizeof(struct btf_param);
		break;
	default:
		break;
	}
	/* add_str() grows the string buffer only: out stays valid */
	out = buf_grow(&m->types, sizeof(*t) + extra);
	if (!out) {
		m->err = -ENOMEM;
		return;
	}
	memcpy(out, t, sizeof(*t) + extra);
	out->name_off = add_str(m, t->name_off);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC_PROTO:
		out->type = ref(m, t->type);
		break;
	default:
		break;
	}
	switch (btf_kind(t)) {
	case BTF_KIND_ARRAY: {
		struct btf_array *a = (struct btf_array *)(out + 1);

		a->type = ref(m, btf_array(t)->type);
		a->index_type = ref(m, btf_array(t)->index_type);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++) {
			struct btf_member *mb = (struct btf_member *)(out + 1) + i;

			mb->name_off = add_str(m, btf_members(t)[i].name_off);
			mb->type = ref(m, btf_members(t)[i].type);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < vlen; i++)
			((struct btf_enum *)(out + 1))[i].name_off =
				add_str(m, btf_enum(t)[i].name_off);
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < vlen; i++)
			((struct btf_enum64 *)(out + 1))[i].name_off =
				add_str(m, btf_enum64(t)[i].name_off);
		break;
	case BTF_KIND_FUNC_PROTO:
		for (i = 0; i < vlen; i++) {
			((struct btf_param *)(out + 1))[i].name_off =
				add_str(m, btf_params(t)[i].name_off);
			((struct btf_param *)(out + 1))[i].type = ref(m, btf_params(t)[i].type);
		}
		break;
	default:
		break;
	}
}

void *tt_btf_min_core(const struct btf *target, const struct btf *local, size_t *size,
		      unsigned *ntypes, struct tt_btf_query *q, int nq)
{
	struct minimiser m = { .src = target, .n = btf__type_cnt(target) };
	struct nameset names = { 0 };
	struct btf_header hdr = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(hdr),
	};
	void *raw = NULL;
	size_t nwords, w;
	__u32 id;
	int err, i;

	for (i = 0; i < nq; i++)
		q[i].id = 0;
	err = build_nameset(local, &names);
	nwords = m.n / 64 + 1;
	m.kept_bits = calloc(nwords, sizeof(*m.kept_bits));
	m.below = malloc(nwords * sizeof(*m.below));
	if (err || !m.kept_bits || !m.below || !buf_grow(&m.strs, 1)) {
		err = -ENOMEM;
		goto out;
	}
	m.strs.p[0] = '\0';

	/* The roots: kernel types named like one of the object's. */
	for (id = 1; id < m.n; id++) {
		const struct btf_type *t = btf__type_by_id(target, id);
		const char *name;

		if (!is_root_kind(t) || !t->name_off)
			continue;
		name = btf__name_by_offset(target, t->name_off);
		if (!name || !nameset_has(&names, name, tt_btf_essential_len(name)))
			continue;
		keep(&m, id);
		for (i = 0; i < nq; i++)
			if (!q[i].id && q[i].kind == btf_kind(t) && !strcmp(q[i].name, name))
				q[i].id = id;
	}
	while (m.depth && !m.err)
		follow(&m, m.stack[--m.depth]);
	if (m.err) {
		err = m.err;
		goto out;
	}
	/* Number the kept types in their kernel order, then write them. */
	for (w = 0; w < nwords; w++) {
		m.below[w] = m.kept;
		m.kept += (__u32)__builtin_popcountll(m.kept_bits[w]);
	}
	for (id = 1; id < m.n && !m.err; id++)
		if (is_kept(&m, id))
			emit(&m, id);
	if (m.err) {
		err = m.err;
		goto out;
	}
	hdr.type_off = 0;
	hdr.type_len = (__u32)m.types.len;
	hdr.str_off = (__u32)m.types.len;
	hdr.str_len = (__u32)m.strs.len;
	*size = sizeof(hdr) + m.types.len + m.strs.len;
	raw = malloc(*size);
	if (!raw) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(raw, &hdr, sizeof(hdr));
	if (m.types.len) /* nothing kept: no buffer at all */
		memcpy((char *)raw + sizeof(hdr), m.types.p, m.types.len);
	memcpy((char *)raw + sizeof(hdr) + m.types.len, m.strs.p, m.strs.len);
	if (ntypes)
		*ntypes = m.kept;
out:
	free(names.name);
	free(names.len);
	free(m.kept_bits);
	free(m.below);
	free(m.stack);
	free(m.types.p);
	free(m.strs.p);
	if (!raw)
		errno = -err;
	return raw;
}
