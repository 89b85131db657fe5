// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A bounded LRU cache: a hash table of chains plus a recency list (include/tcptrace/lru.h). */
#include <errno.h>
#include <stdlib.h>

#include "tcptrace/lru.h"

int tt_lru_init(struct tt_lru *l, size_t max, void (*evict)(struct tt_lru_node *, void *),
		void *ctx)
{
	size_t nb = 16;

	while (nb < max) /* at most one entry per bucket on average */
		nb *= 2;
	l->buckets = calloc(nb, sizeof(*l->buckets));
	if (!l->buckets)
		return -ENOMEM;
	l->mask = nb - 1;
	l->n = 0;
	l->max = max ? max : 1;
	l->head.prev = l->head.next = &l->head;
	l->evict = evict;
	l->ctx = ctx;
	l->evicted = 0;
	return 0;
}

static void unlink_list(struct tt_lru_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
}

static void push_front(struct tt_lru *l, struct tt_lru_node *node)
{
	node->prev = &l->head;
	node->next = l->head.next;
	l->head.next->prev = node;
	l->head.next = node;
}

struct tt_lru_node *tt_lru_get(struct tt_lru *l, uint64_t hash,
			       bool (*same)(const struct tt_lru_node *node, const void *key),
			       const void *key)
{
	struct tt_lru_node *node;

	for (node = l->buckets[hash & l->mask]; node; node = node->chain)
		if (node->hash == hash && same(node, key))
			break;
	if (node && l->head.next != node) {
		unlink_list(node);
		push_front(l, node);
	}
	return node;
}

static void remove_node(struct tt_lru *l, struct tt_lru_node *node)
{
	struct tt_lru_node **p = &l->buckets[node->hash & l->mask];

	while (*p != node)
		p = &(*p)->chain;
	*p = node->chain;
	unlink_list(node);
	l->n--;
}

void tt_lru_put(struct tt_lru *l, struct tt_lru_node *node, uint64_t hash)
{
	struct tt_lru_node **bucket = &l->buckets[hash & l->mask];

	if (l->n >= l->max) {
		struct tt_lru_node *old = l->head.prev;

		remove_node(l, old);
		l->evicted++;
		l->evict(old, l->ctx);
	}
	node->hash = hash;
	node->chain = *bucket;
	*bucket = node;
	push_front(l, node);
	l->n++;
}

void tt_lru_free(struct tt_lru *l)
{
	if (!l->buckets)
		return;
	while (l->n) {
		struct tt_lru_node *old = l->head.prev;

		remove_node(l, old);
		l->evict(old, l->ctx);
	}
	free(l->buckets);
	l->buckets = NULL;
}

/* splitmix64's finalizer: ids that differ in low bits spread over the table. */
uint64_t tt_hash_u64(uint64_t v)
{
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ull;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

/* FNV-1a. */
uint64_t tt_hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h;
}
