// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Map sizes, set before the load. Hash maps are preallocated when they are
 * created (LRU hashes always are), and creating them is most of what loading
 * costs: on the development VM a 262144-entry LRU hash took 35 ms to create
 * when idle and over 300 ms under load, 32 MiB of kernel memory either way.
 * So maps that the chosen plan or options never use get one entry, and maps
 * with an entry per open socket are sized to the host. Also the one reader
 * of the per-CPU counters (lost records) the objects keep.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "bpf/kernel.h"

uint64_t tt_map_percpu_sum(const struct bpf_map *map)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t sum = 0, *vals;
	uint32_t zero = 0;

	if (!map || ncpu <= 0)
		return 0;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (vals &&
	    !bpf_map__lookup_elem(map, &zero, sizeof(zero), vals, (size_t)ncpu * sizeof(*vals), 0))
		for (i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

/* Floors of the socket and thread maps, and the per-CPU room (see lru_entries()). */
#define SOCKET_MAP_MIN 16384
#define LRU_PER_CPU 256
#define THREAD_MAP_MIN 4096

/* TCP sockets in existence on the host (all network namespaces), or 0. */
static unsigned long tcp_sockets(void)
{
	FILE *f = fopen("/proc/net/sockstat", "re");
	unsigned long n = 0;
	char line[256];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TCP: inuse %*u orphan %*u tw %*u alloc %lu", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * Entries for count things of a kind open now: four times that, for growth,
 * plus room for what the LRU keeps in per-CPU free lists (128 entries per
 * CPU, LOCAL_FREE_TARGET in kernel/bpf/bpf_lru_list.h, doubled), at least
 * min, rounded up to a power of two (at most 2^31; the map's declared size
 * caps it later).
 */
static __u32 lru_entries(unsigned long count, int ncpu, unsigned long min)
{
	unsigned long want = 4 * count, n = 1;

	if (ncpu > 0)
		want += (unsigned long)ncpu * LRU_PER_CPU;
	if (want < min)
		want = min;
	while (n < want && n < (1ul << 31))
		n <<= 1;
	return (__u32)n;
}

/*
 * A map with an entry per socket: when it is full, the least recently
 * active sockets lose their entry; the modes report those as sockets seen
 * without their start (owner unknown, never wrong).
 */
__u32 tt_socket_map_entries(unsigned long sockets, int ncpu)
{
	return lru_entries(sockets, ncpu, SOCKET_MAP_MIN);
}

/* Threads (tasks) in existence on the host, or 0: /proc/loadavg's "1/245". */
static unsigned long host_threads(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	unsigned long n = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%*s %*s %*s %*u/%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/*
 * A thread is inside one accept(2) or connect(2) at a time, so a map keyed
 * by the thread in the call needs an entry per thread at most. These maps
 * were 16,384 entries and their creation (an LRU hash touches every
 * preallocated entry) was a millisecond or more of start-up each on the
 * development VM. When one is full, the thread in its call longest loses
 * its entry: connect reports that attempt at its outcome instead of when
 * connect(2) returns.
 */
__u32 tt_thread_map_entries(unsigned long threads, int ncpu)
{
	return lru_entries(threads, ncpu, THREAD_MAP_MIN);
}

static int set_entries(struct bpf_object *obj, const char *name, __u32 n)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		return -ENOENT;
	if (bpf_map__max_entries(map) <= n)
		return 0;
	return bpf_map__set_max_entries(map, n) ? -errno : 0;
}

int tt_size_maps(struct bpf_object *obj, const struct tt_probe *p, const struct tt_plan *plan,
		 const struct tt_opts *o)
{
	const char *const *name;
	__u32 sockets, threads;
	int err = 0;

	/* Only -c counts in the kernel (common.bpf.h). */
	if (!o->count)
		err = set_entries(obj, "counts", 1);
	for (name = plan->idle_maps; !err && name && *name; name++)
		err = set_entries(obj, *name, 1);
	if (!err && p->socket_maps) {
		sockets = tt_socket_map_entries(tcp_sockets(), libbpf_num_possible_cpus());
		for (name = p->socket_maps; !err && *name; name++)
			err = set_entries(obj, *name, sockets);
	}
	if (!err && p->thread_maps) {
		threads = tt_thread_map_entries(host_threads(), libbpf_num_possible_cpus());
		for (name = p->thread_maps; !err && *name; name++)
			err = set_entries(obj, *name, threads);
	}
	return err;
}
