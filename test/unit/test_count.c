// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/out/count.c: count rows keyed by the count key and the enriched columns' text. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "out/count.h"

/* An enricher, as far as columns go: only its address counts. */
static const struct tt_enricher *const enricher = (const void *)&enricher;

/* A count table: two plain columns, one enriched. */
static const struct tt_col cols[] = {
	{ "RADDR", "raddr", TT_F_RADDR, 16 },
	{ "X", "x", 0, 8, 0, 0, enricher },
	{ "N", "count", TT_F_COUNT, 4 },
};

static struct tt_val *vals(const char *x, const char *ref)
{
	static struct tt_val v[3];

	memset(v, 0, sizeof(v));
	snprintf(v[1].text, sizeof(v[1].text), "%s", x ? x : "-");
	v[1].kind = x ? TT_J_STR : TT_J_NULL;
	v[1].ref = ref;
	/* the plain columns' values are not part of the key */
	snprintf(v[0].text, sizeof(v[0].text), "junk%d", rand());
	return v;
}

static void test_key_of(void)
{
	struct tt_event e = { .family = AF_INET, .lport = 1, .rport = 2, .err = 111 };
	struct tt_count_key k;

	e.laddr[0] = 10;
	e.raddr[0] = 20;
	tt_count_key_of(&e, TT_COUNT_RADDR | TT_COUNT_RPORT, &k);
	CHECK(k.family == AF_INET && k.rport == 2 && k.lport == 0 && k.result == 0);
	CHECK(k.raddr[0] == 20 && k.laddr[0] == 0);
	tt_count_key_of(&e, TT_COUNT_LADDR | TT_COUNT_LPORT | TT_COUNT_RESULT, &k);
	CHECK(k.lport == 1 && k.rport == 0 && k.result == 111 && k.laddr[0] == 10 && k.raddr[0] == 0);
}

static void test_rows(void)
{
	struct tt_counts c;
	struct tt_count_key a = { .family = AF_INET, .rport = 80 }, b = a;
	char longname[300];

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	b.rport = 443;
	tt_counts_init(&c, cols, 3);
	CHECK(tt_counts_add(&c, &a, vals("web", NULL), 1) == 0);
	CHECK(tt_counts_add(&c, &a, vals("web", NULL), 1) == 0);
	CHECK(tt_counts_add(&c, &a, vals("db", NULL), 1) == 0);
	CHECK(tt_counts_add(&c, &a, vals(NULL, NULL), 1) == 0);
	CHECK(tt_counts_add(&c, &b, vals("web", NULL), 5) == 0);
	/* long text by reference: copied, and keyed by its whole length */
	CHECK(tt_counts_add(&c, &a, vals("short", longname), 1) == 0);
	longname[299 - 1] = 'm';
	CHECK(tt_counts_add(&c, &a, vals("short", longname), 2) == 0);
	CHECK(c.n == 6);
	tt_counts_sort(&c);
	CHECK(c.rows[0].count == 5 && c.rows[0].key.rport == 443);
	CHECK_STR(c.rows[0].vals[1].text, "web");
	CHECK(c.rows[1].count == 2 && c.rows[1].vals[1].ref && c.rows[1].vals[1].ref != longname);
	CHECK(c.rows[1].vals[1].ref && c.rows[1].vals[1].ref[298 - 1] == 'n');
	CHECK(c.rows[2].count == 2);
	CHECK_STR(c.rows[2].vals[1].text, "web");
	/* null and "-" text differ by kind */
	CHECK(tt_counts_add(&c, &a, vals(NULL, NULL), 1) == 0);
	CHECK(c.n == 6);
	tt_counts_free(&c);
	CHECK(c.n == 0 && c.rows == NULL);
}

static void test_plain_rows_merge(void)
{
	struct tt_counts c;
	struct tt_count_key k = { .family = AF_INET6 };
	unsigned i;

	tt_counts_init(&c, cols, 1); /* no enriched column */
	for (i = 0; i < 5000; i++) {
		k.rport = (uint16_t)(i % 2000);
		CHECK(tt_counts_add(&c, &k, NULL, 1) == 0);
	}
	CHECK(c.n == 2000);
	tt_counts_sort(&c);
	CHECK(c.rows[0].count == 3 && c.rows[1999].count == 2);
	/* after sorting, rows are still found (the index is rebuilt) */
	k.rport = 7;
	CHECK(tt_counts_add(&c, &k, NULL, 10) == 0 && c.n == 2000);
	tt_counts_free(&c);
}

static void test_bounded(void)
{
	struct tt_counts c;
	struct tt_count_key k = { .family = AF_INET };
	unsigned i;
	int err = 0;

	tt_counts_init(&c, cols, 1);
	for (i = 0; i < TT_COUNT_ROWS_MAX + 10 && !err; i++) {
		memcpy(k.raddr, &i, sizeof(i));
		err = tt_counts_add(&c, &k, NULL, 1);
	}
	CHECK(err == -ENOSPC && c.n == TT_COUNT_ROWS_MAX && c.dropped == 1);
	/* a known row still counts */
	i = 3;
	memcpy(k.raddr, &i, sizeof(i));
	CHECK(tt_counts_add(&c, &k, NULL, 1) == 0);
	tt_counts_free(&c);
}

int main(void)
{
	test_key_of();
	test_rows();
	test_plain_rows_merge();
	test_bounded();
	return tt_test_done("count");
}
