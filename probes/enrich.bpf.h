/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the enrichers' own BPF objects (containers.bpf.c, dns.bpf.c) share:
 * the mode's ring buffer, which user space puts in place of "events" before
 * the load (bpf_map__reuse_fd: their records arrive in order with the
 * events), and a per-CPU count of the records it could not take, read at
 * exit.
 */
#ifndef TCPTRACE_ENRICH_BPF_H
#define TCPTRACE_ENRICH_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* A record the ring buffer could not take. */
static __always_inline void tt_enrich_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

#endif
