// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/lru.c: bounded, least recently used out first, every entry freed. */
#include <stdlib.h>

#include "check.h"
#include "tcptrace/lru.h"

struct item {
	struct tt_lru_node node;
	uint64_t key;
};

static int freed;
static uint64_t last_freed;

static void evict(struct tt_lru_node *n, void *ctx)
{
	freed++;
	last_freed = ((struct item *)n)->key;
	free(n);
}

static bool same(const struct tt_lru_node *n, const void *key)
{
	return ((const struct item *)n)->key == *(const uint64_t *)key;
}

static void add(struct tt_lru *l, uint64_t key)
{
	struct item *it = calloc(1, sizeof(*it));

	it->key = key;
	tt_lru_put(l, &it->node, tt_hash_u64(key));
}

static bool has(struct tt_lru *l, uint64_t key)
{
	return tt_lru_get(l, tt_hash_u64(key), same, &key) != NULL;
}

int main(void)
{
	struct tt_lru l;
	uint64_t k;

	CHECK(tt_lru_init(&l, 3, evict, NULL) == 0);
	add(&l, 1);
	add(&l, 2);
	add(&l, 3);
	CHECK(l.n == 3 && freed == 0);
	CHECK(has(&l, 1)); /* 1 is now the most recent: 2 goes first */
	add(&l, 4);
	CHECK(l.n == 3 && freed == 1 && last_freed == 2);
	CHECK(!has(&l, 2) && has(&l, 1) && has(&l, 3) && has(&l, 4));
	add(&l, 5); /* 1, 3, 4 were used in that order: 1 goes */
	CHECK(last_freed == 1 && l.evicted == 2);
	tt_lru_free(&l);
	CHECK(freed == 5);

	/* many keys sharing buckets: still exact and bounded */
	freed = 0;
	CHECK(tt_lru_init(&l, 1000, evict, NULL) == 0);
	for (k = 0; k < 100000; k++)
		add(&l, k * 4096);
	CHECK(l.n == 1000 && freed == 99000);
	CHECK(has(&l, 99999 * 4096ull) && has(&l, 99000 * 4096ull) && !has(&l, 98999 * 4096ull));
	tt_lru_free(&l);
	CHECK(freed == 100000);

	CHECK(tt_hash_str("a") != tt_hash_str("b"));
	CHECK(tt_hash_u64(1) != tt_hash_u64(2));
	return tt_test_done("lru");
}
