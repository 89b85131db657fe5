// SPDX-License-Identifier: GPL-2.0
/*
 * loadgen: a TCP connect/accept/close storm on loopback, used to measure the
 * cost of tracing (tcptrace, libbpf-tools, bpftrace) against an untraced run.
 *
 * One process runs both ends: a listener (backlog 4096, SO_REUSEADDR) served by
 * --server-threads accept threads, and --threads client threads that loop
 * connect -> send --bytes -> read until EOF -> close. A server thread accepts,
 * reads exactly --bytes, echoes them back (unless --no-echo) and closes.
 *
 * TIME_WAIT: the server always closes first, so TIME_WAIT sockets are kept on
 * the server side (local port = the listener port). The client sees the FIN,
 * closes, and its ephemeral port is free as soon as the last ACK arrives, so
 * a long storm never runs out of ephemeral ports and never depends on
 * net.ipv4.tcp_tw_reuse (which only covers loopback by default, and covers
 * only connects, i.e. TIME_WAIT on the connecting side). A SYN that reuses a
 * 4-tuple still in server-side TIME_WAIT is accepted by the kernel because
 * its timestamp/sequence is newer (tcp_timewait_state_process). No sysctl is
 * changed. When more than net.ipv4.tcp_max_tw_buckets sockets are in
 * TIME_WAIT the kernel closes further ones directly (and may log "time wait
 * bucket table overflow"); that is harmless here.
 *
 * The run is always bounded: by --duration, or by --count attempts with a
 * time cap, plus a grace period after which a stuck run is abandoned with
 * exit status 1. Only loopback (127.0.0.0/8, ::1) and the test ranges
 * 198.18.0.0/15 and 2001:db8::/32 are accepted as --addr.
 *
 * Build: cc -O2 -pthread -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROG "loadgen"
#define LISTEN_BACKLOG 4096
#define MAX_THREADS 1024
#define MAX_DURATION_S 3600.0
#define COUNT_TIME_CAP_S 600.0 /* time bound for --count without --duration */
#define STOP_NUDGE_S 1.0       /* after the stop, unblock clients still waiting after this */
#define STOP_GRACE_S 10.0      /* how long stopping may take before we give up */
#define MAX_BYTES (1ULL << 30)
#define MAX_COUNT 1000000000000ULL
#define BUF_SIZE 65536
#define ERR_SLOTS 256 /* errno values counted individually; slot 0: others */
#define POLL_STEP_NS 20000000L

struct options {
	unsigned int threads;
	unsigned int server_threads;
	double duration; /* 0: not given */
	double warmup;
	unsigned long long count; /* 0: not given */
	unsigned long long rate;  /* connections per second, all clients; 0: as fast as possible */
	unsigned long long bytes;
	bool echo;
	bool json;
	int family;
	char addr_str[INET6_ADDRSTRLEN];
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned int port;
	bool pinned;
	cpu_set_t cpus;
	char cpu_list[64];
};

struct run;

struct worker {
	_Alignas(64) struct run *run;
	pthread_t tid;
	char *buf;
	unsigned long long done; /* completed connections (client) or served (server) */
	unsigned long long short_reads;
	unsigned long long aborts; /* connections cut short by the stop */
	atomic_int fd;		   /* client: the socket in use, -1 if none */
	atomic_bool abort;	   /* client: the stop is shutting down its socket */
	unsigned long long conn_err[ERR_SLOTS];
	unsigned long long io_err[ERR_SLOTS];
	struct timespec end;
};

struct run {
	const struct options *opt;
	int lfd;
	pthread_barrier_t ready;
	atomic_bool measuring;
	atomic_bool stop;
	atomic_bool server_stop;
	atomic_ullong tickets;
	atomic_uint clients_exited;
	atomic_uint servers_exited;
	struct worker *clients;
	struct worker *servers;
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: " PROG " [OPTIONS]\n"
	    "TCP connect/accept/close storm against its own listener.\n"
	    "\n"
	    "  -t, --threads N          client threads (default 2)\n"
	    "  -s, --server-threads N   accept threads (default 1)\n"
	    "  -d, --duration SECS      measure for SECS seconds (default 5)\n"
	    "  -c, --count N            stop after N connection attempts (time cap %.0f s\n"
	    "                           unless --duration is also given)\n"
	    "  -w, --warmup SECS        run the storm SECS seconds before measuring (default 0)\n"
	    "  -a, --addr A             listen/connect address (default 127.0.0.1); only\n"
	    "                           127.0.0.0/8, ::1, 198.18.0.0/15, 2001:db8::/32\n"
	    "  -p, --port P             listener port (default 0: an ephemeral port)\n"
	    "  -b, --bytes N            bytes each client sends after connect (default 0)\n"
	    "  -E, --no-echo            the server reads the bytes but does not echo them\n"
	    "  -C, --cpu LIST           run every thread on these CPUs (e.g. 1, 0-1)\n"
	    "  -r, --rate N             at most N connections per second in all (a steady\n"
	    "                           load for soak tests; default: as fast as possible)\n"
	    "  -j, --json               print the result as one JSON line\n"
	    "  -h, --help               this text\n",
	    COUNT_TIME_CAP_S);
}

static void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static unsigned long long parse_uint(const char *name, const char *s, unsigned long long min,
				     unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	return v;
bad:
	fprintf(stderr, PROG ": %s: invalid value '%s' (expected an integer %llu..%llu)\n", name, s,
		min, max);
	exit(2);
}

static double parse_secs(const char *name, const char *s, double min)
{
	double v;
	char *end;

	errno = 0;
	if ((*s < '0' || *s > '9') && *s != '.')
		goto bad;
	v = strtod(s, &end);
	if (errno || *end || v != v || v < min || v > MAX_DURATION_S)
		goto bad;
	return v;
bad:
	fprintf(stderr, PROG ": %s: invalid value '%s' (expected seconds %g..%g)\n", name, s, min,
		MAX_DURATION_S);
	exit(2);
}

/* Loopback or the documentation/benchmark ranges; nothing else, ever. */
static bool addr_allowed(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);

		return (a & 0xff000000u) == 0x7f000000u || /* 127.0.0.0/8 */
		       (a & 0xfffe0000u) == 0xc6120000u;   /* 198.18.0.0/15 */
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		static const unsigned char doc[4] = {0x20, 0x01, 0x0d, 0xb8};

		return IN6_IS_ADDR_LOOPBACK(a) || !memcmp(a->s6_addr, doc, sizeof(doc));
	}
	return false;
}

static void parse_addr(struct options *o, const char *s)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&o->addr;

	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		o->addr_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		o->addr_len = sizeof(*sin6);
	} else {
		die_usage("--addr: '%s' is not a numeric IPv4 or IPv6 address", s);
	}
	if (!addr_allowed(&o->addr))
		die_usage("--addr: %s is outside 127.0.0.0/8, ::1, 198.18.0.0/15 and 2001:db8::/32",
			  s);
	o->family = o->addr.ss_family;
	inet_ntop(o->family,
		  o->family == AF_INET ? (void *)&sin->sin_addr : (void *)&sin6->sin6_addr,
		  o->addr_str, sizeof(o->addr_str));
}

static void set_port(struct options *o, unsigned int port)
{
	if (o->family == AF_INET)
		((struct sockaddr_in *)&o->addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&o->addr)->sin6_port = htons(port);
	o->port = port;
}

/* --cpu LIST: "1", "0,1", "0-1"; every thread of the run is kept on these CPUs. */
static void parse_cpus(struct options *o, const char *s)
{
	const char *p = s;

	CPU_ZERO(&o->cpus);
	if (strlen(s) >= sizeof(o->cpu_list))
		die_usage("--cpu: list '%s' is too long", s);
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
		}
		if (lo > hi || hi >= CPU_SETSIZE)
			goto bad;
		for (unsigned long c = lo; c <= hi; c++)
			CPU_SET(c, &o->cpus);
		if (!*end)
			break;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
	strcpy(o->cpu_list, s);
	o->pinned = true;
	return;
bad:
	die_usage("--cpu: invalid CPU list '%s' (expected e.g. 1, 0,1 or 0-1)", s);
}

/* The option getopt_long just rejected, as the user wrote it. */
static const char *bad_option(char **argv, char *short_opt)
{
	const char *arg = argv[optind - 1];

	if (!strncmp(arg, "--", 2) || !optopt)
		return arg;
	short_opt[0] = '-';
	short_opt[1] = optopt;
	short_opt[2] = '\0';
	return short_opt;
}

static void parse_args(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"threads", required_argument, NULL, 't'},
	    {"server-threads", required_argument, NULL, 's'},
	    {"duration", required_argument, NULL, 'd'},
	    {"count", required_argument, NULL, 'c'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"addr", required_argument, NULL, 'a'},
	    {"port", required_argument, NULL, 'p'},
	    {"bytes", required_argument, NULL, 'b'},
	    {"no-echo", no_argument, NULL, 'E'},
	    {"cpu", required_argument, NULL, 'C'},
	    {"rate", required_argument, NULL, 'r'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned int port = 0;
	char short_opt[3];
	int c;

	memset(o, 0, sizeof(*o));
	o->threads = 2;
	o->server_threads = 1;
	o->echo = true;
	parse_addr(o, "127.0.0.1");

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:s:d:c:w:a:p:b:C:r:Ejh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->threads = parse_uint("--threads", optarg, 1, MAX_THREADS);
			break;
		case 's':
			o->server_threads = parse_uint("--server-threads", optarg, 1, MAX_THREADS);
			break;
		case 'd':
			o->duration = parse_secs("--duration", optarg, 0.001);
			break;
		case 'c':
			o->count = parse_uint("--count", optarg, 1, MAX_COUNT);
			break;
		case 'w':
			o->warmup = parse_secs("--warmup", optarg, 0);
			break;
		case 'a':
			parse_addr(o, optarg);
			break;
		case 'p':
			port = parse_uint("--port", optarg, 0, 65535);
			break;
		case 'b':
			o->bytes = parse_uint("--bytes", optarg, 0, MAX_BYTES);
			break;
		case 'E':
			o->echo = false;
			break;
		case 'C':
			parse_cpus(o, optarg);
			break;
		case 'r':
			o->rate = parse_uint("--rate", optarg, 1, 10000000);
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			die_usage("option '%s' needs a value", bad_option(argv, short_opt));
			break;
		default:
			if (optopt && strchr(argv[optind - 1], '='))
				die_usage("option '%s' takes no value",
					  bad_option(argv, short_opt));
			die_usage("unknown option '%s'", bad_option(argv, short_opt));
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o->duration)
		o->duration = o->count ? COUNT_TIME_CAP_S : 5.0;
	set_port(o, port);
}

/* Names for the errors a connection storm can meet; others print as numbers. */
static const struct {
	int err;
	const char *name;
} errno_names[] = {
    {EACCES, "EACCES"},
    {EADDRINUSE, "EADDRINUSE"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
    {EAGAIN, "EAGAIN"},
    {ECONNABORTED, "ECONNABORTED"},
    {ECONNREFUSED, "ECONNREFUSED"},
    {ECONNRESET, "ECONNRESET"},
    {EHOSTUNREACH, "EHOSTUNREACH"},
    {EINTR, "EINTR"},
    {EINVAL, "EINVAL"},
    {EMFILE, "EMFILE"},
    {ENETUNREACH, "ENETUNREACH"},
    {ENFILE, "ENFILE"},
    {ENOBUFS, "ENOBUFS"},
    {ENOMEM, "ENOMEM"},
    {EPERM, "EPERM"},
    {EPIPE, "EPIPE"},
    {ETIMEDOUT, "ETIMEDOUT"},
};

static const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == e)
			return errno_names[i].name;
	return NULL;
}

static void count_err(unsigned long long *slots, int e)
{
	slots[e > 0 && e < ERR_SLOTS ? e : 0]++;
}

static double ts_sec(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

static void ts_add(struct timespec *t, double secs)
{
	long long ns = t->tv_nsec + (long long)(secs * 1e9);

	t->tv_sec += ns / 1000000000LL;
	t->tv_nsec = ns % 1000000000LL;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/*
 * CPU time used by this process (all threads) and by the whole machine, so a
 * run disturbed by other work, or the cost of a tracer running alongside,
 * shows up next to the rate. busy < 0: /proc/stat was not readable.
 */
struct cpu_sample {
	double process;
	double busy;
};

static void cpu_sample(struct cpu_sample *c)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq;
	long hz = sysconf(_SC_CLK_TCK);
	struct rusage ru;
	FILE *f;

	getrusage(RUSAGE_SELF, &ru);
	c->process = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		     ru.ru_stime.tv_usec / 1e6;
	c->busy = -1;
	f = fopen("/proc/stat", "r");
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
		   &irq, &softirq) == 7 &&
	    hz > 0)
		c->busy = (double)(user + nice + sys + irq + softirq) / hz;
	fclose(f);
}

/* Send all of len bytes; 0 or an errno. */
static int send_bytes(int fd, char *buf, unsigned long long len)
{
	while (len) {
		size_t n = len < BUF_SIZE ? len : BUF_SIZE;
		ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		len -= r;
	}
	return 0;
}

/*
 * Read exactly len bytes (until_eof false) or until EOF (until_eof true);
 * *got is the number read. 0 or an errno.
 */
static int recv_bytes(int fd, char *buf, unsigned long long len, bool until_eof,
		      unsigned long long *got)
{
	*got = 0;
	for (;;) {
		size_t n = BUF_SIZE;
		ssize_t r;

		if (!until_eof) {
			if (*got >= len)
				return 0;
			if (len - *got < n)
				n = len - *got;
		}
		r = recv(fd, buf, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (r == 0)
			return 0;
		*got += r;
	}
}

static void client_once(struct worker *w, bool counted)
{
	const struct options *o = w->run->opt;
	unsigned long long want = o->echo ? o->bytes : 0, got = 0;
	bool connected = false;
	int fd, err;

	fd = socket(o->family, SOCK_STREAM, 0);
	if (fd < 0) {
		if (counted)
			count_err(w->conn_err, errno);
		return;
	}
	atomic_store_explicit(&w->fd, fd, memory_order_relaxed);
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addr_len) < 0) {
		err = errno;
	} else {
		connected = true;
		err = o->bytes ? send_bytes(fd, w->buf, o->bytes) : 0;
		/* The server closes first: wait for its FIN (after the echo, if any). */
		if (!err)
			err = recv_bytes(fd, w->buf, 0, true, &got);
	}
	atomic_store_explicit(&w->fd, -1, memory_order_relaxed);
	close(fd);
	if (!counted)
		return;
	if (atomic_load_explicit(&w->abort, memory_order_relaxed))
		w->aborts++;
	else if (!connected)
		count_err(w->conn_err, err);
	else if (err)
		count_err(w->io_err, err);
	else if (got != want)
		w->short_reads++;
	else
		w->done++;
}

static void *client_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	unsigned long long count = r->opt->count;

	struct timespec next;
	long long step_ns = 0;

	pthread_barrier_wait(&r->ready);
	clock_gettime(CLOCK_MONOTONIC, &next);
	if (r->opt->rate)
		step_ns = (long long)(1e9 * r->opt->threads / (double)r->opt->rate);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		bool counted = atomic_load_explicit(&r->measuring, memory_order_relaxed);

		if (counted && count &&
		    atomic_fetch_add_explicit(&r->tickets, 1, memory_order_relaxed) >= count)
			break;
		client_once(w, counted);
		if (step_ns) {
			/* paced from the start, so a slow connection is caught up */
			next.tv_nsec += step_ns % 1000000000;
			next.tv_sec += step_ns / 1000000000 + next.tv_nsec / 1000000000;
			next.tv_nsec %= 1000000000;
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
				;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &w->end);
	atomic_fetch_add(&r->clients_exited, 1);
	return NULL;
}

static void *server_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	const struct options *o = r->opt;
	unsigned long long got;

	for (;;) {
		int fd = accept(r->lfd, NULL, NULL);
		int err;

		if (fd < 0) {
			if (atomic_load(&r->server_stop))
				break;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			count_err(w->io_err, errno);
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				struct timespec ms = {0, 1000000};

				nanosleep(&ms, NULL);
			}
			continue;
		}
		err = recv_bytes(fd, w->buf, o->bytes, false, &got);
		if (!err && got != o->bytes)
			w->short_reads++;
		else if (!err && o->echo && o->bytes)
			err = send_bytes(fd, w->buf, o->bytes);
		if (err)
			count_err(w->io_err, err);
		close(fd);
		w->done++;
	}
	atomic_fetch_add(&r->servers_exited, 1);
	return NULL;
}

static int open_listener(struct options *o)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1, fd;

	fd = socket(o->family, SOCK_STREAM, 0);
	if (fd < 0) {
		fprintf(stderr, PROG ": socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		fprintf(stderr, PROG ": SO_REUSEADDR: %s\n", strerror(errno));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&o->addr, o->addr_len) < 0) {
		fprintf(stderr, PROG ": bind %s port %u: %s%s\n", o->addr_str, o->port,
			strerror(errno),
			errno == EADDRNOTAVAIL ? " (the address is not configured here)" : "");
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) < 0) {
		fprintf(stderr, PROG ": listen: %s\n", strerror(errno));
		goto fail;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		fprintf(stderr, PROG ": getsockname: %s\n", strerror(errno));
		goto fail;
	}
	set_port(o, ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						  : ((struct sockaddr_in6 *)&ss)->sin6_port));
	return fd;
fail:
	close(fd);
	return -1;
}

static struct worker *alloc_workers(struct run *r, unsigned int n)
{
	size_t size = (n * sizeof(struct worker) + 63) & ~(size_t)63;
	struct worker *w = aligned_alloc(64, size);

	if (!w)
		return NULL;
	memset(w, 0, size);
	for (unsigned int i = 0; i < n; i++) {
		w[i].run = r;
		atomic_init(&w[i].fd, -1);
		w[i].buf = malloc(BUF_SIZE);
		if (!w[i].buf)
			return NULL;
		memset(w[i].buf, 'x', BUF_SIZE);
	}
	return w;
}

/* Sleep until *until, until n threads have counted themselves in *exited, or a signal. */
static void wait_until(const struct timespec *until, atomic_uint *exited, unsigned int n)
{
	struct timespec now, step;

	for (;;) {
		if (got_signal || (exited && atomic_load(exited) >= n))
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_cmp(&now, until) >= 0)
			return;
		step = now;
		step.tv_nsec += POLL_STEP_NS;
		if (step.tv_nsec >= 1000000000L) {
			step.tv_sec++;
			step.tv_nsec -= 1000000000L;
		}
		if (ts_cmp(&step, until) > 0)
			step = *until;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &step, NULL);
	}
}

/* Wait up to grace seconds for n threads to report their exit; what: complain if they don't. */
static int wait_exited(atomic_uint *exited, unsigned int n, double grace, const char *what)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	ts_add(&until, grace);
	got_signal = 0;
	wait_until(&until, exited, n);
	if (atomic_load(exited) >= n)
		return 0;
	if (!what)
		return -1;
	if (got_signal)
		fprintf(stderr, PROG ": interrupted while waiting for %s to stop\n", what);
	else
		fprintf(stderr, PROG ": %s did not stop within %.0f s; giving up\n", what,
			STOP_GRACE_S);
	return -1;
}

static void print_errors_text(const char *what, const unsigned long long *slots)
{
	bool any = false;

	printf("%-15s", what);
	for (int e = 0; e < ERR_SLOTS; e++) {
		const char *name = errno_name(e);

		if (!slots[e])
			continue;
		if (name)
			printf("%s%s %llu", any ? ", " : "", name, slots[e]);
		else if (e)
			printf("%serrno %d %llu", any ? ", " : "", e, slots[e]);
		else
			printf("%sother %llu", any ? ", " : "", slots[e]);
		any = true;
	}
	printf("%s\n", any ? "" : "none");
}

static void print_errors_json(const char *key, const unsigned long long *slots)
{
	bool any = false;

	printf(",\"%s\":{", key);
	for (int e = 0; e < ERR_SLOTS; e++) {
		const char *name = errno_name(e);

		if (!slots[e])
			continue;
		if (name)
			printf("%s\"%s\":%llu", any ? "," : "", name, slots[e]);
		else if (e)
			printf("%s\"errno %d\":%llu", any ? "," : "", e, slots[e]);
		else
			printf("%s\"other\":%llu", any ? "," : "", slots[e]);
		any = true;
	}
	printf("}");
}

/* Print the result; returns the number of completed connections. */
static unsigned long long report(const struct run *r, const struct timespec *start,
				 const struct cpu_sample *c0, const struct cpu_sample *c1)
{
	double cpu_process = c1->process - c0->process;
	double cpu_busy = c0->busy >= 0 && c1->busy >= 0 ? c1->busy - c0->busy : -1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const struct options *o = r->opt;
	unsigned long long done = 0, served = 0, shorts = 0, aborts = 0;
	unsigned long long conn_err[ERR_SLOTS] = {0}, io_err[ERR_SLOTS] = {0};
	struct timespec end = *start;
	double elapsed, rate;

	for (unsigned int i = 0; i < o->threads; i++) {
		const struct worker *w = &r->clients[i];

		done += w->done;
		shorts += w->short_reads;
		aborts += w->aborts;
		if (ts_cmp(&w->end, &end) > 0)
			end = w->end;
		for (int e = 0; e < ERR_SLOTS; e++) {
			conn_err[e] += w->conn_err[e];
			io_err[e] += w->io_err[e];
		}
	}
	for (unsigned int i = 0; i < o->server_threads; i++) {
		const struct worker *w = &r->servers[i];

		served += w->done;
		shorts += w->short_reads;
		for (int e = 0; e < ERR_SLOTS; e++)
			io_err[e] += w->io_err[e];
	}
	elapsed = ts_sec(&end) - ts_sec(start);
	rate = elapsed > 0 ? done / elapsed : 0;

	if (o->json) {
		printf("{\"addr\":\"%s\",\"port\":%u,\"threads\":%u,\"server_threads\":%u,"
		       "\"bytes\":%llu,\"echo\":%s,\"warmup_s\":%g,\"connections\":%llu,"
		       "\"accepted\":%llu,\"elapsed_s\":%.6f,\"conn_per_s\":%.1f,"
		       "\"short_reads\":%llu,\"aborted\":%llu,\"cpus\":%ld,\"cpu_process_s\":%.2f",
		       o->addr_str, o->port, o->threads, o->server_threads, o->bytes,
		       o->echo ? "true" : "false", o->warmup, done, served, elapsed, rate, shorts,
		       aborts, cpus, cpu_process);
		if (cpu_busy >= 0)
			printf(",\"cpu_busy_s\":%.2f", cpu_busy);
		if (o->pinned)
			printf(",\"cpu_list\":\"%s\"", o->cpu_list);
		print_errors_json("connect_errors", conn_err);
		print_errors_json("io_errors", io_err);
		printf("}\n");
	} else {
		printf("target         %s port %u, %u client thread%s, %u server thread%s, "
		       "%llu bytes%s\n",
		       o->addr_str, o->port, o->threads, o->threads == 1 ? "" : "s",
		       o->server_threads, o->server_threads == 1 ? "" : "s", o->bytes,
		       o->bytes && o->echo ? " echoed" : "");
		printf("connections    %llu\n", done);
		printf("accepted       %llu%s\n", served,
		       o->warmup > 0 ? " (includes warm-up)" : "");
		printf("elapsed        %.3f s\n", elapsed);
		printf("rate           %.0f connections/s\n", rate);
		printf("cpu            %.2f s this process", cpu_process);
		if (cpu_busy >= 0)
			printf(", %.2f s other tasks",
			       cpu_busy > cpu_process ? cpu_busy - cpu_process : 0.0);
		printf(" (%ld CPUs x %.3f s = %.2f s)\n", cpus, elapsed, cpus * elapsed);
		if (o->pinned)
			printf("pinned to CPUs %s\n", o->cpu_list);
		print_errors_text("connect errors", conn_err);
		print_errors_text("io errors", io_err);
		if (shorts)
			printf("short reads    %llu\n", shorts);
		if (aborts)
			printf("aborted        %llu (still blocked %.0f s after the stop)\n",
			       aborts, STOP_NUDGE_S);
	}
	fflush(stdout);
	return done;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct run run = {0};
	struct sigaction sa = {0};
	struct cpu_sample cpu0, cpu1;
	struct timespec start, until;
	sigset_t block, old;
	unsigned int i;
	int rc;

	parse_args(&opt, argc, argv);
	/* Threads inherit the affinity of the thread that creates them. */
	if (opt.pinned && sched_setaffinity(0, sizeof(opt.cpus), &opt.cpus) < 0) {
		fprintf(stderr, PROG ": --cpu %s: %s\n", opt.cpu_list,
			errno == EINVAL ? "none of these CPUs is online and allowed"
					: strerror(errno));
		return 2;
	}
	run.opt = &opt;
	run.lfd = open_listener(&opt);
	if (run.lfd < 0)
		return 1;

	run.clients = alloc_workers(&run, opt.threads);
	run.servers = alloc_workers(&run, opt.server_threads);
	if (!run.clients || !run.servers) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	rc = pthread_barrier_init(&run.ready, NULL, opt.threads + 1);
	if (rc) {
		fprintf(stderr, PROG ": pthread_barrier_init: %s\n", strerror(rc));
		return 1;
	}

	/* Workers never see SIGINT/SIGTERM; main turns them into an early stop. */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	for (i = 0; i < opt.server_threads; i++) {
		rc = pthread_create(&run.servers[i].tid, NULL, server_main, &run.servers[i]);
		if (rc) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(rc));
			return 1;
		}
	}
	atomic_store(&run.measuring, opt.warmup == 0);
	for (i = 0; i < opt.threads; i++) {
		rc = pthread_create(&run.clients[i].tid, NULL, client_main, &run.clients[i]);
		if (rc) {
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(rc));
			return 1;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	pthread_barrier_wait(&run.ready);
	cpu_sample(&cpu0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (opt.warmup > 0) {
		until = start;
		ts_add(&until, opt.warmup);
		wait_until(&until, NULL, 0);
		cpu_sample(&cpu0);
		clock_gettime(CLOCK_MONOTONIC, &start);
		atomic_store(&run.measuring, true);
	}
	until = start;
	ts_add(&until, opt.duration);
	if (!got_signal)
		wait_until(&until, &run.clients_exited, opt.threads);
	atomic_store(&run.stop, true);
	if (wait_exited(&run.clients_exited, opt.threads, STOP_NUDGE_S, NULL)) {
		/*
		 * A client still blocked in connect() or recv() (no free descriptor for the
		 * accept, a lost SYN): shut its socket down so the call returns. The fd may
		 * have been reused meanwhile; then some other connection of ours ends early,
		 * which is harmless now that the run is over. Either way it counts as aborted.
		 */
		for (i = 0; i < opt.threads; i++) {
			int fd;

			atomic_store(&run.clients[i].abort, true);
			fd = atomic_load(&run.clients[i].fd);
			if (fd >= 0)
				shutdown(fd, SHUT_RDWR);
		}
		if (wait_exited(&run.clients_exited, opt.threads, STOP_GRACE_S, "client threads"))
			return 1;
	}
	cpu_sample(&cpu1);

	/* All clients are done, so nothing is queued: wake the accept threads. */
	atomic_store(&run.server_stop, true);
	shutdown(run.lfd, SHUT_RDWR);
	if (wait_exited(&run.servers_exited, opt.server_threads, STOP_GRACE_S, "accept threads"))
		return 1;
	for (i = 0; i < opt.threads; i++)
		pthread_join(run.clients[i].tid, NULL);
	for (i = 0; i < opt.server_threads; i++)
		pthread_join(run.servers[i].tid, NULL);
	close(run.lfd);

	if (!report(&run, &start, &cpu0, &cpu1)) {
		fprintf(stderr, PROG ": no connection completed\n");
		return 1;
	}
	return 0;
}
