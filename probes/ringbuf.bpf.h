/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ring buffer every BPF object writes its records into, and the
 * per-CPU count of the records it could not take (read at exit). A mode's
 * object (common.bpf.h) creates it, sized by user space; an enricher's own
 * object (containers.bpf.c, dns.bpf.c) gets the mode's in its place before
 * the load (bpf_map__reuse_fd), so that its records arrive in order with
 * the events, and keeps a lost count of its own.
 */
#ifndef TCPTRACE_RINGBUF_BPF_H
#define TCPTRACE_RINGBUF_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 2 * 1024 * 1024); /* resized, or replaced, by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* A record the ring buffer could not take. */
static __always_inline void tt_count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/*
 * The flags for a record handed over: no wake-up (the reader polls on a
 * short timer) unless the ring buffer already holds wakeup_bytes. Per-record
 * wake-ups are the dominant per-event cost.
 */
static __always_inline __u64 tt_wakeup_flags(__u64 wakeup_bytes)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
									      : BPF_RB_NO_WAKEUP;
}

/* A record copied into the ring buffer, or counted as lost. */
static __always_inline void tt_output(void *r, __u64 size, __u64 wakeup_bytes)
{
	if (bpf_ringbuf_output(&events, r, size, tt_wakeup_flags(wakeup_bytes)))
		tt_count_lost();
}

#endif
