// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Count mode's rows: a bounded table keyed by the count key and enriched values. */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out/count.h"

void tt_counts_init(struct tt_counts *c, const struct tt_col *cols, int ncols)
{
	memset(c, 0, sizeof(*c));
	c->cols = cols;
	c->ncols = ncols;
}

void tt_count_key_of(const struct tt_event *e, unsigned fields, struct tt_count_key *key)
{
	memset(key, 0, sizeof(*key));
	key->family = e->family;
	if (fields & TT_COUNT_LADDR)
		memcpy(key->laddr, e->laddr, sizeof(key->laddr));
	if (fields & TT_COUNT_RADDR)
		memcpy(key->raddr, e->raddr, sizeof(key->raddr));
	if (fields & TT_COUNT_LPORT)
		key->lport = e->lport;
	if (fields & TT_COUNT_RPORT)
		key->rport = e->rport;
	if (fields & TT_COUNT_RESULT)
		key->result = (uint16_t)e->err;
}

static bool enriched(const struct tt_counts *c, int i)
{
	return c->cols[i].by != NULL;
}

/* FNV-1a over the key and the enriched values' text. */
static uint64_t hash(const struct tt_counts *c, const struct tt_count_key *key,
		     const struct tt_val *vals)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;
	int col;

	for (i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	for (col = 0; vals && col < c->ncols; col++) {
		if (!enriched(c, col))
			continue;
		for (p = (const unsigned char *)tt_val_str(&vals[col]); *p; p++)
			h = (h ^ *p) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull; /* "a","bc" is not "ab","c" */
		h = (h ^ (unsigned)vals[col].kind) * 0x100000001b3ull;
	}
	return h;
}

static bool same(const struct tt_counts *c, const struct tt_count_row *row,
		 const struct tt_count_key *key, const struct tt_val *vals)
{
	int col;

	if (memcmp(&row->key, key, sizeof(*key)))
		return false;
	if (!row->vals || !vals)
		return !row->vals && !vals;
	for (col = 0; col < c->ncols; col++)
		if (enriched(c, col) && (row->vals[col].kind != vals[col].kind ||
					 strcmp(tt_val_str(&row->vals[col]), tt_val_str(&vals[col]))))
			return false;
	return true;
}

static int grow_index(struct tt_counts *c)
{
	size_t cap = c->index_cap ? c->index_cap * 2 : 1024, i;
	uint32_t *index;

	while (cap < (c->n + 1) * 2) /* at most half full */
		cap *= 2;
	index = calloc(cap, sizeof(*index));
	if (!index)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		size_t slot = hash(c, &c->rows[i].key, c->rows[i].vals) & (cap - 1);

		while (index[slot])
			slot = (slot + 1) & (cap - 1);
		index[slot] = (uint32_t)(i + 1);
	}
	free(c->index);
	c->index = index;
	c->index_cap = cap;
	return 0;
}

/* A copy of the enriched values, owning their long text; NULL if none. */
static struct tt_val *copy_vals(const struct tt_counts *c, const struct tt_val *vals, int *err)
{
	struct tt_val *copy;
	int col;

	*err = 0;
	if (!vals)
		return NULL;
	copy = calloc((size_t)c->ncols, sizeof(*copy));
	if (!copy) {
		*err = -ENOMEM;
		return NULL;
	}
	for (col = 0; col < c->ncols; col++) {
		if (!enriched(c, col))
			continue;
		copy[col] = vals[col];
		if (vals[col].ref) {
			copy[col].ref = strdup(vals[col].ref);
			if (!copy[col].ref)
				*err = -ENOMEM;
		}
	}
	return copy;
}

static void free_vals(const struct tt_counts *c, struct tt_val *vals)
{
	int col;

	for (col = 0; vals && col < c->ncols; col++)
		free((char *)vals[col].ref);
	free(vals);
}

int tt_counts_add(struct tt_counts *c, const struct tt_count_key *key, const struct tt_val *vals,
		  uint64_t n)
{
	struct tt_count_row *row;
	size_t slot;
	int err;

	if (c->failed)
		return -ENOMEM;
	/* at most half full: probes stay short */
	if ((c->n + 1) * 2 > c->index_cap && grow_index(c)) {
		c->failed = true;
		return -ENOMEM;
	}
	slot = hash(c, key, vals) & (c->index_cap - 1);
	for (; c->index[slot]; slot = (slot + 1) & (c->index_cap - 1)) {
		row = &c->rows[c->index[slot] - 1];
		if (same(c, row, key, vals)) {
			row->count += n;
			return 0;
		}
	}
	if (c->n == TT_COUNT_ROWS_MAX) {
		c->dropped += n;
		return -ENOSPC;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct tt_count_row *grown = realloc(c->rows, cap * sizeof(*grown));

		if (!grown) {
			c->failed = true;
			return -ENOMEM;
		}
		c->rows = grown;
		c->cap = cap;
	}
	row = &c->rows[c->n];
	row->key = *key;
	row->count = n;
	row->vals = copy_vals(c, vals, &err);
	if (err) {
		free_vals(c, row->vals);
		c->failed = true;
		return err;
	}
	c->index[slot] = (uint32_t)(++c->n);
	return 0;
}

static int by_count_desc(const void *a, const void *b, void *ctx)
{
	const struct tt_count_row *x = a, *y = b;
	const struct tt_counts *sorting = ctx;
	int cmp, col;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	cmp = memcmp(&x->key, &y->key, sizeof(x->key));
	for (col = 0; !cmp && x->vals && y->vals && col < sorting->ncols; col++)
		if (enriched(sorting, col))
			cmp = strcmp(tt_val_str(&x->vals[col]), tt_val_str(&y->vals[col]));
	return cmp;
}

void tt_counts_sort(struct tt_counts *c)
{
	if (c->n < 2)
		return;
	qsort_r(c->rows, c->n, sizeof(*c->rows), by_count_desc, c);
	/* the index points at rows by position: rebuild it */
	free(c->index);
	c->index = NULL;
	c->index_cap = 0;
	if (grow_index(c))
		c->failed = true;
}

void tt_counts_free(struct tt_counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free_vals(c, c->rows[i].vals);
	free(c->rows);
	free(c->index);
	memset(c, 0, sizeof(*c));
}
