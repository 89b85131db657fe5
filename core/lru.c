// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A bounded LRU hash table (core/lru.h): chained buckets sized
 * for the bound at creation, nodes in one array that doubles as it fills
 * (up to the bound), a doubly linked recency list through the nodes. Links
 * are node indexes plus one, 0 being none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lru.h"

struct node {
	uint32_t hnext; /* next in the bucket's chain, or in the free list */
	uint32_t prev, next; /* recency: towards the head (newer), the tail (older) */
	uint32_t hash;
	/* the key, then the value at an 8-byte boundary */
};

/* Buckets at first; twice as many each time the entries outnumber them. */
#define BUCKETS_FIRST 1024u

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)
#define KEY_OFF ALIGN8(sizeof(struct node))

static struct node *node_at(const struct tt_lru *l, uint32_t ref)
{
	return (struct node *)(l->nodes + (size_t)(ref - 1) * l->node_size);
}

static void *key_of(const struct tt_lru *l, struct node *n)
{
	return (char *)n + KEY_OFF;
}

static void *val_of(const struct tt_lru *l, struct node *n)
{
	return (char *)n + KEY_OFF + ALIGN8(l->key_size);
}

/* FNV-1a. */
static uint32_t hash_key(const struct tt_lru *l, const void *key)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t i;

	for (i = 0; i < l->key_size; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

int tt_lru_init(struct tt_lru *l, size_t key_size, size_t val_size, uint32_t max,
		void (*evict)(void *ctx, const void *key, void *val), void *ctx)
{
	uint32_t nb = 16;

	memset(l, 0, sizeof(*l));
	if (!key_size || !max || max > (1u << 30))
		return -EINVAL;
	while (nb < max)
		nb <<= 1;
	l->maxbuckets = nb;
	if (nb > BUCKETS_FIRST)
		nb = BUCKETS_FIRST;
	l->buckets = calloc(nb, sizeof(*l->buckets));
	if (!l->buckets)
		return -ENOMEM;
	l->nbuckets = nb;
	l->key_size = (uint32_t)key_size;
	l->val_size = (uint32_t)val_size;
	l->node_size = (uint32_t)(KEY_OFF + ALIGN8(key_size) + ALIGN8(val_size));
	l->max = max;
	l->evict = evict;
	l->ctx = ctx;
	return 0;
}

void tt_lru_free(struct tt_lru *l)
{
	uint32_t ref;

	for (ref = l->head; ref && l->evict; ref = node_at(l, ref)->next)
		l->evict(l->ctx, key_of(l, node_at(l, ref)), val_of(l, node_at(l, ref)));
	free(l->buckets);
	free(l->nodes);
	memset(l, 0, sizeof(*l));
}

static void unlink_recency(struct tt_lru *l, uint32_t ref)
{
	struct node *n = node_at(l, ref);

	if (n->prev)
		node_at(l, n->prev)->next = n->next;
	else
		l->head = n->next;
	if (n->next)
		node_at(l, n->next)->prev = n->prev;
	else
		l->tail = n->prev;
	n->prev = n->next = 0;
}

static void push_head(struct tt_lru *l, uint32_t ref)
{
	struct node *n = node_at(l, ref);

	n->prev = 0;
	n->next = l->head;
	if (l->head)
		node_at(l, l->head)->prev = ref;
	l->head = ref;
	if (!l->tail)
		l->tail = ref;
}

/* The node of key, and the link that points to it (for unlinking). */
static uint32_t lookup(const struct tt_lru *l, const void *key, uint32_t hash, uint32_t **link)
{
	uint32_t *p = &l->buckets[hash & (l->nbuckets - 1)];

	while (*p) {
		struct node *n = node_at(l, *p);

		if (n->hash == hash && !memcmp(key_of(l, n), key, l->key_size)) {
			if (link)
				*link = p;
			return *p;
		}
		p = &n->hnext;
	}
	return 0;
}

void *tt_lru_find(struct tt_lru *l, const void *key)
{
	uint32_t ref = lookup(l, key, hash_key(l, key), NULL);

	if (!ref)
		return NULL;
	if (l->head != ref) {
		unlink_recency(l, ref);
		push_head(l, ref);
	}
	return val_of(l, node_at(l, ref));
}

void *tt_lru_peek(const struct tt_lru *l, const void *key)
{
	uint32_t ref = lookup(l, key, hash_key(l, key), NULL);

	return ref ? val_of(l, node_at(l, ref)) : NULL;
}

/* Unlinks node ref from its bucket and the recency list, onto the free list. */
static void drop(struct tt_lru *l, uint32_t ref)
{
	struct node *n = node_at(l, ref);
	uint32_t *link = NULL;

	lookup(l, key_of(l, n), n->hash, &link);
	*link = n->hnext;
	unlink_recency(l, ref);
	n->hnext = l->free;
	l->free = ref;
	l->n--;
}

bool tt_lru_remove(struct tt_lru *l, const void *key)
{
	uint32_t ref = lookup(l, key, hash_key(l, key), NULL);

	if (!ref)
		return false;
	drop(l, ref);
	return true;
}

bool tt_lru_evict_oldest(struct tt_lru *l)
{
	uint32_t ref = l->tail;
	struct node *n;

	if (!ref)
		return false;
	n = node_at(l, ref);
	if (l->evict)
		l->evict(l->ctx, key_of(l, n), val_of(l, n));
	drop(l, ref);
	l->evicted++;
	return true;
}

/* A free node: from the free list, the unused end of the array, or a bigger array. */
static uint32_t take_node(struct tt_lru *l)
{
	uint32_t ref = l->free, cap;
	unsigned char *nodes;

	if (ref) {
		l->free = node_at(l, ref)->hnext;
		return ref;
	}
	if (l->n + 1 > l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if (cap > l->max)
			cap = l->max;
		nodes = realloc(l->nodes, (size_t)cap * l->node_size);
		if (!nodes)
			return 0;
		l->nodes = nodes;
		l->cap = cap;
	}
	return l->n + 1; /* free list empty: nodes 1..n are all in use */
}

/*
 * Twice the buckets, every entry relinked by the hash it keeps; on failure
 * the chains just stay longer.
 */
static void grow_buckets(struct tt_lru *l)
{
	uint32_t nb = l->nbuckets * 2, ref, *b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (ref = l->head; ref; ref = node_at(l, ref)->next) {
		struct node *n = node_at(l, ref);

		n->hnext = b[n->hash & (nb - 1)];
		b[n->hash & (nb - 1)] = ref;
	}
	free(l->buckets);
	l->buckets = b;
	l->nbuckets = nb;
}

void *tt_lru_insert(struct tt_lru *l, const void *key, bool *fresh)
{
	uint32_t hash = hash_key(l, key), ref = lookup(l, key, hash, NULL), *bucket;
	struct node *n;

	*fresh = false;
	if (ref) {
		if (l->head != ref) {
			unlink_recency(l, ref);
			push_head(l, ref);
		}
		return val_of(l, node_at(l, ref));
	}
	if (l->n == l->max)
		tt_lru_evict_oldest(l);
	if (l->n >= l->nbuckets && l->nbuckets < l->maxbuckets)
		grow_buckets(l);
	ref = take_node(l);
	if (!ref)
		return NULL;
	n = node_at(l, ref);
	memset(n, 0, l->node_size);
	n->hash = hash;
	memcpy(key_of(l, n), key, l->key_size);
	bucket = &l->buckets[hash & (l->nbuckets - 1)];
	n->hnext = *bucket;
	*bucket = ref;
	push_head(l, ref);
	l->n++;
	*fresh = true;
	return val_of(l, n);
}
