/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel does not run a tp_btf program on a CPU where it is already
 * running (prog->active, its recursion check; bpftool shows the skipped runs
 * as recursion_misses): a state change in a softirq that interrupts the
 * program in process context (connect(2), close(2)) would be dropped. A
 * second program on the same tracepoint handles exactly those: the outer
 * program marks this CPU busy while it runs, the nested one acts only when
 * it is. Softirqs do not nest, so two programs are enough.
 * Include common.bpf.h first.
 */
#ifndef TCPTRACE_NESTED_BPF_H
#define TCPTRACE_NESTED_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} busy SEC(".maps");

/* The outer program starts: this CPU's flag, set; NULL: do nothing. */
static __always_inline __u32 *tt_outer_enter(void)
{
	__u32 zero = 0, *running = bpf_map_lookup_elem(&busy, &zero);

	if (running)
		*running = 1;
	return running;
}

static __always_inline void tt_outer_exit(__u32 *running)
{
	*running = 0;
}

/* In the nested program: the outer one was interrupted on this CPU. */
static __always_inline bool tt_outer_running(void)
{
	__u32 zero = 0, *running = bpf_map_lookup_elem(&busy, &zero);

	return running && *running;
}

#endif /* TCPTRACE_NESTED_BPF_H */
