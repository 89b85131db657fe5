// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a kernel may lack that a plan or a feature needs, and the Linux
 * version that brings it, in one table (tcptrace(8) KERNELS and
 * docs/kernels.md say the same): what a refusal names instead of "not
 * supported". Each row cites the commit that brought the mechanism.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpf/kernel.h"
#include "core.h"

static const struct {
	const char *mechanism, *since;
} needs[] = {
	/* commit fec56f5890d9 "bpf: Introduce BPF trampoline" */
	[TT_NEED_TRAMPOLINE] = { "BPF trampolines (fentry/fexit)",
				 "Linux 5.5, with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS" },
	/*
	 * arm64's trampolines came in v6.0 (commit efc9909fdce0), but attach to
	 * kernel functions only through ftrace direct calls, v6.4 (commit
	 * 2aa6ac03516d "arm64: ftrace: Add direct call support"); before, the
	 * attach fails with ENOTSUPP (measured on Debian 12's 6.1).
	 */
	[TT_NEED_TRAMPOLINE_ARM64] = { "BPF trampolines on arm64 kernel functions",
				       "Linux 6.4, with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS" },
	/* commit e12f03d7031a "perf/core: Implement the 'perf_kprobe' PMU" */
	[TT_NEED_KPROBE_PMU] = { "kprobes through the perf kprobe PMU",
				 "Linux 4.17, with CONFIG_KPROBES and CONFIG_KPROBE_EVENTS" },
	/* commit 9e15db66136a "bpf: Implement accurate raw_tp context access via BTF" */
	[TT_NEED_TP_BTF] = { "BTF-typed tracepoints (tp_btf)", "Linux 5.5" },
	/* commit 563e0bb0dc74 "net: tracepoint: replace tcp_set_state tracepoint ..." */
	[TT_NEED_SOCK_SET_STATE] = { "the sock:inet_sock_set_state tracepoint", "Linux 4.16" },
	/* commit 3ca1032ab7ab "bpf: Add bpf_get_current_task_btf() helper" */
	[TT_NEED_TASK_BTF] = { "bpf_get_current_task_btf()", "Linux 5.11" },
	/* commit dd6e10fbd9fb "bpf: Add bpf_task_pt_regs() helper" */
	[TT_NEED_TASK_PT_REGS] = { "bpf_task_pt_regs()", "Linux 5.15" },
	/* commit a5cbe05a6673 "bpf: Implement bpf iterator for map elements" */
	[TT_NEED_MAP_ITER] = { "BPF map element iterators", "Linux 5.9" },
	/* commit 1b4d60ec162f "bpf: Enable BPF_PROG_TEST_RUN for raw_tracepoint" */
	[TT_NEED_RAW_TP_TEST_RUN] = { "BPF_PROG_TEST_RUN of raw tracepoint programs",
				      "Linux 5.10" },
	/*
	 * merge 97306be45fbe "switch to memcg-based memory accounting", with
	 * commits 80ee81e0403c and 3ac1f01b43b6 "bpf: Eliminate rlimit-based
	 * memory accounting" for maps and programs: before it every map and
	 * program counts against the loader's RLIMIT_MEMLOCK.
	 */
	[TT_NEED_MEMCG] = { "BPF memory charged to the memory cgroup, not RLIMIT_MEMLOCK",
			    "Linux 5.11" },
};

const char *tt_need(enum tt_need_id id, char *buf, size_t len)
{
	snprintf(buf, len, "%s (%s)", needs[id].mechanism, needs[id].since);
	return buf;
}

bool tt_btf_has_enum(const struct btf *btf, const char *type, const char *name)
{
	const struct btf_enum *e;
	const struct btf_type *t;
	int id, i;

	id = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_ENUM) : -1;
	if (id <= 0)
		return false;
	t = btf__type_by_id(btf, (__u32)id);
	for (i = 0, e = btf_enum(t); i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name))
			return true;
	return false;
}

/*
 * The recursion check in the raw tracepoints' run (bpf_trace_run1..12())
 * came with bpf_prog_inc_misses_counter(), which it calls to count the run
 * it skips, and which nothing defined before it (the trampolines had a
 * static inc_misses_counter()). Read in Debian's -dbg images: 6.1.192's
 * bpf_trace_run3() has the check and the call, 5.10.262's neither, and only
 * the first's BTF has the function.
 */
bool tt_kernel_skips_nested(const struct btf *vmlinux)
{
	return vmlinux &&
	       btf__find_by_name_kind(vmlinux, "bpf_prog_inc_misses_counter", BTF_KIND_FUNC) > 0;
}

/*
 * bpf_ktime_get_coarse_ns() came in the same release (v5.11, commit
 * d05512618056) as the memory cgroup accounting: libbpf's own probe for
 * the accounting (FEAT_MEMCG_ACCOUNT) loads a call to it.
 */
bool tt_kernel_charges_memlock(const struct btf *vmlinux)
{
	return vmlinux && !tt_btf_has_enum(vmlinux, "bpf_func_id", "BPF_FUNC_ktime_get_coarse_ns");
}

/*
 * The mechanism a plan's feature probe found missing (core/bpf/probe.c):
 * from its error and the kernel's BTF; where the error is not one of
 * a missing mechanism, TT_NEED_NONE (the caller then says the error alone).
 */
enum tt_need_id tt_plan_need(const struct btf *vmlinux, enum tt_attach a, int err)
{
	if (err < 0)
		err = -err;
	if (err == EPERM || err == EACCES)
		return TT_NEED_NONE; /* refused by privilege or policy, not lacking */
	switch (a) {
	case TT_ATTACH_FENTRY:
		if (err == ENOENT)
			return TT_NEED_NONE; /* the function is not in the kernel's BTF */
#ifdef __aarch64__
		return TT_NEED_TRAMPOLINE_ARM64;
#else
		return TT_NEED_TRAMPOLINE;
#endif
	case TT_ATTACH_KPROBE:
		return err == EOPNOTSUPP ? TT_NEED_KPROBE_PMU : TT_NEED_NONE;
	case TT_ATTACH_TRACEPOINT:
		if (!vmlinux)
			return TT_NEED_NONE;
		/* the tracepoint itself (its record), then tp_btf (BPF_TRACE_RAW_TP) */
		if (btf__find_by_name_kind(vmlinux, "trace_event_raw_inet_sock_set_state",
					   BTF_KIND_STRUCT) <= 0)
			return TT_NEED_SOCK_SET_STATE;
		return TT_NEED_TP_BTF;
	case TT_ATTACH_AUTO:
		break;
	}
	return TT_NEED_NONE;
}
