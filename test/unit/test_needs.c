// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/bpf/needs.c: what a refused plan names, from the kernel's BTF (here a
 * small one built in memory: the enums and the tracepoint record it reads).
 */
#include <errno.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpf/kernel.h"
#include "check.h"
#include "core.h"

/* A BTF with enum bpf_attach_type and bpf_func_id holding these values. */
static struct btf *kernel(const char *attach_value, const char *func_value, bool tracepoint)
{
	struct btf *btf = btf__new_empty();

	btf__add_enum(btf, "bpf_attach_type", 4);
	btf__add_enum_value(btf, "BPF_CGROUP_INET_INGRESS", 0);
	if (attach_value)
		btf__add_enum_value(btf, attach_value, 26);
	btf__add_enum(btf, "bpf_func_id", 4);
	btf__add_enum_value(btf, "BPF_FUNC_unspec", 0);
	if (func_value)
		btf__add_enum_value(btf, func_value, 160);
	if (tracepoint)
		btf__add_struct(btf, "trace_event_raw_inet_sock_set_state", 8);
	return btf;
}

int main(void)
{
	struct btf *old = kernel(NULL, NULL, true), *k510 = kernel("BPF_TRACE_RAW_TP", NULL, true),
		   *k511 = kernel("BPF_TRACE_RAW_TP", "BPF_FUNC_ktime_get_coarse_ns", true),
		   *notp = kernel("BPF_TRACE_RAW_TP", NULL, false);
	char buf[160];

	/* Each need names a mechanism and the version that brings it. */
	for (int i = TT_NEED_TRAMPOLINE; i <= TT_NEED_MEMCG; i++)
		CHECK(strstr(tt_need((enum tt_need_id)i, buf, sizeof(buf)), " (Linux ") != NULL);
	CHECK_STR(tt_need(TT_NEED_TP_BTF, buf, sizeof(buf)),
		  "BTF-typed tracepoints (tp_btf) (Linux 5.5)");
	/* kprobes: the PMU missing (EOPNOTSUPP) is a need; a function not found is not. */
	CHECK(tt_plan_need(k510, TT_ATTACH_KPROBE, -EOPNOTSUPP) == TT_NEED_KPROBE_PMU);
	CHECK(tt_plan_need(k510, TT_ATTACH_KPROBE, -ENOENT) == TT_NEED_NONE);
	/* fentry: trampolines, unless the function is not in the BTF */
	CHECK(tt_plan_need(k510, TT_ATTACH_FENTRY, -TT_ENOTSUPP) != TT_NEED_NONE);
	CHECK(tt_plan_need(k510, TT_ATTACH_FENTRY, -ENOENT) == TT_NEED_NONE);
	/* a refusal (privilege, lockdown, an LSM) is not a missing mechanism */
	CHECK(tt_plan_need(k510, TT_ATTACH_FENTRY, -EPERM) == TT_NEED_NONE);
	CHECK(tt_plan_need(old, TT_ATTACH_TRACEPOINT, -EACCES) == TT_NEED_NONE);
	/* tracepoint: tp_btf before 5.5, or the tracepoint itself before 4.16 */
	CHECK(tt_plan_need(old, TT_ATTACH_TRACEPOINT, -ENOENT) == TT_NEED_TP_BTF);
	CHECK(tt_plan_need(notp, TT_ATTACH_TRACEPOINT, -ENOENT) == TT_NEED_SOCK_SET_STATE);
	/* RLIMIT_MEMLOCK charged before 5.11 (bpf_ktime_get_coarse_ns() tells) */
	CHECK(tt_kernel_charges_memlock(k510));
	CHECK(!tt_kernel_charges_memlock(k511));
	CHECK(!tt_kernel_charges_memlock(NULL));
	CHECK(tt_plan_need(NULL, TT_ATTACH_TRACEPOINT, -ENOENT) == TT_NEED_NONE);
	/* nested runs skipped where bpf_prog_inc_misses_counter() is a function */
	CHECK(!tt_kernel_skips_nested(k511));
	CHECK(!tt_kernel_skips_nested(NULL));
	{
		int proto = btf__add_func_proto(k511, 0);

		/* a type of that name is not the function */
		btf__add_struct(k511, "bpf_prog_inc_misses_counter", 8);
		CHECK(!tt_kernel_skips_nested(k511));
		CHECK(proto > 0 &&
		      btf__add_func(k511, "bpf_prog_inc_misses_counter", BTF_FUNC_GLOBAL, proto) > 0);
		CHECK(tt_kernel_skips_nested(k511));
	}
	btf__free(old);
	btf__free(k510);
	btf__free(k511);
	btf__free(notp);
	return tt_test_done("needs");
}
