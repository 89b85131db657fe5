/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A bounded hash table of fixed-size keys and values that forgets its least
 * recently used entry to make room: the user-space caches' building block.
 * Memory grows with use up to the bound, never beyond: its nodes and its
 * buckets both (a table bounded at 262,144 that holds a few thousand keeps
 * its buckets in cache).
 */
#ifndef TCPTRACE_LRU_H
#define TCPTRACE_LRU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tt_lru {
	uint32_t key_size, val_size, node_size;
	uint32_t max;	   /* entries at most */
	uint32_t n;	   /* entries now */
	uint32_t cap;	   /* nodes allocated */
	uint32_t nbuckets; /* a power of two; doubles as entries outnumber it */
	uint32_t maxbuckets; /* what it doubles up to: the bound's power of two */
	uint32_t *buckets; /* node index + 1 of each chain's head; 0: empty */
	unsigned char *nodes;
	uint32_t head, tail; /* most and least recently used, index + 1 */
	uint32_t free;	     /* a free node, index + 1, chained through its hash link */
	uint64_t evicted;
	/* Called for an entry forgotten to make room, and for each at tt_lru_free(). */
	void (*evict)(void *ctx, const void *key, void *val);
	void *ctx;
};

/* 0 or -ENOMEM/-EINVAL. evict may be NULL. */
int tt_lru_init(struct tt_lru *l, size_t key_size, size_t val_size, uint32_t max,
		void (*evict)(void *ctx, const void *key, void *val), void *ctx);
/* Calls evict for every entry left, then frees everything. */
void tt_lru_free(struct tt_lru *l);

/*
 * The value of key, now the most recently used, or NULL. Values are
 * aligned to 8 bytes; a pointer to one is valid until the next insert or
 * remove.
 */
void *tt_lru_find(struct tt_lru *l, const void *key);
/* The value of key without making it the most recently used (a pure lookup), or NULL. */
void *tt_lru_peek(const struct tt_lru *l, const void *key);
/*
 * The value of key, created zeroed (*fresh set) if it was not there,
 * forgetting the least recently used entry if the table is full. NULL:
 * out of memory.
 */
void *tt_lru_insert(struct tt_lru *l, const void *key, bool *fresh);
/* Removes key (evict is not called); false if it was not there. */
bool tt_lru_remove(struct tt_lru *l, const void *key);
/* Forgets the least recently used entry (evict is called); false if empty. */
bool tt_lru_evict_oldest(struct tt_lru *l);

#endif /* TCPTRACE_LRU_H */
