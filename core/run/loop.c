// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Signals, and the poll loop: the ring buffer read in batches, each event
 * enriched, filtered and written or counted, the output checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "run/run.h"

/* The last stop signal, and how many came (core/out/sink.c gives up at two). */
volatile sig_atomic_t run_stop_signal, run_stop_signals;

static void on_signal(int sig)
{
	run_stop_signal = sig;
	if (run_stop_signals < 2)
		run_stop_signals++;
}

/*
 * Without SA_RESTART: a signal interrupts epoll_wait(2), and a write(2) to a
 * reader that stopped reading (core/out/sink.c decides whether to go on).
 */
void run_install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Writes what the writers produced; blocks while the reader does not read. */
void run_check_output(struct run *r)
{
	if (!r->out || !tt_sink_flush(&r->sink, r->out))
		return;
	/* given up on (abandoned): the rest is counted, and the run ends */
	if (r->sink.closed) {
		r->out_closed = true;
	} else if (r->sink.err && !r->out_failed) {
		r->out_failed = true;
		r->out_errno = r->sink.err;
	}
}

/* A pipe whose reader went away reports POLLERR on our end. */
static void check_stdout_closed(struct run *r)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		r->out_closed = true;
}

/* -c with enrichment: the event's row, keyed by its enriched count columns too. */
static void count_event(struct run *r, const struct tt_src *src)
{
	struct tt_val vals[TT_MAX_COLS];
	struct tt_count_key key;
	int i;

	for (i = 0; i < r->p->ncount_cols && i < TT_MAX_COLS; i++)
		if (r->p->count_cols[i].by)
			tt_field_format(&r->p->count_cols[i], src, &r->clock, &vals[i]);
	tt_count_key_of(src->e, r->p->count_fields, &key);
	tt_counts_add(&r->counts, &key, vals, 1);
}

/* One event: enriched, maybe dropped by a user-space filter, written or counted. */
void run_handle_event(struct run *r, const struct tt_event *e)
{
	struct tt_event copy;
	struct tt_extra x;
	struct tt_src src = { .e = e, .x = &x };

	if (r->sessions) {
		copy = *e;
		run_sessions_event(r, &copy, &src);
		src.e = e = &copy;
	}
	if (tt_enrich_active(&r->enrich)) {
		/* enrichers and count keys compare whole addresses (core.h) */
		if (e != &copy)
			copy = *e;
		tt_addr_canon(copy.family, copy.laddr, copy.laddr, false);
		tt_addr_canon(copy.family, copy.raddr, copy.raddr, false);
		src.e = e = &copy;
	}
	if (!tt_enrich_event(&r->enrich, e, &x))
		return;
	if (r->user_count)
		count_event(r, &src);
	else
		tt_write_src(&r->w, &src, &r->clock);
}

/* Every ring-buffer record starts with its type (include/tcptrace/event.h). */
int run_on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	uint8_t type;

	if (size < 1)
		return 0;
	type = *(const uint8_t *)data;
	if (type >= TT_REC_ENRICH)
		tt_enrich_record(&r->enrich, data, size);
	else if (size >= sizeof(struct tt_event))
		run_handle_event(r, data);
	return 0;
}

int run_poll_loop(struct run *r)
{
	uint64_t start = tt_now_ns(), last_lost = start, deadline = 0;
	int err;

	if (r->o->duration > 0)
		deadline = start + (uint64_t)(r->o->duration * 1e9);
	while (!run_stop_signal && !r->out_closed && !r->out_failed) {
		uint64_t now;

		if (r->rb) {
			err = ring_buffer__poll(r->rb, POLL_MS);
			/* Without per-event wake-ups most data is found here. */
			if (err >= 0)
				err = ring_buffer__consume(r->rb);
			if (err < 0 && err != -EINTR) {
				tt_err("reading events", err);
				return err;
			}
		} else {
			struct timespec ts = { 0, POLL_MS * 1000000L };

			nanosleep(&ts, NULL);
		}
		now = tt_now_ns();
		if (now - last_lost >= LOST_CHECK_NS) {
			run_report_lost(r);
			last_lost = now;
		}
		run_sessions_tick(r, now);
		run_check_output(r);
		if (!r->out_closed)
			check_stdout_closed(r);
		if (deadline && now >= deadline)
			break;
	}
	return 0;
}
