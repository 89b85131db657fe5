// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The enrichment stage (core/enrich/enrich.h): the registry of
 * enrichers and the calls the runner makes into the enabled ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "enrich/enrich.h"
#include "mode.h"
#include "out/output.h"

#define TT_ENRICHER(name) extern const struct tt_enricher tt_##name##_enricher;
#include "enrichers.def"
#undef TT_ENRICHER

static const struct tt_enricher *const registry[] = {
#define TT_ENRICHER(name) &tt_##name##_enricher,
#include "enrichers.def"
#undef TT_ENRICHER
};

/* Every enricher has an options slot: tt_enrich_opts() never fails for one of these. */
_Static_assert(sizeof(registry) / sizeof(registry[0]) <= TT_ENRICH_MAX, "TT_ENRICH_MAX");

const struct tt_enricher *const *tt_enrichers(int *n)
{
	*n = (int)(sizeof(registry) / sizeof(registry[0]));
	return registry;
}

void *tt_enrich_opts(struct tt_opts *o, const struct tt_enricher *e)
{
	int i;

	if (e->opts_size > TT_ENRICH_OPTS_MAX)
		return NULL;
	for (i = 0; i < TT_ENRICH_MAX; i++) {
		if (o->enrich[i].by == e)
			return o->enrich[i].opts;
		if (!o->enrich[i].by) {
			o->enrich[i].by = e;
			memset(o->enrich[i].opts, 0, sizeof(o->enrich[i].opts));
			return o->enrich[i].opts;
		}
	}
	return NULL;
}

const void *tt_enrich_opts_given(const struct tt_opts *o, const struct tt_enricher *e)
{
	int i;

	for (i = 0; i < TT_ENRICH_MAX; i++)
		if (o->enrich[i].by == e)
			return o->enrich[i].opts;
	return NULL;
}

bool tt_enrich_enabled(const struct tt_opts *o, const struct tt_enricher *e)
{
	return e->enabled(tt_enrich_opts_given(o, e));
}

int tt_enrich_children(unsigned events, struct argp_child *children, int max)
{
	int i, n = 0;

	for (i = 0; i < (int)(sizeof(registry) / sizeof(registry[0])) && n < max; i++)
		if ((registry[i]->events & events) && registry[i]->argp)
			children[n++] = (struct argp_child){ registry[i]->argp, 0, NULL, 0 };
	return n;
}

/* The columns of the enabled enrichers at one place, appended at out + n. */
static int place(const struct tt_opts *o, unsigned events, bool count, enum tt_enrich_place at,
		 struct tt_col *out, int n)
{
	struct tt_col c[TT_MAX_COLS];
	int i, j, k;

	for (i = 0; i < (int)(sizeof(registry) / sizeof(registry[0])); i++) {
		const struct tt_enricher *e = registry[i];

		if (!(e->events & events) || !tt_enrich_enabled(o, e))
			continue;
		k = e->cols(o, tt_enrich_opts_given(o, e), at, count, c);
		for (j = 0; j < k && n < TT_MAX_COLS; j++) {
			out[n] = c[j];
			out[n++].by = e;
		}
	}
	return n;
}

int tt_enrich_cols(const struct tt_opts *o, unsigned events, bool count, const struct tt_col *in,
		   int n, struct tt_col *out)
{
	int i, m = 0;

	for (i = 0; i < n && m < TT_MAX_COLS; i++) {
		if (!in[i].by && in[i].field == TT_F_ENRICH)
			m = place(o, events, count, TT_PLACE_MARK, out, m);
		else
			out[m++] = in[i];
	}
	return place(o, events, count, TT_PLACE_TAIL, out, m);
}

int tt_enrich_init(struct tt_enrich_stage *s, struct tt_opts *o, unsigned events,
		   struct tt_writer *w, const struct tt_enricher *const *list, int n)
{
	int i, err;

	memset(s, 0, sizeof(*s));
	if (!list)
		list = tt_enrichers(&n);
	for (i = 0; i < n; i++) {
		const struct tt_enricher *e = list[i];
		struct tt_enrich_ctx c = { o, NULL, events, w };

		if (!e || !(e->events & events) || !tt_enrich_enabled(o, e))
			continue;
		c.opts = tt_enrich_opts_given(o, e);
		if (s->n == TT_ENRICH_MAX)
			return -E2BIG;
		s->e[s->n] = e;
		err = e->init(&c, &s->state[s->n]);
		if (err < 0)
			return err;
		s->n++;
	}
	return 0;
}

int tt_enrich_attach(struct tt_enrich_stage *s, struct bpf_object *mode_obj, int events_fd)
{
	int i, err;

	for (i = 0; i < s->n; i++) {
		if (!s->e[i]->attach)
			continue;
		err = s->e[i]->attach(s->state[i], mode_obj, events_fd);
		if (err < 0)
			return err;
	}
	return 0;
}

void tt_enrich_record(struct tt_enrich_stage *s, const void *data, size_t size)
{
	uint8_t type = *(const uint8_t *)data;
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i]->rec_type == type && s->e[i]->record) {
			s->e[i]->record(s->state[i], data, size);
			return;
		}
	s->unknown_records++;
}

bool tt_enrich_event(struct tt_enrich_stage *s, const struct tt_event *e, struct tt_extra *x)
{
	int i;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < s->n; i++) {
		x->by[i] = s->e[i];
		if (!s->e[i]->enrich(s->state[i], e, &x->data[i]))
			return false;
	}
	return true;
}

void tt_enrich_detach(struct tt_enrich_stage *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i]->detach)
			s->e[i]->detach(s->state[i]);
}

void tt_enrich_report(struct tt_enrich_stage *s, struct tt_writer *w, int verbose)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i]->report)
			s->e[i]->report(s->state[i], w, verbose);
}

void tt_enrich_fini(struct tt_enrich_stage *s)
{
	int i;

	/* also the one whose init failed: it may hold a partial state */
	for (i = 0; i < TT_ENRICH_MAX && s->e[i]; i++)
		if (s->e[i]->fini)
			s->e[i]->fini(s->state[i]);
	memset(s, 0, sizeof(*s));
}

void tt_enrich_warn(struct tt_writer *w, const char *option, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tt_warn(w, option, option, "%s", msg);
}
