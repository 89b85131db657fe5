// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval: the sessions open at start, every interval and at
 * exit, each an "open" record, and the bytes each moved since its previous
 * record (core/out/fields.c: tx_bytes_delta, rx_bytes_delta).
 *
 * Two walks, neither a BPF iterator (which lockdown may refuse):
 *  - sessions whose birth the tracer saw: the keys of the owners map, each
 *    batch of them the arguments of one run of p->open_run
 *    (BPF_PROG_TEST_RUN), which reads the socket itself and writes the
 *    record to the ring buffer like any event; every network namespace,
 *    those created later too, no privilege kept.
 *  - sessions opened before tracing: sock_diag (core/host/sockdiag.c),
 *    through a netlink socket opened during setup in each network
 *    namespace that exists then (entering one takes CAP_SYS_ADMIN, then
 *    only); each is known by its socket cookie, which the kernel gives out
 *    as it lists it and the close event carries, and its owner is the one
 *    process holding its fd at start (core/host/fdowners.c), if exactly one.
 *    Namespaces created later hold no session opened before tracing.
 *    At setup, p->open_adopt finds each of them by its tuple and user space
 *    writes its owners entry (the owner found, its cookie): from then on
 *    the first walk reports it, and sock_diag lists only what it did not
 *    find (a socket bound to another device, p->open_adopt refused).
 * A session is in one walk only: the first drops what the second found
 * that it knows too (a session born between the attach and the listing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "run/sessions.h"

bool sessions_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*arr, c * size);
	if (!p)
		return false;
	*arr = p;
	*cap = c;
	return true;
}

int run_sessions_setup(struct run *r)
{
	struct run_sessions *s;

	if (!r->o->open)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->ns = calloc(NETNS_MAX, sizeof(*s->ns))) ||
	    tt_lru_init(&s->known, sizeof(uint64_t), sizeof(struct known), KNOWN_MAX, NULL, NULL) ||
	    tt_lru_init(&s->index, sizeof(uint64_t), sizeof(uint32_t), PRE_MAX, NULL, NULL)) {
		if (s)
			free(s->ns);
		free(s);
		tt_err("--open", -ENOMEM);
		return TT_EXIT_FAIL;
	}
	r->sessions = s;
	s->prog = run_open_prog(r, r->p->open_run);
	s->walk = run_open_prog(r, r->p->open_walk);
	s->adopt = run_open_prog(r, r->p->open_adopt);
	return sessions_pre_setup(r, s);
}

void run_sessions_free(struct run *r)
{
	struct run_sessions *s = r->sessions;
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nns; i++) {
		if (s->ns[i].fd >= 0)
			close(s->ns[i].fd);
		if (s->ns[i].nsfd >= 0)
			close(s->ns[i].nsfd); /* a setup that failed */
	}
	tt_lru_free(&s->known);
	tt_lru_free(&s->index);
	free(s->ns);
	free(s->pre);
	free(s->keys);
	free(s->lis);
	free(s);
	r->sessions = NULL;
}

/*
 * Bytes since the previous record; never negative. A session caught by a
 * walk in the middle of its close may count the peer's FIN as a byte for a
 * moment (the kernel reads the state and the counters apart, as tcp_info
 * does): the previous record's figure is then kept as what was reported.
 */
static uint64_t delta(uint64_t now, uint64_t before)
{
	if (now == TT_BYTES_UNKNOWN)
		return TT_BYTES_UNKNOWN;
	return now > before ? now - before : 0;
}

/* What a record reported, for the next delta: the most reported so far. */
static uint64_t reported(uint64_t now, uint64_t before)
{
	return now == TT_BYTES_UNKNOWN || now < before ? before : now;
}

/*
 * Every open and close record, before enrichment: the owner found at start
 * of a session opened before tracing, TX where its direction is known, and
 * the bytes since the session's previous record.
 */
void run_sessions_event(struct run *r, struct tt_event *e, struct tt_src *src)
{
	struct run_sessions *s = r->sessions;
	bool closing = e->type == TT_EV_CLOSE;
	struct known *k;
	struct pre *p;
	bool fresh;

	if (e->type != TT_EV_OPEN && !closing)
		return;
	/* first in, first forgotten: a lookup that leaves the order alone */
	k = e->sock ? tt_lru_peek(&s->known, &e->sock) : NULL;
	/* born while tracing, or adopted at setup (known from then, start unknown) */
	if (e->sock && (e->start_ns != TT_TS_UNKNOWN || k)) {
		if (e->cookie && (p = sessions_pre_find(s, e->cookie)))
			sessions_pre_gone(s, p);
		if (!k && !closing)
			k = tt_lru_insert(&s->known, &e->sock, &fresh);
		if (k && k->start_ns != e->start_ns)
			memset(k, 0, sizeof(*k));
		src->tx_delta = delta(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
				      k ? k->tx : 0);
		src->rx_delta = delta(e->rx_bytes, k ? k->rx : 0);
		if (closing) {
			tt_lru_remove(&s->known, &e->sock);
		} else if (k) {
			k->start_ns = e->start_ns;
			k->tx = reported(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
					 k->tx);
			k->rx = reported(e->rx_bytes, k->rx);
		}
		return;
	}
	p = sessions_pre_find(s, e->cookie);
	if (p && closing) {
		/* the owner and the direction found at start */
		sessions_pre_owner(p, e);
		if (e->flags & TT_EVF_TX_RAW) {
			e->flags &= (uint8_t)~TT_EVF_TX_RAW;
			if (p->dir == 1 && e->tx_bytes)
				e->tx_bytes--;
		}
	}
	src->tx_delta = delta(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
			      p ? p->tx : 0);
	src->rx_delta = delta(e->rx_bytes, p ? p->rx : 0);
	if (p && closing) {
		sessions_pre_gone(s, p);
	} else if (p) {
		p->tx = reported(e->tx_bytes, p->tx);
		p->rx = reported(e->rx_bytes, p->rx);
	}
}

int run_sessions_walk(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	int err;

	if (!s || r->out_closed)
		return 0;
	/* close events already queued first: a session is never open after its close */
	if (r->rb)
		ring_buffer__consume(r->rb);
	err = sessions_walk_born(r, at);
	if (!err)
		err = sessions_walk_pre(r, at);
	if (err && !s->failed) {
		s->failed = true;
		tt_warn(&r->w, r->o->mode, r->o->interval ? "--interval" : "--open",
			"listing the open sessions failed (%s): some are missing", tt_strerror(err));
	}
	run_check_output(r);
	return 0;
}

void run_sessions_tick(struct run *r, uint64_t now)
{
	struct run_sessions *s = r->sessions;
	uint64_t every = (uint64_t)(r->o->interval * 1e9);

	if (!s || !every)
		return;
	if (!s->next_ns)
		s->next_ns = now + every;
	if (now < s->next_ns)
		return;
	run_sessions_walk(r, TT_AT_INTERVAL);
	/* on the grid, never a burst after a stall */
	s->next_ns += every;
	if (s->next_ns <= now)
		s->next_ns = now + every;
}

