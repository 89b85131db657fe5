/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * stdout in whole lines (core/out/sink.c). The writers format rows into a stdio
 * stream whose bytes collect here, and only whole lines reach the file
 * descriptor. A reader that stops reading blocks the run in write(2), and
 * a stop signal arriving then does not lose what is held: the write goes on
 * once the reader reads again. A second signal gives up: what is not
 * written is dropped (and counted), and where the output is a pipe no line
 * is ever left half-written, because each write(2) carries whole lines of
 * at most PIPE_BUF bytes, which a pipe takes all at once or not at all.
 */
#ifndef TCPTRACE_SINK_H
#define TCPTRACE_SINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tt_sink {
	int fd;
	char *buf; /* bytes not written yet: buf[0, len) */
	size_t len, cap;
	size_t chunk; /* the most one write(2) carries */
	/* How many stop signals have come: the second gives up (see above). */
	const volatile sig_atomic_t *signals;
	bool closed;	/* the reader went away (EPIPE): the rest is dropped quietly */
	bool abandoned; /* given up at a second signal: the rest is dropped */
	int err;	/* another write error (an errno), or 0 */
	uint64_t dropped; /* lines dropped once abandoned */
};

/*
 * The stream the writers use, writing to fd in whole lines; NULL (errno
 * set) if it cannot be made. signals: the runner's count of stop signals.
 */
FILE *tt_sink_open(struct tt_sink *s, int fd, const volatile sig_atomic_t *signals);
/*
 * Flushes f into the sink and writes every whole line it holds, blocking
 * while the reader does not read (until a second signal). 0, or -1 once the
 * output is closed, abandoned or failed (see the flags).
 */
int tt_sink_flush(struct tt_sink *s, FILE *f);
/* Closes f and frees the sink; what is not flushed is dropped. */
void tt_sink_close(struct tt_sink *s, FILE *f);

#endif /* TCPTRACE_SINK_H */
