/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Count mode's rows (-c). Without enrichment the kernel aggregates into its
 * "counts" map and user space only collects the rows at exit; with an
 * enricher on, the row key includes what user space adds (a container, a
 * DNS name), so events stream to user space and are counted here: the key
 * is the kernel's struct tt_count_key plus the text of every enriched count
 * column. Bounded: at most TT_COUNT_ROWS_MAX rows; events beyond are
 * counted as dropped, never silently.
 */
#ifndef TCPTRACE_COUNT_H
#define TCPTRACE_COUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out/output.h"
#include "tcptrace/event.h"

#define TT_COUNT_ROWS_MAX 65536

struct tt_count_row {
	struct tt_count_key key;
	uint64_t count;
	struct tt_val *vals; /* by column: the enriched columns' values; NULL if none */
};

struct tt_counts {
	const struct tt_col *cols; /* the count columns (which of them are enriched) */
	int ncols;
	struct tt_count_row *rows;
	size_t n, cap;
	uint32_t *index; /* open addressing: row + 1, 0 = empty */
	size_t index_cap;
	uint64_t dropped; /* events not counted: no room for a new row */
	bool failed;	  /* out of memory */
};

void tt_counts_init(struct tt_counts *c, const struct tt_col *cols, int ncols);
/* The key the kernel's tt_count() would give e, for these TT_COUNT_* fields. */
void tt_count_key_of(const struct tt_event *e, unsigned fields, struct tt_count_key *key);
/*
 * Adds n to the row of key and, by column, the enriched values vals (NULL:
 * none). 0, or -ENOSPC (counted in dropped) / -ENOMEM.
 */
int tt_counts_add(struct tt_counts *c, const struct tt_count_key *key, const struct tt_val *vals,
		  uint64_t n);
/* Most counted first; ties in key order. */
void tt_counts_sort(struct tt_counts *c);
void tt_counts_free(struct tt_counts *c);

#endif /* TCPTRACE_COUNT_H */
