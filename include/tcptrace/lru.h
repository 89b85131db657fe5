/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounded least-recently-used cache (core/lru.c): nodes embedded in the
 * caller's entries, found by a 64-bit hash and the caller's comparison. At
 * most max entries: inserting one more evicts the least recently used,
 * which the cache hands to the caller's evict() to free. O(1) per lookup.
 */
#ifndef TCPTRACE_LRU_H
#define TCPTRACE_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tt_lru_node {
	struct tt_lru_node *prev, *next; /* most recently used first */
	struct tt_lru_node *chain;	 /* next in the hash bucket */
	uint64_t hash;
};

struct tt_lru {
	struct tt_lru_node **buckets;
	size_t mask; /* buckets - 1, a power of two minus one */
	size_t n, max;
	struct tt_lru_node head; /* the list's sentinel */
	void (*evict)(struct tt_lru_node *node, void *ctx);
	void *ctx;
	uint64_t evicted;
};

/* 0 or -ENOMEM. evict frees an entry the cache lets go (also at tt_lru_free). */
int tt_lru_init(struct tt_lru *l, size_t max, void (*evict)(struct tt_lru_node *, void *),
		void *ctx);
/* The node of this hash that same() accepts, now the most recent; NULL if none. */
struct tt_lru_node *tt_lru_get(struct tt_lru *l, uint64_t hash,
			       bool (*same)(const struct tt_lru_node *node, const void *key),
			       const void *key);
/* Adds node (not in the cache) as the most recent, evicting the least recent if full. */
void tt_lru_put(struct tt_lru *l, struct tt_lru_node *node, uint64_t hash);
/* Evicts every entry and frees the table. */
void tt_lru_free(struct tt_lru *l);

uint64_t tt_hash_u64(uint64_t v);
uint64_t tt_hash_str(const char *s);

#endif /* TCPTRACE_LRU_H */
