// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ttdns: the DNS peers the integration tests of tcptrace -d drive: a
 * responder with a zone given on its command line, a stub relay, and
 * resolver clients of the kinds that exist (glibc's getaddrinfo(), a
 * resolver of its own on a connected UDP socket like Go's, one sending with
 * sendto() on an unconnected socket like musl's, TCP), each of which may
 * then connect to what it resolved. Static, like ttpeer: the kernel-matrix
 * guest runs it too. Lines it prints are key=value, as ttpeer's.
 *
 *   ttdns serve ADDR [--ready FILE] [--many] RECORD...   UDP and TCP on ADDR:53
 *	RECORD: NAME=A:IPV4[/TTL] NAME=AAAA:IPV6[/TTL] NAME=CNAME:TARGET[/TTL]
 *		NAME=TC:IPV4 (UDP answers with TC set and no records; TCP answers)
 *		NAME=BAD:KIND, an answer of 127.0.0.66 broken in one way: ptrloop,
 *		fwdptr, label64, longname, rdoverrun, qdcount
 *	--many: mN.tt.test (N < 256) has 120 A records, 198.19.N.0 to .119
 *   ttdns relay ADDR UPSTREAM          UDP on ADDR:53, each query relayed from a
 *					new socket connected to UPSTREAM:53
 *   ttdns resolve [options] NAME...    resolve (and connect to the first address)
 *	--style gai|connected|unconnected|tcp   (default connected)
 *	--server ADDR   the nameserver (not for gai: resolv.conf)
 *	--type A|AAAA   (default A; gai: --family)
 *	--family 4|6    gai: AF_INET or AF_INET6 (default any)
 *	--connect PORT  then connect to the first address of the first name
 *	--mapped        connect to an IPv4 address from an AF_INET6 socket
 *	--hold SECS     keep that connection SECS seconds before closing it
 *	--gate FILE     after resolving, wait until FILE exists before connecting
 *   ttdns flood --server ADDR --seconds S [--window N] NAME
 *	queries as fast as answered, N in flight; prints one JSON line
 *
 * Prints "resolved pid= name= rcode= addrs=a,b" per name and, with
 * --connect, "conn pid= lport= raddr= rport= result=". Exit 0 when every name
 * resolved (and the connection got its answer, refused included).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DNS_PORT 53
#define MAXMSG 4096
#define MAXREC 64

static _Noreturn void die(const char *why)
{
	fprintf(stderr, "ttdns: %s\n", why);
	exit(2);
}

/* ---- addresses ---- */

static socklen_t sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	die("bad address");
	return 0;
}

static int port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					      : ((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- messages ---- */

struct msg {
	uint8_t b[MAXMSG];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	if (m->n < MAXMSG)
		m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v);
}

static void put_bytes(struct msg *m, const void *p, size_t n)
{
	while (n--)
		put8(m, *(const uint8_t *)p++);
}

/* A name from dotted text, uncompressed; returns its offset. */
static size_t put_name(struct msg *m, const char *text)
{
	size_t off = m->n;
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, ".");

		put8(m, (unsigned)len);
		put_bytes(m, p, len);
		p += len + (p[len] == '.');
	}
	put8(m, 0);
	return off;
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The offset past the name at off (pointers not followed), or 0. */
static size_t skip_name(const uint8_t *b, size_t n, size_t off)
{
	while (off < n) {
		if ((b[off] & 0xc0) == 0xc0)
			return off + 2 <= n ? off + 2 : 0;
		if (!b[off])
			return off + 1;
		off += (size_t)b[off] + 1;
	}
	return 0;
}

/* ---- the responder ---- */

struct record {
	char name[256], type[8], value[256];
	uint32_t ttl;
};

static struct record zone[MAXREC];
static int nzone;
static bool many;

static void zone_add(const char *spec)
{
	struct record *r = &zone[nzone];
	const char *eq = strchr(spec, '='), *colon = eq ? strchr(eq, ':') : NULL;
	char *slash;

	if (!colon || nzone == MAXREC || eq - spec >= 256 || colon - eq - 1 >= 8)
		die("bad record (NAME=TYPE:VALUE[/TTL])");
	memcpy(r->name, spec, (size_t)(eq - spec));
	memcpy(r->type, eq + 1, (size_t)(colon - eq - 1));
	snprintf(r->value, sizeof(r->value), "%s", colon + 1);
	r->ttl = 300;
	slash = strchr(r->value, '/');
	if (slash) {
		*slash = '\0';
		r->ttl = (uint32_t)atoi(slash + 1);
	}
	nzone++;
}

static const struct record *zone_find(const char *name, const char *type)
{
	for (int i = 0; i < nzone; i++)
		if (!strcasecmp(zone[i].name, name) && !strcmp(zone[i].type, type))
			return &zone[i];
	return NULL;
}

/* An A/AAAA record owned by the name at owner. */
static void put_addr(struct msg *m, size_t owner, int family, const char *text, uint32_t ttl)
{
	uint8_t a[16];

	if (inet_pton(family, text, a) != 1)
		die("bad address in the zone");
	put16(m, 0xc000 | (unsigned)owner);
	put16(m, family == AF_INET ? 1 : 28);
	put16(m, 1);
	put32(m, ttl);
	put16(m, family == AF_INET ? 4 : 16);
	put_bytes(m, a, family == AF_INET ? 4 : 16);
}

/* An answer of 127.0.0.66 to the question (at 12..qend) broken as kind says. */
static void put_bad(struct msg *m, const char *kind, size_t qend)
{
	static const uint8_t a66[4] = { 127, 0, 0, 66 };
	size_t at = m->n;

	if (!strcmp(kind, "ptrloop")) {
		put16(m, 0xc000 | (unsigned)at); /* points to itself */
	} else if (!strcmp(kind, "fwdptr")) {
		put16(m, 0xc000 | (unsigned)(at + 2 + 10 + 4)); /* to a copy after the record */
	} else if (!strcmp(kind, "label64")) {
		put8(m, 64);
		for (int i = 0; i < 64; i++)
			put8(m, 'x');
		put8(m, 0);
	} else if (!strcmp(kind, "longname")) {
		for (int l = 0; l < 5; l++) {
			put8(m, 60);
			for (int i = 0; i < 60; i++)
				put8(m, 'l');
		}
		put8(m, 0);
	} else {
		put16(m, 0xc00c);
	}
	put16(m, 1);
	put16(m, 1);
	put32(m, 300);
	put16(m, !strcmp(kind, "rdoverrun") ? 200 : 4);
	put_bytes(m, a66, 4);
	if (!strcmp(kind, "fwdptr"))
		put_bytes(m, m->b + 12, qend - 4 - 12); /* the question's name */
	if (!strcmp(kind, "qdcount"))
		m->b[5] = 2;
}

/* The reply to the query q (n bytes); tcp: the answer need not fit in UDP. */
static bool answer(const uint8_t *q, size_t n, bool tcp, struct msg *m)
{
	char name[256], cur[256];
	const struct record *r;
	size_t pos = 12, len = 0, owner = 12, qend;
	unsigned qtype, ancount = 0, hops;
	int many_n;

	if (n < 12 || (q[2] & 0x80))
		return false;
	while (pos < n && q[pos] && len < 250) {
		unsigned l = q[pos];

		if (l > 63 || pos + 1 + l > n || len + l + 1 > 250)
			return false;
		for (unsigned i = 0; i < l; i++)
			name[len++] = (char)tolower(q[pos + 1 + i]);
		name[len++] = '.';
		pos += l + 1;
	}
	if (pos + 5 > n)
		return false;
	name[len ? len - 1 : 0] = '\0';
	qtype = get16(q + pos + 1);
	qend = pos + 5;
	m->n = 0;
	put_bytes(m, q, 2);
	put16(m, 0x8180 | (q[2] & 1) << 8);
	put16(m, 1);
	put16(m, 0); /* ancount, below */
	put16(m, 0);
	put16(m, 0);
	put_bytes(m, q + 12, qend - 12);
	if ((r = zone_find(name, "BAD"))) {
		put_bad(m, r->value, qend);
		m->b[7] = 1;
		return true;
	}
	if ((r = zone_find(name, "TC"))) {
		if (!tcp) {
			m->b[2] |= 0x02;
			return true;
		}
		put_addr(m, 12, AF_INET, r->value, r->ttl);
		m->b[7] = 1;
		return true;
	}
	if (many && sscanf(name, "m%d.tt.test", &many_n) == 1 && many_n >= 0 && many_n < 256) {
		char ip[32];

		for (int i = 0; i < 120; i++) {
			snprintf(ip, sizeof(ip), "198.19.%d.%d", many_n, i);
			put_addr(m, 12, AF_INET, ip, 300);
		}
		m->b[7] = 120;
		return true;
	}
	snprintf(cur, sizeof(cur), "%s", name);
	for (hops = 0; hops < 10 && (r = zone_find(cur, "CNAME")); hops++) {
		size_t len_at;

		put16(m, 0xc000 | (unsigned)owner);
		put16(m, 5);
		put16(m, 1);
		put32(m, r->ttl);
		len_at = m->n;
		put16(m, 0);
		owner = put_name(m, r->value);
		m->b[len_at] = (uint8_t)((m->n - owner) >> 8);
		m->b[len_at + 1] = (uint8_t)(m->n - owner);
		ancount++;
		snprintf(cur, sizeof(cur), "%s", r->value);
	}
	for (int i = 0; i < nzone; i++) {
		bool a = !strcmp(zone[i].type, "A"), aaaa = !strcmp(zone[i].type, "AAAA");

		if (strcasecmp(zone[i].name, cur) || !(a || aaaa) || (qtype == 1 && !a) ||
		    (qtype == 28 && !aaaa))
			continue;
		put_addr(m, owner, a ? AF_INET : AF_INET6, zone[i].value, zone[i].ttl);
		ancount++;
	}
	if (!ancount && !zone_find(cur, "A") && !zone_find(cur, "AAAA"))
		m->b[3] |= 3; /* NXDOMAIN */
	m->b[6] = (uint8_t)(ancount >> 8);
	m->b[7] = (uint8_t)ancount;
	return m->n <= MAXMSG && (tcp || m->n <= 65000);
}

/* One TCP query: length, message; the same back. */
static void serve_tcp(int lfd)
{
	uint8_t q[MAXMSG + 2];
	struct msg m;
	size_t got = 0, want = 2;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return;
	while (got < want) {
		ssize_t r = recv(fd, q + got, want - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == 2)
			want = 2 + get16(q);
		if (want > sizeof(q))
			break;
	}
	if (got == want && want > 2 && answer(q + 2, want - 2, true, &m)) {
		uint8_t len[2] = { (uint8_t)(m.n >> 8), (uint8_t)m.n };
		struct iovec iov[2] = { { len, 2 }, { m.b, m.n } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

		/* one segment: length and message together */
		sendmsg(fd, &mh, MSG_NOSIGNAL);
	}
	close(fd);
}

static void ready_file(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (!path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write the ready file");
	fprintf(f, "pid=%d\n", getpid());
	fclose(f);
	rename(tmp, path);
}

static int bound(int type, const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, type, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (const struct sockaddr *)ss, len)) {
		perror("ttdns: bind");
		exit(1);
	}
	return fd;
}

static _Noreturn void serve(const char *addr, const char *ready)
{
	struct sockaddr_storage ss, from;
	socklen_t len = sockaddr_of(addr, DNS_PORT, &ss), flen;
	int ufd = bound(SOCK_DGRAM, &ss, len), tfd = bound(SOCK_STREAM, &ss, len);
	struct pollfd p[2] = { { .fd = ufd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
	uint8_t q[MAXMSG];
	struct msg m;

	listen(tfd, 64);
	ready_file(ready);
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			die("poll failed");
		if (p[1].revents & POLLIN)
			serve_tcp(tfd);
		if (!(p[0].revents & POLLIN))
			continue;
		/* a burst of datagrams per wake-up (the flood) */
		for (int i = 0; i < 64; i++) {
			ssize_t n;

			flen = sizeof(from);
			n = recvfrom(ufd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
			if (n < 0)
				break;
			if (answer(q, (size_t)n, false, &m))
				sendto(ufd, m.b, m.n, 0, (struct sockaddr *)&from, flen);
		}
	}
}

/* ---- the relay ---- */

static _Noreturn void relay(const char *addr, const char *upstream, const char *ready)
{
	struct sockaddr_storage ss, up, from;
	socklen_t len = sockaddr_of(addr, DNS_PORT, &ss), ulen = sockaddr_of(upstream, DNS_PORT, &up);
	socklen_t flen;
	int fd = bound(SOCK_DGRAM, &ss, len);
	uint8_t q[MAXMSG], a[MAXMSG];

	ready_file(ready);
	for (;;) {
		ssize_t n, r;
		int u;

		flen = sizeof(from);
		n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		if (n < 0)
			continue;
		u = socket(up.ss_family, SOCK_DGRAM, 0);
		if (u < 0 || connect(u, (struct sockaddr *)&up, ulen) || send(u, q, (size_t)n, 0) < 0) {
			close(u);
			continue;
		}
		struct pollfd p = { .fd = u, .events = POLLIN };

		if (poll(&p, 1, 2000) == 1 && (r = recv(u, a, sizeof(a), 0)) > 0)
			sendto(fd, a, (size_t)r, 0, (struct sockaddr *)&from, flen);
		close(u);
	}
}

/* ---- the resolvers ---- */

enum style { GAI, CONNECTED, UNCONNECTED, TCP };

struct query {
	enum style style;
	const char *server;
	unsigned type;
	int family;
	int rcode;
	int naddrs;
	struct sockaddr_storage addrs[16];
};

/* Collects the A/AAAA records of answer a (n bytes) into q. */
static void take_answers(struct query *q, const uint8_t *a, size_t n)
{
	size_t pos = skip_name(a, n, 12);
	unsigned an = n >= 12 ? get16(a + 6) : 0;

	q->rcode = n >= 12 ? a[3] & 0xf : -1;
	if (!pos || pos + 4 > n)
		return;
	pos += 4;
	for (unsigned i = 0; i < an && (pos = skip_name(a, n, pos)) && pos + 10 <= n; i++) {
		unsigned type = get16(a + pos), rdlen = get16(a + pos + 8);
		struct sockaddr_storage *ss = &q->addrs[q->naddrs];

		pos += 10;
		if (pos + rdlen > n)
			return;
		if (q->naddrs < 16 && type == 1 && rdlen == 4) {
			memset(ss, 0, sizeof(*ss));
			ss->ss_family = AF_INET;
			memcpy(&((struct sockaddr_in *)ss)->sin_addr, a + pos, 4);
			q->naddrs++;
		} else if (q->naddrs < 16 && type == 28 && rdlen == 16) {
			memset(ss, 0, sizeof(*ss));
			ss->ss_family = AF_INET6;
			memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a + pos, 16);
			q->naddrs++;
		}
		pos += rdlen;
	}
}

/* Waits up to 2 s for fd to be readable. */
static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000) == 1;
}

static ssize_t ask_tcp(const struct sockaddr_storage *srv, socklen_t slen, const struct msg *m,
		       uint8_t *a)
{
	int fd = socket(srv->ss_family, SOCK_STREAM, 0);
	uint8_t len[2] = { (uint8_t)(m->n >> 8), (uint8_t)m->n };
	size_t got = 0, want = 2;

	if (fd < 0 || connect(fd, (const struct sockaddr *)srv, slen) ||
	    send(fd, len, 2, MSG_NOSIGNAL) != 2 || send(fd, m->b, m->n, MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	while (got < want && readable(fd)) {
		ssize_t r = recv(fd, a + got, want - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == 2 && want == 2) {
			want = 2 + get16(a);
			if (want > MAXMSG)
				break;
		}
	}
	close(fd);
	if (got != want || want <= 2)
		return -1;
	memmove(a, a + 2, want - 2);
	return (ssize_t)(want - 2);
}

/* Our own resolver: one question to q->server, UDP then TCP if truncated. */
static bool ask(struct query *q, const char *name)
{
	struct sockaddr_storage srv;
	socklen_t slen = sockaddr_of(q->server, DNS_PORT, &srv);
	uint8_t a[MAXMSG];
	struct msg m = { .n = 0 };
	ssize_t n = -1;
	int fd;

	put16(&m, (unsigned)(getpid() ^ rand()) & 0xffff);
	put16(&m, 0x0100);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put_name(&m, name);
	put16(&m, q->type);
	put16(&m, 1);
	if (q->style != TCP) {
		fd = socket(srv.ss_family, SOCK_DGRAM, 0);
		if (fd < 0)
			return false;
		if (q->style == CONNECTED) {
			if (!connect(fd, (struct sockaddr *)&srv, slen) && send(fd, m.b, m.n, 0) > 0 &&
			    readable(fd))
				n = recv(fd, a, sizeof(a), 0);
		} else if (sendto(fd, m.b, m.n, 0, (struct sockaddr *)&srv, slen) > 0 && readable(fd)) {
			n = recvfrom(fd, a, sizeof(a), 0, NULL, NULL);
		}
		close(fd);
		if (n >= 12 && !(a[2] & 0x02)) {
			take_answers(q, a, (size_t)n);
			return true;
		}
		if (n < 12)
			return false;
	}
	n = ask_tcp(&srv, slen, &m, a); /* TCP asked for, or the UDP answer was truncated */
	if (n < 12)
		return false;
	take_answers(q, a, (size_t)n);
	return true;
}

static bool ask_gai(struct query *q, const char *name)
{
	struct addrinfo hints = { .ai_family = q->family, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int err = getaddrinfo(name, NULL, &hints, &res);

	q->rcode = err ? 3 : 0;
	if (err)
		return err == EAI_NONAME || err == EAI_NODATA;
	for (ai = res; ai && q->naddrs < 16; ai = ai->ai_next)
		memcpy(&q->addrs[q->naddrs++], ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(res);
	return true;
}

static const char *addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, (socklen_t)len);
	return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf, (socklen_t)len);
}

/* Connects to ss:port (from an AF_INET6 socket if mapped); holds it hold seconds. */
static int connect_to(struct sockaddr_storage *ss, int port, bool mapped, double hold)
{
	struct sockaddr_in6 m6 = { .sin6_family = AF_INET6 };
	struct sockaddr *sa = (struct sockaddr *)ss;
	socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(m6);
	char buf[INET6_ADDRSTRLEN];
	int fd, err = 0;

	((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port); /* same place in both */
	if (mapped && ss->ss_family == AF_INET) {
		m6.sin6_port = htons((uint16_t)port);
		m6.sin6_addr.s6_addr[10] = m6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(m6.sin6_addr.s6_addr + 12, &((struct sockaddr_in *)ss)->sin_addr, 4);
		sa = (struct sockaddr *)&m6;
		len = sizeof(m6);
	}
	fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (connect(fd, sa, len))
		err = errno;
	printf("conn pid=%d lport=%d raddr=%s rport=%d result=%s\n", getpid(), port_of(fd),
	       addr_text((struct sockaddr_storage *)sa, buf, sizeof(buf)), port,
	       err ? strerrorname_np(err) : "ok");
	fflush(stdout);
	if (!err && hold > 0) {
		struct timespec ts = { (time_t)hold, (long)((hold - (double)(time_t)hold) * 1e9) };

		nanosleep(&ts, NULL);
	}
	close(fd);
	return err && err != ECONNREFUSED ? 1 : 0;
}

static int resolve(struct query *q, char **names, int n, int port, bool mapped, double hold,
		   const char *gate)
{
	struct stat st;
	struct sockaddr_storage first;
	bool have = false;
	int ret = 0;

	for (int i = 0; i < n; i++) {
		char list[1024] = "", buf[INET6_ADDRSTRLEN];
		bool ok;

		q->naddrs = 0;
		q->rcode = -1;
		ok = q->style == GAI ? ask_gai(q, names[i]) : ask(q, names[i]);
		for (int k = 0; k < q->naddrs; k++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", k ? "," : "",
				 addr_text(&q->addrs[k], buf, sizeof(buf)));
		printf("resolved pid=%d name=%s rcode=%d addrs=%s\n", getpid(), names[i], q->rcode,
		       list);
		if (!ok)
			ret = 1;
		if (!have && q->naddrs) {
			first = q->addrs[0];
			have = true;
		}
	}
	fflush(stdout);
	while (gate && stat(gate, &st))
		usleep(10000);
	if (port > 0) {
		if (!have)
			return 1;
		ret |= connect_to(&first, port, mapped, hold);
	}
	return ret;
}

/* ---- the flood ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int flood(const char *server, const char *name, double seconds, int window)
{
	struct sockaddr_storage srv;
	socklen_t slen = sockaddr_of(server, DNS_PORT, &srv);
	int fd = socket(srv.ss_family, SOCK_DGRAM | SOCK_NONBLOCK, 0), out = 0;
	unsigned long sent = 0, replies = 0;
	struct msg m = { .n = 0 };
	uint8_t a[MAXMSG];
	double start, end;

	if (fd < 0 || connect(fd, (struct sockaddr *)&srv, slen))
		die("cannot reach the server");
	put16(&m, 0);
	put16(&m, 0x0100);
	put16(&m, 1);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	put_name(&m, name);
	put16(&m, 1);
	put16(&m, 1);
	start = now_s();
	end = start + seconds;
	while (now_s() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (out < window) {
			m.b[0] = (uint8_t)(sent >> 8);
			m.b[1] = (uint8_t)sent;
			if (send(fd, m.b, m.n, 0) < 0)
				break;
			sent++;
			out++;
		}
		if (poll(&p, 1, 50) != 1) {
			out = 0; /* dropped under load: send the window again */
			continue;
		}
		while (recv(fd, a, sizeof(a), 0) > 0) {
			replies++;
			if (out > 0)
				out--;
		}
	}
	printf("{\"sent\":%lu,\"replies\":%lu,\"seconds\":%.3f,\"replies_per_s\":%.0f}\n", sent,
	       replies, now_s() - start, (double)replies / (now_s() - start));
	return 0;
}

int main(int argc, char **argv)
{
	struct query q = { .style = CONNECTED, .server = "127.0.0.53", .type = 1 };
	const char *ready = NULL, *gate = NULL;
	double hold = 0, seconds = 1;
	int i, n = 0, port = 0, window = 32;
	bool mapped = false;
	char **pos;

	if (argc < 2)
		die("usage: ttdns serve|relay|resolve|flood ... (see the source)");
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand((unsigned)getpid());
	/* the positional arguments, packed in place: argv[2 + n] was read already */
	pos = argv + 2;
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strncmp(a, "--", 2)) {
			pos[n++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--many")) {
			many = true;
			continue;
		}
		if (!strcmp(a, "--mapped")) {
			mapped = true;
			continue;
		}
		if (!v)
			die("option needs a value");
		i++;
		if (!strcmp(a, "--ready"))
			ready = v;
		else if (!strcmp(a, "--gate"))
			gate = v;
		else if (!strcmp(a, "--server"))
			q.server = v;
		else if (!strcmp(a, "--connect"))
			port = atoi(v);
		else if (!strcmp(a, "--hold"))
			hold = atof(v);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(v);
		else if (!strcmp(a, "--window"))
			window = atoi(v);
		else if (!strcmp(a, "--type"))
			q.type = !strcmp(v, "AAAA") ? 28 : 1;
		else if (!strcmp(a, "--family"))
			q.family = atoi(v) == 6 ? AF_INET6 : atoi(v) == 4 ? AF_INET : AF_UNSPEC;
		else if (!strcmp(a, "--style") && !strcmp(v, "gai"))
			q.style = GAI;
		else if (!strcmp(a, "--style") && !strcmp(v, "connected"))
			q.style = CONNECTED;
		else if (!strcmp(a, "--style") && !strcmp(v, "unconnected"))
			q.style = UNCONNECTED;
		else if (!strcmp(a, "--style") && !strcmp(v, "tcp"))
			q.style = TCP;
		else
			die("unknown option");
	}
	if (!strcmp(argv[1], "serve") && n >= 1) {
		for (i = 1; i < n; i++)
			zone_add(pos[i]);
		serve(pos[0], ready);
	}
	if (!strcmp(argv[1], "relay") && n == 2)
		relay(pos[0], pos[1], ready);
	if (!strcmp(argv[1], "resolve") && n >= 1)
		return resolve(&q, pos, n, port, mapped, hold, gate);
	if (!strcmp(argv[1], "flood") && n == 1)
		return flood(q.server, pos[0], seconds, window);
	die("usage: ttdns serve|relay|resolve|flood ... (see the source)");
	return 2;
}
