/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The enrichment stage: the one place, between decoding an event and
 * writing it, where an event gains what user space knows and the kernel
 * does not (the container of its cgroup id, the DNS name its destination
 * was resolved from), and where the filters that need that knowledge drop
 * it (--container).
 *
 * An enricher is a small module with a bounded cache: it is set up before
 * the mode's BPF object loads (it may switch on rodata such as
 * tt_config.containers), may load and attach BPF programs of its own that
 * write into the mode's ring buffer (records of its own type, so that they
 * arrive in order with the events), enriches one event at a time, and is
 * torn down at exit. The runner drives every enabled enricher through the
 * functions below; modes never special-case one.
 */
#ifndef TCPTRACE_ENRICH_H
#define TCPTRACE_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptrace/event.h"

struct bpf_object;
struct tt_opts;
struct tt_writer;

/*
 * What the enrichers add to one event; NULL is unknown. Each enricher owns
 * the type of its member (defined in its own header) and the memory it
 * points to, which stays valid until the event is written or counted.
 */
struct tt_extra {
	const struct tt_ctr_info *ctr; /* --containers */
	const struct tt_dns_info *dns; /* --dns */
};

struct tt_enricher {
	const char *name; /* the option that enables it: "--containers" */
	/* Whether these options enable it. */
	bool (*enabled)(const struct tt_opts *o);
	/*
	 * Before the mode's BPF object is opened: checks the host, sets what
	 * the probes need in o->cfg, and returns its state in *state. A
	 * feature the host cannot give is a warning (tt_enrich_warn on w) and
	 * 0; < 0 (-errno, after a one-line message) fails the run.
	 */
	int (*init)(struct tt_opts *o, struct tt_writer *w, void **state);
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
	 * Adds what it knows of e to x. false drops the event: a user-space
	 * filter that needs the enrichment.
	 */
	bool (*enrich)(void *state, const struct tt_event *e, struct tt_extra *x);
	/* Optional, at exit before the last drain: detaches its programs (idempotent). */
	void (*detach)(void *state);
	/* Optional, at exit: its counters (JSON lines in w, stderr with -v). */
	void (*report)(void *state, struct tt_writer *w, int verbose);
	void (*fini)(void *state);
};

#define TT_ENRICH_MAX 4

/* The enabled enrichers of one run, in registry order. */
struct tt_enrich_stage {
	const struct tt_enricher *e[TT_ENRICH_MAX];
	void *state[TT_ENRICH_MAX];
	int n;
	uint64_t unknown_records; /* records of a type no enricher takes */
};

/*
 * Sets up the enrichers of list (n of them) that o enables; list NULL is
 * the registry (core/enrich.c). Returns 0 or the first failure's -errno,
 * after which tt_enrich_fini() still cleans up.
 */
int tt_enrich_init(struct tt_enrich_stage *s, struct tt_opts *o, struct tt_writer *w,
		   const struct tt_enricher *const *list, int n);
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
