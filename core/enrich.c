// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The enrichment stage (include/tcptrace/enrich.h): the registry of
 * enrichers and the calls the runner makes into the enabled ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcptrace/core.h"
#include "tcptrace/enrich.h"
#include "tcptrace/output.h"

extern const struct tt_enricher tt_containers_enricher;
extern const struct tt_enricher tt_dns_enricher;

/* The registry, in the order they enrich an event. */
static const struct tt_enricher *const registry[] = {
	&tt_containers_enricher,
	&tt_dns_enricher,
};

int tt_enrich_init(struct tt_enrich_stage *s, struct tt_opts *o, struct tt_writer *w,
		   const struct tt_enricher *const *list, int n)
{
	int i, err;

	memset(s, 0, sizeof(*s));
	if (!list) {
		list = registry;
		n = (int)(sizeof(registry) / sizeof(registry[0]));
	}
	for (i = 0; i < n; i++) {
		const struct tt_enricher *e = list[i];

		if (!e || !e->enabled(o))
			continue;
		if (s->n == TT_ENRICH_MAX)
			return -E2BIG;
		s->e[s->n] = e;
		err = e->init(o, w, &s->state[s->n]);
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
	for (i = 0; i < s->n; i++)
		if (!s->e[i]->enrich(s->state[i], e, x))
			return false;
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
