// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/bpf/btfmin.c: the minimised kernel BTF that CO-RE relocates against. */
#include <stdlib.h>

#include <bpf/btf.h>

#include "bpf/btfmin.h"
#include "check.h"

/* The member called name of struct/union id in btf, or NULL. */
static const struct btf_member *member(const struct btf *btf, int id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	int i;

	for (i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, btf_members(t)[i].name_off), name))
			return &btf_members(t)[i];
	return NULL;
}

static void test_essential_len(void)
{
	CHECK(tt_btf_essential_len("sock") == 4);
	CHECK(tt_btf_essential_len("sock___old") == 4);
	CHECK(tt_btf_essential_len("task_struct___x") == 11);
	CHECK(tt_btf_essential_len("a___b") == 1);
	CHECK(tt_btf_essential_len("a___b___c") == 5);	/* the last flavour only */
	CHECK(tt_btf_essential_len("sock___") == 7);	/* no flavour after it */
	CHECK(tt_btf_essential_len("a____b") == 6);	/* four underscores */
	CHECK(tt_btf_essential_len("___b") == 4);	/* nothing before it */
	CHECK(tt_btf_essential_len("") == 0);
	CHECK(tt_btf_essential_len("abc") == 3);
}

/*
 * A kernel-like BTF:
 *   int; long; struct inner { int x; }; struct other { int y; };
 *   struct sock { int a; struct inner b; struct other *p; int arr[4];
 *                 u32 u; const enum state st; };
 *   typedef int u32; enum state { ONE = 1, TWO = 2 }; struct unrelated { long z; };
 *   int f(int) (FUNC_PROTO + FUNC), struct sock_common (a name sharing a prefix).
 */
static struct btf *kernel_btf(void)
{
	struct btf *k = btf__new_empty();
	int i_int, i_long, i_inner, i_other, i_sock, i_ptr, i_arr, i_u32, i_enum, i_const, i_un,
		i_proto;

	i_int = btf__add_int(k, "int", 4, BTF_INT_SIGNED);
	i_long = btf__add_int(k, "long", 8, BTF_INT_SIGNED);
	i_inner = btf__add_struct(k, "inner", 4);
	btf__add_field(k, "x", i_int, 0, 0);
	i_other = btf__add_struct(k, "other", 4);
	btf__add_field(k, "y", i_int, 0, 0);
	i_ptr = btf__add_ptr(k, i_other);
	i_arr = btf__add_array(k, i_int, i_int, 4);
	i_u32 = btf__add_typedef(k, "u32", i_int);
	i_enum = btf__add_enum(k, "state", 4);
	btf__add_enum_value(k, "ONE", 1);
	btf__add_enum_value(k, "TWO", 2);
	i_const = btf__add_const(k, i_enum);
	i_sock = btf__add_struct(k, "sock", 48);
	btf__add_field(k, "a", i_int, 0, 0);
	btf__add_field(k, "b", i_inner, 32, 0);
	btf__add_field(k, "p", i_ptr, 64, 0);
	btf__add_field(k, "arr", i_arr, 128, 0);
	btf__add_field(k, "u", i_u32, 256, 0);
	btf__add_field(k, "st", i_const, 288, 0);
	i_un = btf__add_struct(k, "unrelated", 8);
	btf__add_field(k, "z", i_long, 0, 0);
	i_proto = btf__add_func_proto(k, i_int);
	btf__add_func_param(k, "arg", i_int);
	btf__add_func(k, "f", BTF_FUNC_GLOBAL, i_proto);
	btf__add_struct(k, "sock_common", 4);
	btf__add_field(k, "y", i_int, 0, 0);
	(void)i_sock;
	(void)i_un;
	return k;
}

/* What a BPF object might carry: a flavour of sock, the enum, a typedef. */
static struct btf *object_btf(bool with_other)
{
	struct btf *o = btf__new_empty();
	int i_int = btf__add_int(o, "int", 4, BTF_INT_SIGNED);

	btf__add_struct(o, "sock___new", 4);
	btf__add_field(o, "a", i_int, 0, 0);
	btf__add_enum(o, "state", 4);
	btf__add_enum_value(o, "TWO", 2);
	btf__add_typedef(o, "u32", i_int);
	if (with_other)
		btf__add_fwd(o, "other", BTF_FWD_STRUCT);
	/* not a type a relocation starts from */
	btf__add_func_proto(o, i_int);
	return o;
}

static struct btf *minimise(const struct btf *k, const struct btf *o, unsigned *n)
{
	size_t size = 0;
	void *raw = tt_btf_min_core(k, o, &size, n, NULL, 0);
	struct btf *m;

	CHECK(raw != NULL);
	if (!raw)
		return NULL;
	m = btf__new(raw, (__u32)size);
	free(raw);
	CHECK(m != NULL);
	return m;
}

static void test_minimise(void)
{
	struct btf *k = kernel_btf(), *o = object_btf(false), *m;
	const struct btf_member *mb;
	const struct btf_type *t;
	unsigned n = 0;
	int id;

	m = minimise(k, o, &n);
	if (!m)
		return;
	CHECK(n == btf__type_cnt(m) - 1);
	/* sock (matched through its flavour), and what it holds by value */
	id = btf__find_by_name_kind(m, "sock", BTF_KIND_STRUCT);
	CHECK(id > 0);
	t = btf__type_by_id(m, (__u32)id);
	CHECK(t && t->size == 48 && btf_vlen(t) == 6);
	mb = member(m, id, "b");
	CHECK(mb && btf_member_bit_offset(t, 1) == 32);
	CHECK(mb && mb->type == (__u32)btf__find_by_name_kind(m, "inner", BTF_KIND_STRUCT));
	CHECK(member(m, btf__find_by_name_kind(m, "inner", BTF_KIND_STRUCT), "x") != NULL);
	/* a pointer to a struct nothing names: void * */
	mb = member(m, id, "p");
	CHECK(mb && btf_is_ptr(btf__type_by_id(m, mb->type)));
	CHECK(mb && btf__type_by_id(m, mb->type)->type == 0);
	CHECK(btf__find_by_name_kind(m, "other", BTF_KIND_STRUCT) < 0);
	/* arrays keep element and index types and length */
	mb = member(m, id, "arr");
	t = mb ? btf__type_by_id(m, mb->type) : NULL;
	CHECK(t && btf_is_array(t) && btf_array(t)->nelems == 4);
	CHECK(t && btf_is_int(btf__type_by_id(m, btf_array(t)->type)));
	CHECK(mb && btf_member_bit_offset(btf__type_by_id(m, (__u32)id), 3) == 128);
	/* typedef and const enum members resolve */
	mb = member(m, id, "u");
	CHECK(mb && btf_is_typedef(btf__type_by_id(m, mb->type)));
	mb = member(m, id, "st");
	t = mb ? btf__type_by_id(m, mb->type) : NULL;
	CHECK(t && btf_is_const(t));
	/* the whole enum, every value */
	id = btf__find_by_name_kind(m, "state", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(m, (__u32)id) : NULL;
	CHECK(t && btf_vlen(t) == 2);
	CHECK(t && btf_enum(t)[1].val == 2);
	CHECK(t && !strcmp(btf__name_by_offset(m, btf_enum(t)[0].name_off), "ONE"));
	CHECK(btf__find_by_name_kind(m, "u32", BTF_KIND_TYPEDEF) > 0);
	/* nothing else: not unrelated, not functions, not a prefix match */
	CHECK(btf__find_by_name_kind(m, "unrelated", BTF_KIND_STRUCT) < 0);
	CHECK(btf__find_by_name_kind(m, "long", BTF_KIND_INT) < 0);
	CHECK(btf__find_by_name_kind(m, "f", BTF_KIND_FUNC) < 0);
	CHECK(btf__find_by_name_kind(m, "sock_common", BTF_KIND_STRUCT) < 0);
	/* sock, inner, int, ptr, array, u32, const, state */
	CHECK(n == 8);
	btf__free(m);
	btf__free(o);

	/* once the object names "other", the pointer keeps its target */
	o = object_btf(true);
	m = minimise(k, o, &n);
	if (m) {
		id = btf__find_by_name_kind(m, "sock", BTF_KIND_STRUCT);
		mb = member(m, id, "p");
		CHECK(mb && btf__type_by_id(m, mb->type)->type ==
				    (__u32)btf__find_by_name_kind(m, "other", BTF_KIND_STRUCT));
		CHECK(n == 9);
		btf__free(m);
	}
	btf__free(o);
	btf__free(k);
}

/* Ids of types in the kernel's BTF, found on the way: named by the object only. */
static void test_queries(void)
{
	struct btf *k = kernel_btf(), *o = object_btf(false);
	struct tt_btf_query q[] = {
		{ "sock", BTF_KIND_STRUCT, 99 },      /* named through a flavour */
		{ "state", BTF_KIND_ENUM, 0 },
		{ "state", BTF_KIND_STRUCT, 0 },      /* wrong kind */
		{ "unrelated", BTF_KIND_STRUCT, 0 },  /* the object does not name it */
		{ "sock_comm", BTF_KIND_STRUCT, 0 },  /* not a name at all */
	};
	size_t size = 0;
	void *raw = tt_btf_min_core(k, o, &size, NULL, q, 5);

	CHECK(raw != NULL);
	CHECK(q[0].id == (unsigned)btf__find_by_name_kind(k, "sock", BTF_KIND_STRUCT));
	CHECK(q[1].id == (unsigned)btf__find_by_name_kind(k, "state", BTF_KIND_ENUM));
	CHECK(q[2].id == 0);
	CHECK(q[3].id == 0);
	CHECK(q[4].id == 0);
	free(raw);
	btf__free(o);
	btf__free(k);
}

/* An object whose names the kernel does not have: an empty, valid BTF. */
static void test_nothing_in_common(void)
{
	struct btf *k = kernel_btf(), *o = btf__new_empty(), *m;
	unsigned n = 1;

	btf__add_struct(o, "tt_nothing", 0);
	m = minimise(k, o, &n);
	CHECK(n == 0);
	CHECK(m && btf__type_cnt(m) == 1);
	btf__free(m);
	btf__free(o);
	btf__free(k);
}

int main(void)
{
	test_essential_len();
	test_minimise();
	test_queries();
	test_nothing_in_common();
	return tt_test_done("test_btfmin");
}
