// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ttpeer: the TCP peer the integration tests drive. It makes real
 * connections with exactly known parameters and prints what it did (pid,
 * ports) as key=value lines, so tests can assert every field the tracer
 * reports. Built static so the kernel-matrix guest can run it too.
 *
 *   ttpeer server ADDR PORT [options]   listen, accept, exchange, close
 *   ttpeer client ADDR PORT [options]   connect, exchange, close
 *
 * Options:
 *   --count N        connections to make/accept (default 1)
 *   --send N         bytes to send on each connection after it is set up
 *   --recv N         bytes to read on each connection (before sending)
 *   --close first    close right after the exchange (default)
 *   --close last     wait for the peer to close first (read EOF), then close
 *   --close reset    after the exchange, wait 0.2 s for the session to settle,
 *                    print its tcp_info (as --info), then close with SO_LINGER
 *                    0: the kernel sends a reset
 *   --info           print the socket's tcp_info when closing it (after the
 *                    read that saw the peer's reset or FIN with --close last)
 *   --keepalive I,V,C  client: SO_KEEPALIVE, first probe after I s, then every
 *                    V s, give up after C unanswered (TCP_KEEPIDLE/INTVL/CNT)
 *   --backlog N      listen() backlog (default 128)
 *   --gate FILE      server: wait until FILE exists before accepting
 *   --accept4        server: use accept4(2) instead of accept(2)
 *   --eagain         server: first accept on a non-blocking listener with
 *                    nothing queued (must fail with EAGAIN), then block
 *   --ready FILE     server: write "port=P pid=PID" to FILE once listening
 *   --hold SECS      client: keep connections open SECS before closing (1024
 *                    at most); server: accept --count connections without
 *                    any exchange, keep them all open SECS, then exit
 *   --chunks K,SECS  send --send's bytes in K equal parts (the last takes the
 *                    rest), SECS apart
 *   --v6only 0|1     server: IPV6_V6ONLY on an IPv6 listener
 *   --syncnt N       client: TCP_SYNCNT (SYN retries)
 *   --user-timeout MS  client: TCP_USER_TIMEOUT (an unanswered SYN gives up
 *                    at the first timer after MS, 1 s at the earliest)
 *   --nonblock       client: non-blocking connect (EINPROGRESS) then poll
 *   --abort          client: non-blocking connect, then close the socket at
 *                    once, handshake unfinished (prints result=closed)
 *
 * Prints per connection: "conn pid=.. lport=.. rport=.. result=ok|ERRNO", and
 * with --info or --close reset "info pid=.. state=.. rtt=.. minrtt=.. retrans=..
 * segs_out=.. segs_in=.." (tcp_info's tcpi_state, tcpi_rtt, tcpi_min_rtt,
 * tcpi_total_retrans, tcpi_segs_out, tcpi_segs_in).
 * Exit status: 0 if every connection did what was asked, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <linux/tcp.h> /* struct tcp_info with every field */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opts {
	int count, send, recv, backlog, accept4, eagain, close_last, v6only, syncnt, nonblock, abort,
	    user_timeout, close_reset, info, keepalive[3];
	double hold;
	const char *gate, *ready;
};

static void usage(const char *why)
{
	fprintf(stderr, "ttpeer: %s\n", why);
	exit(2);
}

static int parse_addr(const char *addr, const char *port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)p);
		*len = sizeof(*in);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*in6);
		return AF_INET6;
	}
	usage("bad address");
	return -1;
}

static int port_of(int fd, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

/* --chunks: parts of a send, and the pause between them. */
static int chunks = 1;
static double chunk_gap;

static int xfer_part(int fd, int n, int sending);

static int xfer(int fd, int n, int sending)
{
	int i, part = chunks > 1 ? n / chunks : n;

	if (!sending || chunks <= 1)
		return xfer_part(fd, n, sending);
	for (i = 0; i < chunks; i++) {
		struct timespec ts = { (time_t)chunk_gap,
				       (long)((chunk_gap - (double)(time_t)chunk_gap) * 1e9) };

		if (i && nanosleep(&ts, NULL))
			return -1;
		if (xfer_part(fd, i == chunks - 1 ? n - part * i : part, 1))
			return -1;
	}
	return 0;
}

static int xfer_part(int fd, int n, int sending)
{
	char buf[16384];

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		ssize_t r = sending ? send(fd, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf),
					   MSG_NOSIGNAL)
				    : recv(fd, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf), 0);
		if (r <= 0)
			return -1;
		n -= (int)r;
	}
	return 0;
}

static void print_info(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
		perror("ttpeer: TCP_INFO");
		return;
	}
	printf("info pid=%d state=%u rtt=%u minrtt=%u retrans=%u segs_out=%u segs_in=%u\n",
	       getpid(), ti.tcpi_state, ti.tcpi_rtt, ti.tcpi_min_rtt, ti.tcpi_total_retrans,
	       ti.tcpi_segs_out, ti.tcpi_segs_in);
	fflush(stdout);
}

/* close(2), as --close and --info ask. */
static void end_conn(int fd, const struct opts *o)
{
	if (o->close_reset) {
		struct timespec settle = { 0, 200 * 1000 * 1000 };
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		nanosleep(&settle, NULL);
		print_info(fd);
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	} else if (o->info) {
		print_info(fd);
	}
	close(fd);
}

/* Exchange, then close in the requested order. */
static int finish(int fd, const struct opts *o)
{
	char c;
	int err = 0;

	if (xfer(fd, o->recv, 0) || xfer(fd, o->send, 1))
		err = -1;
	if (o->hold > 0) {
		struct timespec ts = { (time_t)o->hold,
				       (long)((o->hold - (double)(time_t)o->hold) * 1e9) };
		nanosleep(&ts, NULL);
	}
	if (o->close_last)
		while (recv(fd, &c, 1, 0) > 0)
			;
	end_conn(fd, o);
	return err;
}

static int server(int family, struct sockaddr_storage *ss, socklen_t len, const struct opts *o)
{
	int lfd = socket(family, SOCK_STREAM, 0), one = 1, i, ret = 0;
	struct stat st;

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6 && o->v6only >= 0)
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &o->v6only, sizeof(o->v6only));
	if (bind(lfd, (struct sockaddr *)ss, len) || listen(lfd, o->backlog)) {
		perror("ttpeer: bind/listen");
		return 1;
	}
	if (o->ready) {
		FILE *f;
		char tmp[4096];

		snprintf(tmp, sizeof(tmp), "%s.tmp", o->ready);
		f = fopen(tmp, "w");
		fprintf(f, "port=%d pid=%d\n", port_of(lfd, 0), getpid());
		fclose(f);
		rename(tmp, o->ready);
	}
	printf("listen pid=%d lport=%d\n", getpid(), port_of(lfd, 0));
	fflush(stdout);
	while (o->gate && stat(o->gate, &st))
		usleep(10000);
	if (o->eagain) {
		int fl = fcntl(lfd, F_GETFL);

		fcntl(lfd, F_SETFL, fl | O_NONBLOCK);
		if (accept(lfd, NULL, NULL) >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			fprintf(stderr, "ttpeer: non-blocking accept did not fail with EAGAIN\n");
			ret = 1;
		} else {
			printf("eagain ok\n");
		}
		fcntl(lfd, F_SETFL, fl);
	}
	for (i = 0; i < o->count; i++) {
		int fd = o->accept4 ? accept4(lfd, NULL, NULL, SOCK_CLOEXEC) : accept(lfd, NULL, NULL);

		if (fd < 0) {
			perror("ttpeer: accept");
			return 1;
		}
		printf("conn pid=%d lport=%d rport=%d result=ok\n", getpid(), port_of(fd, 0),
		       port_of(fd, 1));
		fflush(stdout);
		if (o->hold > 0)
			continue; /* kept open until the process exits */
		if (finish(fd, o))
			ret = 1;
	}
	if (o->hold > 0) {
		struct timespec ts = { (time_t)o->hold,
				       (long)((o->hold - (double)(time_t)o->hold) * 1e9) };

		nanosleep(&ts, NULL);
	}
	close(lfd);
	return ret;
}

static int client(int family, struct sockaddr_storage *ss, socklen_t len, const struct opts *o)
{
	int i, ret = 0, fds[1024], n = 0;

	for (i = 0; i < o->count; i++) {
		int fd = socket(family, SOCK_STREAM | (o->nonblock || o->abort ? SOCK_NONBLOCK : 0), 0),
		    err = 0;

		if (o->syncnt)
			setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &o->syncnt, sizeof(o->syncnt));
		if (o->user_timeout)
			setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &o->user_timeout,
				   sizeof(o->user_timeout));
		if (o->keepalive[0]) {
			int on = 1;

			setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &o->keepalive[0], sizeof(int));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &o->keepalive[1], sizeof(int));
			setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &o->keepalive[2], sizeof(int));
		}
		if (connect(fd, (struct sockaddr *)ss, len)) {
			err = errno;
			if (err == EINPROGRESS && o->abort) {
				printf("conn pid=%d lport=%d rport=0 result=closed\n", getpid(),
				       port_of(fd, 0));
				fflush(stdout);
				close(fd);
				continue;
			}
			if (err == EINPROGRESS) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };
				socklen_t el = sizeof(err);

				poll(&p, 1, 30000);
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (!err) {
					int fl = fcntl(fd, F_GETFL);

					fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
				}
			}
		}
		printf("conn pid=%d lport=%d rport=%d result=%s\n", getpid(), port_of(fd, 0),
		       port_of(fd, 1) < 0 ? 0 : port_of(fd, 1), err ? strerrorname_np(err) : "ok");
		fflush(stdout);
		if (err) {
			close(fd);
			ret = 1;
			continue;
		}
		if (o->hold > 0 && n < 1024) {
			fds[n++] = fd; /* exchange now, close all after the hold */
			if (xfer(fd, o->send, 1) || xfer(fd, o->recv, 0))
				ret = 1;
			continue;
		}
		if (xfer(fd, o->send, 1) || xfer(fd, o->recv, 0))
			ret = 1;
		if (o->close_last) {
			char c;

			while (recv(fd, &c, 1, 0) > 0)
				;
		}
		end_conn(fd, o);
	}
	if (n) {
		struct timespec ts = { (time_t)o->hold,
				       (long)((o->hold - (double)(time_t)o->hold) * 1e9) };
		nanosleep(&ts, NULL);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .backlog = 128, .v6only = -1 };
	struct sockaddr_storage ss;
	socklen_t len;
	int i, family;

	struct rlimit rl;

	if (argc < 4)
		usage("usage: ttpeer server|client ADDR PORT [options]");
	/* a server holding thousands of connections */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 4; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--accept4")) {
			o.accept4 = 1;
			continue;
		}
		if (!strcmp(a, "--eagain")) {
			o.eagain = 1;
			continue;
		}
		if (!strcmp(a, "--nonblock")) {
			o.nonblock = 1;
			continue;
		}
		if (!strcmp(a, "--abort")) {
			o.abort = 1;
			continue;
		}
		if (!strcmp(a, "--info")) {
			o.info = 1;
			continue;
		}
		if (!v)
			usage("option needs a value");
		i++;
		if (!strcmp(a, "--count"))
			o.count = atoi(v);
		else if (!strcmp(a, "--send"))
			o.send = atoi(v);
		else if (!strcmp(a, "--recv"))
			o.recv = atoi(v);
		else if (!strcmp(a, "--backlog"))
			o.backlog = atoi(v);
		else if (!strcmp(a, "--gate"))
			o.gate = v;
		else if (!strcmp(a, "--ready"))
			o.ready = v;
		else if (!strcmp(a, "--chunks") && sscanf(v, "%d,%lf", &chunks, &chunk_gap) == 2 &&
			 chunks > 0 && chunk_gap >= 0)
			;
		else if (!strcmp(a, "--hold"))
			o.hold = atof(v);
		else if (!strcmp(a, "--v6only"))
			o.v6only = atoi(v);
		else if (!strcmp(a, "--syncnt"))
			o.syncnt = atoi(v);
		else if (!strcmp(a, "--user-timeout"))
			o.user_timeout = atoi(v);
		else if (!strcmp(a, "--close") && (!strcmp(v, "first") || !strcmp(v, "last")))
			o.close_last = !strcmp(v, "last");
		else if (!strcmp(a, "--close") && !strcmp(v, "reset"))
			o.close_reset = 1;
		else if (!strcmp(a, "--keepalive") &&
			 sscanf(v, "%d,%d,%d", &o.keepalive[0], &o.keepalive[1], &o.keepalive[2]) == 3 &&
			 o.keepalive[0] > 0 && o.keepalive[1] > 0 && o.keepalive[2] > 0)
			;
		else
			usage("unknown option");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	family = parse_addr(argv[2], argv[3], &ss, &len);
	if (!strcmp(argv[1], "server"))
		return server(family, &ss, len, &o);
	if (!strcmp(argv[1], "client"))
		return client(family, &ss, len, &o);
	usage("mode must be server or client");
	return 2;
}
