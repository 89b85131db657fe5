// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stdout in whole lines (core/out/sink.h). stdio formats; its
 * buffer is handed here (fopencookie) and written by write_lines(), which
 * alone decides what write(2) gets:
 *  - only whole lines: a row formatted halfway when stdio's buffer filled
 *    waits here for its end;
 *  - to anything but a regular file or block device, at most PIPE_BUF bytes
 *    ending at a line end per call: a pipe takes such a write whole or not
 *    at all (pipe(7)), so a reader never holds part of a line when the run
 *    gives up on it;
 *  - a write(2) interrupted by a signal is retried, and goes on once the
 *    reader reads again: the first SIGINT or SIGTERM ends the run after its
 *    output is out (DESIGN.md contracts); a second one while the reader
 *    still does not read gives up, and the run ends without writing more;
 *  - EAGAIN (an O_NONBLOCK descriptor we were given) waits in poll(2);
 *  - EPIPE: the reader went away, which ends the run quietly.
 */
#define _GNU_SOURCE /* fopencookie(), memrchr() */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out/sink.h"

#define SINK_CAP (128u * 1024) /* first size of the buffer */
#define SINK_HIGH (64u * 1024) /* held bytes that start a write without a flush */
#define STDIO_BUF (64u * 1024)

static bool giving_up(const struct tt_sink *s)
{
	return s->signals && *s->signals >= 2;
}

/* Lines ending in p[0, n) (every row ends with one). */
static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t lines = 0;
	const char *nl;

	while (n && (nl = memchr(p, '\n', n))) {
		lines++;
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	return lines;
}

/* Drops what is held at a second signal; the lines it held are counted. */
static void abandon(struct tt_sink *s, size_t from)
{
	s->dropped += count_lines(s->buf + from, s->len - from);
	s->abandoned = true;
}

/* How much of buf[from, end) the next write(2) carries; end follows a '\n'. */
static size_t chunk_len(const struct tt_sink *s, size_t from, size_t end)
{
	const char *nl;

	if (end - from <= s->chunk)
		return end - from;
	nl = memrchr(s->buf + from, '\n', s->chunk);
	if (nl)
		return (size_t)(nl + 1 - (s->buf + from));
	/* a line longer than PIPE_BUF: no write can carry it whole */
	nl = memchr(s->buf + from, '\n', end - from);
	return (size_t)(nl + 1 - (s->buf + from));
}

/* Waits until fd takes more (after EAGAIN): false when giving up instead. */
static bool wait_writable(struct tt_sink *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLOUT };

	for (;;) {
		/* writable, or an error that the next write(2) reports */
		if (poll(&pfd, 1, -1) >= 0 || errno != EINTR)
			return true;
		if (giving_up(s))
			return false;
	}
}

/* Writes every whole line held; keeps the unfinished one. */
static void write_lines(struct tt_sink *s)
{
	const char *last = s->len ? memrchr(s->buf, '\n', s->len) : NULL;
	size_t off = 0, end = last ? (size_t)(last + 1 - s->buf) : 0;

	while (off < end && !s->closed && !s->abandoned && !s->err) {
		ssize_t n = write(s->fd, s->buf + off, chunk_len(s, off, end));

		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			if (giving_up(s))
				abandon(s, off);
		} else if (n < 0 && errno == EAGAIN) {
			if (!wait_writable(s))
				abandon(s, off);
		} else if (n < 0 && errno == EPIPE) {
			s->closed = true;
		} else {
			s->err = n < 0 ? errno : EIO;
		}
	}
	if (s->closed || s->abandoned || s->err) {
		s->len = 0;
		return;
	}
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
}

static ssize_t sink_write(void *cookie, const char *data, size_t n)
{
	struct tt_sink *s = cookie;

	if (s->abandoned)
		s->dropped += count_lines(data, n);
	if (s->closed || s->abandoned || s->err)
		return (ssize_t)n; /* dropped; stdio must not see an error */
	if (s->len + n > s->cap) {
		write_lines(s);
		if (s->abandoned) /* given up just now: data's lines are not written either */
			s->dropped += count_lines(data, n);
	}
	if (s->len + n > s->cap && !s->closed && !s->abandoned && !s->err) {
		/* one unfinished line longer than the buffer's free space */
		size_t cap = s->len + n;
		char *buf = realloc(s->buf, cap);

		if (!buf) {
			s->err = ENOMEM;
			return (ssize_t)n;
		}
		s->buf = buf;
		s->cap = cap;
	}
	if (s->closed || s->abandoned || s->err)
		return (ssize_t)n;
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	if (s->len >= SINK_HIGH)
		write_lines(s);
	return (ssize_t)n;
}

FILE *tt_sink_open(struct tt_sink *s, int fd, const volatile sig_atomic_t *signals)
{
	cookie_io_functions_t io = { .write = sink_write };
	struct stat st;
	FILE *f;

	*s = (struct tt_sink){ .fd = fd, .signals = signals, .cap = SINK_CAP, .chunk = PIPE_BUF };
	/* a file or a disk: writes do not wait for a reader, and may be large */
	if (!fstat(fd, &st) && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		s->chunk = SIZE_MAX;
	s->buf = malloc(s->cap);
	if (!s->buf)
		return NULL;
	f = fopencookie(s, "w", io);
	/*
	 * One thread writes it (a signal handler never does): without stdio's
	 * lock a row costs about half (the writers make a call per character
	 * they escape; measured: 2.5 us a JSON row with it, 0.9 without).
	 */
	if (f)
		__fsetlocking(f, FSETLOCKING_BYCALLER);
	if (!f || setvbuf(f, NULL, _IOFBF, STDIO_BUF)) {
		if (f)
			fclose(f);
		free(s->buf);
		s->buf = NULL;
		errno = ENOMEM;
		return NULL;
	}
	return f;
}

int tt_sink_flush(struct tt_sink *s, FILE *f)
{
	fflush(f);
	write_lines(s);
	return s->closed || s->abandoned || s->err ? -1 : 0;
}

void tt_sink_close(struct tt_sink *s, FILE *f)
{
	if (f) {
		s->closed = true; /* what stdio still holds is dropped */
		fclose(f);
	}
	free(s->buf);
	s->buf = NULL;
	s->len = 0;
}
