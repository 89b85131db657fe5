// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/enrich/enrich.c: the stage drives the enabled enrichers, in order, and only them. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "enrich/enrich.h"
#include "mode.h"

struct fake {
	int id;
	int records, enriched, detached, reported;
	bool drop_odd_pid;
};

static int finis;
static char calls[64];

static void called(char c)
{
	size_t n = strlen(calls);

	if (n + 1 < sizeof(calls))
		calls[n] = c, calls[n + 1] = '\0';
}

/* A fake's options: the level of -v-like flags it needs; enabled at 1 and up. */
static bool on(const void *opts)
{
	return opts && *(const int *)opts >= 1;
}

static int init(const struct tt_enrich_ctx *c, void **state, int id)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->id = id;
	f->drop_odd_pid = id == 2;
	*state = f;
	called((char)('0' + id));
	if (id == 2)
		tt_enrich_warn(c->w, "--b", "degraded: %d", 42);
	c->o->cfg.containers = 1;
	return 0;
}

static int init_a(const struct tt_enrich_ctx *c, void **state)
{
	return init(c, state, 1);
}

static int init_b(const struct tt_enrich_ctx *c, void **state)
{
	return init(c, state, 2);
}

static int init_fail(const struct tt_enrich_ctx *c, void **state)
{
	(void)c;
	*state = NULL;
	return -EPERM;
}

static void record(void *state, const void *data, size_t size)
{
	((struct fake *)state)->records++;
}

static bool enrich(void *state, const struct tt_event *e, const void **data)
{
	struct fake *f = state;

	f->enriched++;
	called(f->id == 1 ? 'a' : 'b');
	if (f->id == 1)
		*data = f;
	return !(f->drop_odd_pid && (e->pid & 1));
}

static void detach(void *state)
{
	((struct fake *)state)->detached++;
}

static void report(void *state, struct tt_writer *w, int verbose)
{
	((struct fake *)state)->reported++;
}

static void fini(void *state)
{
	finis++;
	free(state);
}

/* a: a table column at the mark, a key last; b: a titled column last (-c: none). */
static int cols_a(const struct tt_opts *o, const void *opts, enum tt_enrich_place at, bool count,
		  struct tt_col *c)
{
	(void)o, (void)opts, (void)count;
	c[0] = at == TT_PLACE_MARK ? (struct tt_col){ "A", NULL, 1 } : (struct tt_col){ NULL, "a", 2 };
	return 1;
}

static int cols_b(const struct tt_opts *o, const void *opts, enum tt_enrich_place at, bool count,
		  struct tt_col *c)
{
	(void)o, (void)opts;
	if (at != TT_PLACE_TAIL || count)
		return 0;
	c[0] = (struct tt_col){ "B", "b", 3 };
	return 1;
}

#define ALL (TT_EVBIT(TT_EV_CONNECT) | TT_EVBIT(TT_EV_ACCEPT) | TT_EVBIT(TT_EV_CLOSE))

static const struct tt_enricher a = {
	.name = "--a", .events = ALL, .opts_size = sizeof(int), .enabled = on, .cols = cols_a,
	.init = init_a, .rec_type = TT_REC_ENRICH, .record = record, .enrich = enrich,
	.detach = detach, .report = report, .fini = fini,
};
static const struct tt_enricher b = {
	.name = "--b", .events = TT_EVBIT(TT_EV_CONNECT), .opts_size = sizeof(int), .enabled = on,
	.cols = cols_b, .init = init_b, .rec_type = TT_REC_ENRICH + 1, .record = record,
	.enrich = enrich, .report = report, .fini = fini,
};
static const struct tt_enricher bad = {
	.name = "--bad", .events = ALL, .opts_size = sizeof(int), .enabled = on,
	.init = init_fail, .enrich = enrich, .fini = fini,
};

/* Sets a fake's options as its parser would. */
static void level(struct tt_opts *o, const struct tt_enricher *e, int n)
{
	*(int *)tt_enrich_opts(o, e) = n;
}

static void test_stage(void)
{
	const struct tt_enricher *const list[] = { &a, NULL, &b };
	struct tt_enrich_stage s;
	struct tt_opts o;
	struct tt_writer w = { .fmt = TT_FMT_JSON };
	struct tt_event e = { .pid = 2 };
	struct tt_extra x = { .data = { &e, &e } };
	uint8_t rec[8] = { TT_REC_ENRICH + 1 };
	char *out = NULL;
	size_t len;

	tt_opts_init(&o, "connect");
	level(&o, &a, 1);
	CHECK(tt_enrich_init(&s, &o, TT_EVBIT(TT_EV_CONNECT), &w, list, 3) == 0);
	CHECK(s.n == 1 && tt_enrich_active(&s) && o.cfg.containers == 1);
	tt_enrich_fini(&s);
	CHECK(finis == 1 && !tt_enrich_active(&s));

	/* b adds to connects only */
	level(&o, &b, 1);
	CHECK(tt_enrich_init(&s, &o, TT_EVBIT(TT_EV_ACCEPT), &w, list, 3) == 0);
	CHECK(s.n == 1 && s.e[0] == &a);
	tt_enrich_fini(&s);

	calls[0] = '\0';
	w.out = open_memstream(&out, &len);
	CHECK(tt_enrich_init(&s, &o, TT_EVBIT(TT_EV_CONNECT), &w, list, 3) == 0);
	fclose(w.out);
	CHECK(s.n == 2);
	CHECK_STR(calls, "12");
	CHECK_STR(out, "{\"event\":\"warning\",\"option\":\"--b\",\"message\":\"degraded: 42\"}\n");
	free(out);

	calls[0] = '\0';
	CHECK(tt_enrich_event(&s, &e, &x));
	CHECK_STR(calls, "ab");
	/* zeroed, then filled */
	CHECK(x.by[0] == &a && x.by[1] == &b && x.data[0] == s.state[0] && x.data[1] == NULL);
	CHECK(tt_extra_of(&x, &a) == s.state[0] && tt_extra_of(&x, &bad) == NULL);
	e.pid = 3;
	CHECK(!tt_enrich_event(&s, &e, &x)); /* the second one drops it */

	tt_enrich_record(&s, rec, sizeof(rec));
	rec[0] = TT_REC_ENRICH;
	tt_enrich_record(&s, rec, sizeof(rec));
	rec[0] = TT_REC_ENRICH + 7;
	tt_enrich_record(&s, rec, sizeof(rec));
	CHECK(((struct fake *)s.state[0])->records == 1 && ((struct fake *)s.state[1])->records == 1);
	CHECK(s.unknown_records == 1);

	tt_enrich_detach(&s);
	tt_enrich_report(&s, &w, 0);
	CHECK(((struct fake *)s.state[0])->detached == 1 && ((struct fake *)s.state[1])->reported == 1);
	finis = 0;
	tt_enrich_fini(&s);
	CHECK(finis == 2);
}

static void test_failed_init(void)
{
	const struct tt_enricher *const list[] = { &a, &bad, &b };
	struct tt_enrich_stage s;
	struct tt_opts o;
	struct tt_writer w = { .fmt = TT_FMT_TABLE, .out = stdout };

	tt_opts_init(&o, "connect");
	level(&o, &a, 1);
	level(&o, &bad, 1);
	level(&o, &b, 1);
	finis = 0;
	CHECK(tt_enrich_init(&s, &o, TT_EVBIT(TT_EV_CONNECT), &w, list, 3) == -EPERM);
	tt_enrich_fini(&s); /* the one that failed is finished too */
	CHECK(finis == 2);
}

static void test_registry_off_by_default(void)
{
	struct tt_enrich_stage s;
	struct tt_opts o;
	struct tt_writer w = { .fmt = TT_FMT_TABLE, .out = stdout };

	tt_opts_init(&o, "life");
	CHECK(tt_enrich_init(&s, &o, TT_EVBIT(TT_EV_CLOSE), &w, NULL, 0) == 0);
	CHECK(!tt_enrich_active(&s));
	tt_enrich_fini(&s);
}

/* Options: one zeroed slot per enricher, the same each time; none past TT_ENRICH_MAX. */
static void test_opts(void)
{
	static const struct tt_enricher e[TT_ENRICH_MAX + 1];
	struct tt_opts o;
	int i;

	tt_opts_init(&o, "connect");
	for (i = 0; i < TT_ENRICH_MAX; i++) {
		CHECK(!tt_enrich_opts_given(&o, &e[i]));
		CHECK(tt_enrich_opts(&o, &e[i]) == o.enrich[i].opts);
		CHECK(tt_enrich_opts(&o, &e[i]) == tt_enrich_opts_given(&o, &e[i]));
	}
	CHECK(!tt_enrich_opts(&o, &e[TT_ENRICH_MAX]));
}

/* The registry's own: each one complete, its columns its own, its options an argp child. */
static void test_registry(void)
{
	const struct tt_enricher *const *r;
	int i, n;

	r = tt_enrichers(&n);
	CHECK(n >= 2 && n <= TT_ENRICH_MAX);
	for (i = 0; i < n; i++) {
		CHECK(r[i]->name && r[i]->events && r[i]->argp && r[i]->enabled && r[i]->cols);
		CHECK(r[i]->format && r[i]->init && r[i]->enrich && r[i]->fini);
		CHECK(r[i]->opts_size <= TT_ENRICH_OPTS_MAX && !r[i]->enabled(NULL));
		CHECK(r[i]->rec_type >= TT_REC_ENRICH);
	}
}

/* Columns: the mark's place taken by the table columns, the rest last; -c rows too. */
static void test_cols(void)
{
	const struct tt_col in[] = { { "PID", "pid", TT_F_PID }, TT_COL_ENRICH,
				     { "N", "count", TT_F_COUNT } };
	struct tt_col out[TT_MAX_COLS];
	struct tt_opts o;
	int n;

	tt_opts_init(&o, "connect");
	n = tt_enrich_cols(&o, TT_EVBIT(TT_EV_CONNECT), false, in, 3, out);
	CHECK(n == 2 && out[0].field == TT_F_PID && out[1].field == TT_F_COUNT); /* mark dropped */
	CHECK(!out[0].by && !out[1].by);
}

/* The same through a registry-like list is what tt_mode_setup() does: see test_cols.c. */

int main(void)
{
	test_stage();
	test_failed_init();
	test_registry_off_by_default();
	test_opts();
	test_registry();
	test_cols();
	return tt_test_done("enrich");
}
