/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The enrichment stage: the one place, between decoding an event and
 * writing it, where an event gains what user space knows and the kernel
 * does not (the container of its cgroup id, the DNS name its destination
 * was resolved from), and where the filters that need that knowledge drop
 * it (--container).
 *
 * An enricher is one module (core/enrich/<name>/) and one line of
 * core/enrich/enrichers.def. It brings everything of its feature: its
 * options (an argp child, offered by the modes whose events it adds to),
 * its columns (the table's after COMM, where the mode puts TT_F_ENRICH,
 * and its JSON keys last), the formatting of its fields, its privilege
 * rows and its counters. It is set up before the mode's BPF object opens
 * (it may switch on rodata such as tt_config.containers), may load and
 * attach BPF programs of its own that write into the mode's ring buffer
 * (records of its own type, so that they arrive in order with the events),
 * enriches one event at a time with a bounded cache, and is torn down at
 * exit. Modes and the runner never name one.
 */
#ifndef TCPTRACE_ENRICH_H
#define TCPTRACE_ENRICH_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out/output.h"
#include "tcptrace/event.h"

struct bpf_object;
struct tt_opts;
struct tt_priv_entry;

#define TT_ENRICH_MAX 4
/* The most an enricher's parsed options may take (its opts_size). */
#define TT_ENRICH_OPTS_MAX 256

/* An event type as a bit of a mask (struct tt_enricher.events, tt_probe.events). */
#define TT_EVBIT(type) (1u << (type))

/*
 * What the enrichers add to one event: for each enricher of the stage, what
 * it knows (its own type, defined in its own header; NULL: unknown), valid
 * until the event is written or counted.
 */
struct tt_extra {
	const struct tt_enricher *by[TT_ENRICH_MAX];
	const void *data[TT_ENRICH_MAX];
};

/* What one of an enricher's columns formats from (NULL: nothing known). */
static inline const void *tt_extra_of(const struct tt_extra *x, const struct tt_enricher *e)
{
	int i;

	for (i = 0; x && i < TT_ENRICH_MAX; i++)
		if (x->by[i] == e)
			return x->data[i];
	return NULL;
}

/* Where a mode's columns take an enricher's (struct tt_enricher.cols). */
enum tt_enrich_place {
	TT_PLACE_MARK, /* at the mode's TT_F_ENRICH column: after COMM, or first in -c rows */
	TT_PLACE_TAIL, /* after the mode's columns */
};

/* What init() gets. */
struct tt_enrich_ctx {
	struct tt_opts *o;	/* the run's options: init may set o->cfg */
	const void *opts;	/* its own parsed options */
	unsigned events;	/* the mode's event types (TT_EVBIT) */
	struct tt_writer *w;	/* for warnings */
};

struct tt_enricher {
	const char *name;	/* the option that enables it: "--containers" */
	unsigned events;	/* the event types it adds to (TT_EVBIT) */
	/*
	 * Its options, an argp child of every mode that writes one of events:
	 * the parser gets the struct tt_opts as input and keeps what it
	 * parses in tt_enrich_opts(o, itself), opts_size zeroed bytes.
	 */
	const struct argp *argp;
	size_t opts_size;
	/* Whether its options (NULL: none given) enable it. */
	bool (*enabled)(const void *opts);
	/*
	 * Its columns at one place, for these options: appended to cols,
	 * returns how many. count: the rows of -c, keyed by their text.
	 * Each column's field is the enricher's own number, its `by` itself.
	 */
	int (*cols)(const struct tt_opts *o, const void *opts, enum tt_enrich_place at, bool count,
		    struct tt_col *cols);
	/* One of its fields of what enrich() gave (NULL: unknown), to text. */
	void (*format)(int field, const void *data, struct tt_val *v);
	/* Its privilege rows (core/host/privs.h), applying when it is enabled. */
	const struct tt_priv_entry *privs;
	int nprivs;
	/*
	 * Before the mode's BPF object is opened: checks the host, sets what
	 * the probes need in o->cfg, and returns its state in *state. A
	 * feature the host cannot give is a warning (tt_enrich_warn) and 0;
	 * < 0 (-errno, after a one-line message) fails the run.
	 */
	int (*init)(const struct tt_enrich_ctx *c, void **state);
	/*
	 * Optional, once the mode's object is loaded: loads and attaches the
	 * enricher's own BPF programs, writing their records into the mode's
	 * ring buffer (events_fd, for bpf_map__reuse_fd). < 0 fails the run.
	 */
	int (*attach)(void *state, struct bpf_object *mode_obj, int events_fd);
	/* Ring-buffer records whose type is rec_type go here. */
	uint8_t rec_type;
	void (*record)(void *state, const void *data, size_t size);
	/*
	 * What it knows of e, in *data (left NULL: nothing). false drops the
	 * event: a user-space filter that needs the enrichment.
	 */
	bool (*enrich)(void *state, const struct tt_event *e, const void **data);
	/* Optional, at exit before the last drain: detaches its programs (idempotent). */
	void (*detach)(void *state);
	/*
	 * Optional, at exit: its counters, misses by reason among them
	 * (tt_write_counters on w, stderr with -v).
	 */
	void (*report)(void *state, struct tt_writer *w, int verbose);
	void (*fini)(void *state);
};

/* The registry (core/enrich/enrichers.def), in the order they enrich an event. */
const struct tt_enricher *const *tt_enrichers(int *n);

/*
 * An enricher's parsed options in o: opts_size bytes, zeroed the first
 * time (its argp parser's storage). NULL only if all TT_ENRICH_MAX are
 * taken (never for the registry's: enrich.c asserts it) or opts_size is
 * over TT_ENRICH_OPTS_MAX (each enricher asserts its own).
 */
void *tt_enrich_opts(struct tt_opts *o, const struct tt_enricher *e);
/* The same, or NULL when none of its options was given. */
const void *tt_enrich_opts_given(const struct tt_opts *o, const struct tt_enricher *e);
/* Whether o enables e. */
bool tt_enrich_enabled(const struct tt_opts *o, const struct tt_enricher *e);

/*
 * The argp children of the enrichers of a mode writing events, appended
 * at children (at most max): returns how many.
 */
int tt_enrich_children(unsigned events, struct argp_child *children, int max);

/*
 * A mode's columns (in, n of them) with those of the enrichers o enables
 * for events put in: at the TT_F_ENRICH column, and last. count: -c rows.
 * Returns how many columns out has (at most TT_MAX_COLS).
 */
int tt_enrich_cols(const struct tt_opts *o, unsigned events, bool count, const struct tt_col *in,
		   int n, struct tt_col *out);

/* The enabled enrichers of one run, in registry order. */
struct tt_enrich_stage {
	const struct tt_enricher *e[TT_ENRICH_MAX];
	void *state[TT_ENRICH_MAX];
	int n;
	uint64_t unknown_records; /* records of a type no enricher takes */
};

/*
 * Sets up the enrichers of list (n of them) that o enables for a mode
 * writing events; list NULL is the registry. Returns 0 or the first
 * failure's -errno, after which tt_enrich_fini() still cleans up.
 */
int tt_enrich_init(struct tt_enrich_stage *s, struct tt_opts *o, unsigned events,
		   struct tt_writer *w, const struct tt_enricher *const *list, int n);
static inline bool tt_enrich_active(const struct tt_enrich_stage *s)
{
	return s->n > 0;
}
int tt_enrich_attach(struct tt_enrich_stage *s, struct bpf_object *mode_obj, int events_fd);
/* A ring-buffer record of type >= TT_REC_ENRICH. */
void tt_enrich_record(struct tt_enrich_stage *s, const void *data, size_t size);
/* Fills x for e (zeroed first); false: an enricher drops the event. */
bool tt_enrich_event(struct tt_enrich_stage *s, const struct tt_event *e, struct tt_extra *x);
void tt_enrich_detach(struct tt_enrich_stage *s);
void tt_enrich_report(struct tt_enrich_stage *s, struct tt_writer *w, int verbose);
void tt_enrich_fini(struct tt_enrich_stage *s);

/*
 * A degraded feature, said once: "tcptrace: <option>: <message>" on stderr
 * and, in JSON, {"event":"warning","option":...,"message":...} on w.
 */
void tt_enrich_warn(struct tt_writer *w, const char *option, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* TCPTRACE_ENRICH_H */
