// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/enrich.c: the stage drives the enabled enrichers, in order, and only them. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "tcptrace/enrich.h"
#include "tcptrace/mode.h"

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

static bool on_a(const struct tt_opts *o)
{
	return o->verbose >= 1;
}

static bool on_b(const struct tt_opts *o)
{
	return o->verbose >= 2;
}

static int init(struct tt_opts *o, struct tt_writer *w, void **state, int id)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->id = id;
	f->drop_odd_pid = id == 2;
	*state = f;
	called((char)('0' + id));
	if (id == 2)
		tt_enrich_warn(w, "--b", "degraded: %d", 42);
	o->cfg.containers = 1;
	return 0;
}

static int init_a(struct tt_opts *o, struct tt_writer *w, void **state)
{
	return init(o, w, state, 1);
}

static int init_b(struct tt_opts *o, struct tt_writer *w, void **state)
{
	return init(o, w, state, 2);
}

static int init_fail(struct tt_opts *o, struct tt_writer *w, void **state)
{
	*state = NULL;
	return -EPERM;
}

static void record(void *state, const void *data, size_t size)
{
	((struct fake *)state)->records++;
}

static bool enrich(void *state, const struct tt_event *e, struct tt_extra *x)
{
	struct fake *f = state;

	f->enriched++;
	called(f->id == 1 ? 'a' : 'b');
	if (f->id == 1)
		x->ctr = (const void *)f;
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

static const struct tt_enricher a = { "--a", on_a, init_a, NULL, TT_REC_ENRICH, record, enrich,
				      detach, report, fini };
static const struct tt_enricher b = { "--b", on_b, init_b, NULL, TT_REC_ENRICH + 1, record,
				      enrich, NULL, report, fini };
static const struct tt_enricher bad = { "--bad", on_a, init_fail, NULL, 0, NULL, enrich, NULL,
					NULL, fini };

static void test_stage(void)
{
	const struct tt_enricher *const list[] = { &a, NULL, &b };
	struct tt_enrich_stage s;
	struct tt_opts o;
	struct tt_writer w = { .fmt = TT_FMT_JSON };
	struct tt_event e = { .pid = 2 };
	struct tt_extra x = { .dns = (const void *)&e };
	uint8_t rec[8] = { TT_REC_ENRICH + 1 };
	char *out = NULL;
	size_t len;

	tt_opts_init(&o, "connect");
	o.verbose = 1;
	CHECK(tt_enrich_init(&s, &o, &w, list, 3) == 0);
	CHECK(s.n == 1 && tt_enrich_active(&s) && o.cfg.containers == 1);
	tt_enrich_fini(&s);
	CHECK(finis == 1 && !tt_enrich_active(&s));

	o.verbose = 2;
	calls[0] = '\0';
	w.out = open_memstream(&out, &len);
	CHECK(tt_enrich_init(&s, &o, &w, list, 3) == 0);
	fclose(w.out);
	CHECK(s.n == 2);
	CHECK_STR(calls, "12");
	CHECK_STR(out, "{\"event\":\"warning\",\"option\":\"--b\",\"message\":\"degraded: 42\"}\n");
	free(out);

	calls[0] = '\0';
	CHECK(tt_enrich_event(&s, &e, &x));
	CHECK_STR(calls, "ab");
	CHECK(x.ctr == s.state[0] && x.dns == NULL); /* zeroed, then filled */
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
	o.verbose = 1;
	finis = 0;
	CHECK(tt_enrich_init(&s, &o, &w, list, 3) == -EPERM);
	tt_enrich_fini(&s); /* the one that failed is finished too */
	CHECK(finis == 2);
}

static void test_registry_off_by_default(void)
{
	struct tt_enrich_stage s;
	struct tt_opts o;
	struct tt_writer w = { .fmt = TT_FMT_TABLE, .out = stdout };

	tt_opts_init(&o, "life");
	CHECK(tt_enrich_init(&s, &o, &w, NULL, 0) == 0);
	CHECK(!tt_enrich_active(&s));
	tt_enrich_fini(&s);
}

int main(void)
{
	test_stage();
	test_failed_init();
	test_registry_off_by_default();
	return tt_test_done("enrich");
}
