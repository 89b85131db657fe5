/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel does not run a tp_btf program on a CPU where it is already
 * running (prog->active, its recursion check; bpftool shows the skipped runs
 * as recursion_misses): a state change in a softirq that interrupts the
 * program in process context (connect(2), close(2)) would be dropped.
 * Kernels without that check (5.10) run the program nested in itself, and
 * user space loads no nested program there (tt_kernel_skips_nested()). A
 * second program on the same tracepoint handles exactly those: the outer
 * program marks this CPU busy while it runs, the nested one acts only when
 * it is. Softirqs do not nest, so two programs are enough.
 *
 * The nested program is named <outer>_nested or ends in _nested, and counts
 * the runs it takes over in "recovered": the runner subtracts them from the
 * outer programs' recursion_misses, so that only the skips nothing handled
 * are reported as missed (run_read_missed() in core/run/finish.c). Those are state
 * changes in the instructions around the outer program's entry and exit,
 * before busy is set or after it is cleared, or (where the kernel lets a task
 * preempt a tracepoint program) one that finds both programs running.
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} recovered SEC(".maps");

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

/* In the nested program: the outer one was interrupted on this CPU (counted). */
static __always_inline bool tt_outer_interrupted(void)
{
	__u32 zero = 0, *running = bpf_map_lookup_elem(&busy, &zero);
	__u64 *n;

	if (!running || !*running)
		return false;
	n = bpf_map_lookup_elem(&recovered, &zero);
	if (n)
		*n += 1;
	return true;
}

#endif /* TCPTRACE_NESTED_BPF_H */
