// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/out/sink.c: stdout in whole lines. Pipes stand for the reader: one whose
 * capacity is one page (F_SETPIPE_SZ), so that a reader that does not read
 * blocks the writer after a known number of bytes; SIGALRM stands for the
 * stop signals (the handler counts them, as the runner's does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "out/sink.h"

static volatile sig_atomic_t signals;

static void on_alarm(int sig)
{
	(void)sig;
	signals++;
}

/* SIGALRM in ms milliseconds, then every ms if repeat (ms 0: none). */
static void alarms(int ms, bool repeat)
{
	struct itimerval it = { { 0, repeat ? ms * 1000 : 0 }, { 0, ms * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void small_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) || fcntl(p[1], F_SETPIPE_SZ, 4096) < 0)
		abort();
}

static int held(int fd)
{
	int n = 0;

	ioctl(fd, FIONREAD, &n);
	return n;
}

/* A row of len bytes, the last one a newline. */
static const char *row(size_t len, char c)
{
	static char buf[16384];

	memset(buf, c, len - 1);
	buf[len - 1] = '\n';
	buf[len] = '\0';
	return buf;
}

static void whole_lines_only(void)
{
	struct tt_sink s;
	char got[64] = "";
	int p[2];
	FILE *f;

	small_pipe(p);
	f = tt_sink_open(&s, p[1], &signals);
	CHECK(f != NULL);
	fputs("{\"event\":", f);
	CHECK(tt_sink_flush(&s, f) == 0);
	CHECK(held(p[0]) == 0); /* half a row is never written */
	fputs("\"lost\"}\n{\"a\"", f);
	CHECK(tt_sink_flush(&s, f) == 0);
	CHECK(held(p[0]) == 17);
	CHECK(read(p[0], got, sizeof(got) - 1) == 17);
	CHECK_STR(got, "{\"event\":\"lost\"}\n");
	tt_sink_close(&s, f);
	close(p[0]);
	close(p[1]);
}

/*
 * A stalled reader: the first signal does not stop the write, the second
 * gives up, and the pipe holds whole lines only (chunks of at most PIPE_BUF
 * bytes ending at a line end).
 */
static void second_signal_gives_up(void)
{
	struct tt_sink s;
	char got[8192];
	int p[2], n;
	FILE *f;

	small_pipe(p);
	f = tt_sink_open(&s, p[1], &signals);
	fputs(row(1500, 'a'), f);
	fputs(row(1500, 'b'), f);
	fputs(row(1500, 'c'), f); /* does not fit in the one page left */
	fputs("unfinished", f);
	signals = 0;
	alarms(100, true);
	CHECK(tt_sink_flush(&s, f) == -1);
	alarms(0, false);
	CHECK(signals >= 2);
	CHECK(s.abandoned && !s.closed && !s.err);
	CHECK(s.dropped == 1);
	fputs(row(10, 'd'), f); /* after giving up: dropped, counted */
	CHECK(tt_sink_flush(&s, f) == -1);
	CHECK(s.dropped == 2);
	n = (int)read(p[0], got, sizeof(got));
	CHECK(n == 3000);
	CHECK(n > 0 && got[n - 1] == '\n' && got[1499] == '\n' && got[1500] == 'b');
	tt_sink_close(&s, f);
	close(p[0]);
	close(p[1]);
}

/* A stalled reader that reads again: one signal, then everything arrives. */
static void first_signal_waits_for_the_reader(void)
{
	struct tt_sink s;
	int p[2], status;
	pid_t child;
	FILE *f;

	small_pipe(p);
	child = fork();
	if (child == 0) {
		char buf[65536];
		size_t have = 0;
		ssize_t n;

		close(p[1]);
		usleep(400 * 1000);
		while ((n = read(p[0], buf + have, sizeof(buf) - have)) > 0)
			have += (size_t)n;
		/* 20 rows of 1000 bytes and one longer than PIPE_BUF, all whole */
		if (have != 20 * 1000 + 10000 || buf[have - 1] != '\n' || buf[19999] != '\n' ||
		    buf[20000] != 'z')
			_exit(1);
		_exit(0);
	}
	f = tt_sink_open(&s, p[1], &signals);
	for (int i = 0; i < 20; i++)
		fputs(row(1000, (char)('a' + i)), f);
	fputs(row(10000, 'z'), f);
	signals = 0;
	alarms(150, false); /* one signal, while the write waits for the reader */
	CHECK(tt_sink_flush(&s, f) == 0);
	alarms(0, false);
	CHECK(!s.abandoned && !s.closed && !s.err && s.dropped == 0);
	tt_sink_close(&s, f);
	close(p[1]);
	close(p[0]);
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void reader_gone_and_write_errors(void)
{
	struct tt_sink s;
	int p[2], fd;
	FILE *f;

	small_pipe(p);
	f = tt_sink_open(&s, p[1], &signals);
	close(p[0]);
	fputs(row(20, 'a'), f);
	CHECK(tt_sink_flush(&s, f) == -1);
	CHECK(s.closed && !s.err && !s.abandoned);
	tt_sink_close(&s, f);
	close(p[1]);

	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	f = tt_sink_open(&s, fd, &signals);
	fputs(row(20, 'a'), f);
	CHECK(tt_sink_flush(&s, f) == -1);
	CHECK(s.err == ENOSPC && !s.closed);
	tt_sink_close(&s, f);
	close(fd);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	whole_lines_only();
	second_signal_gives_up();
	first_signal_waits_for_the_reader();
	reader_gone_and_write_errors();
	return tt_test_done("sink");
}
