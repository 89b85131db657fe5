/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Rendering a mode's columns in the unit tests: header, one row, JSON keys. */
#ifndef TT_TEST_RENDER_H
#define TT_TEST_RENDER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/enrich.h"
#include "modes.h"
#include "out/output.h"

/* What the writer wrote last; open_memstream() updates both until fclose(). */
static char *tt_test_mem;
static size_t tt_test_len;

static inline FILE *tt_test_open(struct tt_writer *w)
{
	free(tt_test_mem);
	tt_test_mem = NULL;
	w->out = open_memstream(&tt_test_mem, &tt_test_len);
	return w->out;
}

/* The table or CSV header a column list renders to. */
static inline const char *header(const struct tt_col *cols, int n, enum tt_format fmt)
{
	struct tt_writer w = { .fmt = fmt, .cols = cols, .ncols = n };

	tt_test_open(&w);
	tt_write_header(&w);
	fclose(w.out);
	return tt_test_mem;
}

/* One event through a column list (times in UTC, relative to this event). */
static inline const char *row(const struct tt_col *cols, int n, enum tt_format fmt,
			      const struct tt_event *e)
{
	struct tt_clock clk = { .first_ns = 0, .mono_to_real = 0, .utc = true };
	struct tt_writer w = { .fmt = fmt, .cols = cols, .ncols = n };
	struct tt_src src = { .e = e };

	tt_test_open(&w);
	tt_write_src(&w, &src, &clk);
	fclose(w.out);
	return tt_test_mem;
}

/* The JSON keys of a column list, space-separated. */
static inline const char *keys(const struct tt_col *cols, int n)
{
	static char buf[512];
	int i;

	buf[0] = 0;
	for (i = 0; i < n; i++)
		if (cols[i].key) {
			strcat(buf, buf[0] ? " " : "");
			strcat(buf, cols[i].key);
		}
	return buf;
}

/* A mode's columns with the enrichers' put in, as tt_mode_setup() gives them. */
static inline int with_enrichers(int (*fn)(const struct tt_opts *, struct tt_col *),
				 const struct tt_opts *o, unsigned events, bool count,
				 struct tt_col *out)
{
	struct tt_col c[TT_MAX_COLS];

	return tt_enrich_cols(o, events, count, c, fn(o, c), out);
}

#define connect_cols(o, c) with_enrichers(tt_connect_cols, o, TT_EVBIT(TT_EV_CONNECT), false, c)
#define connect_count_cols(o, c)                                                           \
	with_enrichers(tt_connect_count_cols, o, TT_EVBIT(TT_EV_CONNECT), true, c)
#define accept_cols(o, c) with_enrichers(tt_accept_cols, o, TT_EVBIT(TT_EV_ACCEPT), false, c)
#define accept_count_cols(o, c)                                                            \
	with_enrichers(tt_accept_count_cols, o, TT_EVBIT(TT_EV_ACCEPT), true, c)
#define life_cols(o, c) with_enrichers(tt_life_cols, o, TT_EVBIT(TT_EV_CLOSE), false, c)

/*
 * An enricher's option as on the command line of a mode writing events
 * ("-d", "--containers"), parsed by the enrichers' own argp children, as
 * tt_mode_setup() does; the rest of o is kept.
 */
static inline void enrich_opt(struct tt_opts *o, unsigned events, const char *opt)
{
	struct argp_child children[TT_ENRICH_MAX + 1] = { 0 };
	const struct argp argp = { .parser = tt_argp_pass_input, .children = children };
	char *argv[] = { (char *)"tcptrace", (char *)opt, NULL };
	int idx;

	tt_enrich_children(events, children, TT_ENRICH_MAX);
	argp_parse(&argp, 2, argv, ARGP_NO_ERRS | ARGP_NO_HELP, &idx, o);
}

#endif
