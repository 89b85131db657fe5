// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The kernel BTF minimiser (core/bpf/btfmin.c) on hostile kernel BTF: the input
 * is a raw BTF blob standing for /sys/kernel/btf/vmlinux (or --btf FILE).
 * Whatever libbpf's parser accepts, tt_btf_min_core() must not crash, and
 * what it returns must be BTF that libbpf parses again, with the queried
 * ids inside the input. It minimises against a fixed object BTF that names
 * the kernel types the probes read, and against the input itself (every
 * type of it wanted).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/btfmin.h"
#include "fuzz.h"

static struct btf *local;

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* An object's BTF as the probes' is: structs named like the kernel's, a flavour, a typedef. */
static struct btf *object_btf(void)
{
	struct btf *b = btf__new_empty();
	int i_int, i_sc, i_sk, i_ptr;

	i_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	i_sc = btf__add_struct(b, "sock_common", 8);
	btf__add_field(b, "skc_daddr", i_int, 0, 0);
	btf__add_field(b, "skc_rcv_saddr", i_int, 32, 0);
	i_sk = btf__add_struct(b, "sock", 12);
	btf__add_field(b, "__sk_common", i_sc, 0, 0);
	btf__add_field(b, "sk_err", i_int, 64, 0);
	btf__add_struct(b, "sock___old", 4);
	btf__add_field(b, "sk_err", i_int, 0, 0);
	i_ptr = btf__add_ptr(b, i_sk);
	btf__add_struct(b, "task_struct", 8);
	btf__add_field(b, "files", i_ptr, 0, 0);
	btf__add_struct(b, "tcp_sock", 4);
	btf__add_field(b, "bytes_acked", i_int, 0, 0);
	btf__add_typedef(b, "u32", i_int);
	btf__add_enum(b, "bpf_func_id", 4);
	btf__add_enum_value(b, "BPF_FUNC_skc_to_tcp_sock", 137);
	btf__add_fwd(b, "file", BTF_FWD_STRUCT);
	return b;
}

static void check(const struct btf *target, const struct btf *obj)
{
	struct tt_btf_query q[] = {
		{ "sock", BTF_KIND_STRUCT, 0 },
		{ "task_struct", BTF_KIND_STRUCT, 0 },
		{ "u32", BTF_KIND_TYPEDEF, 0 },
	};
	unsigned ntypes = 0, i;
	size_t size = 0;
	struct btf *again;
	void *min;

	min = tt_btf_min_core(target, obj, &size, &ntypes, q, 3);
	if (!min)
		return;
	again = btf__new(min, size);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(btf__type_cnt(again) == ntypes + 1);
	for (i = 0; i < 3; i++)
		FUZZ_CHECK(q[i].id < btf__type_cnt(target));
	btf__free(again);
	free(min);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btf *target;

	if (!local) {
		libbpf_set_print(silent);
		local = object_btf();
	}
	target = btf__new(data, size);
	if (!target)
		return 0;
	check(target, local);
	check(target, target);
	btf__free(target);
	return 0;
}
