// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval's parsers: sock_diag replies (core/host/sockdiag.c)
 * and what /proc says of a socket's holder (core/host/fdowners.c).
 */
#include <errno.h>
#include <string.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "check.h"
#include "host/fdowners.h"
#include "host/sockdiag.h"
#include "lru.h"

static struct tt_diag_sock got[4];
static int ngot;

static void collect(const struct tt_diag_sock *s, void *ctx)
{
	(void)ctx;
	if (ngot < 4)
		got[ngot++] = *s;
}

/* One SOCK_DIAG_BY_FAMILY message at buf: its length. info_len 0: no INET_DIAG_INFO. */
static size_t put_msg(unsigned char *buf, int family, int state, uint16_t sport, uint16_t dport,
		      uint64_t cookie, size_t info_len)
{
	struct nlmsghdr *h = (void *)buf;
	struct inet_diag_msg *m = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(sizeof(*m));

	memset(buf, 0, 1024);
	m->idiag_family = (uint8_t)family;
	m->idiag_state = (uint8_t)state;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(dport);
	m->id.idiag_src[0] = htonl(0xc6120001); /* 198.18.0.1 */
	m->id.idiag_dst[0] = htonl(0xc6120002);
	memcpy(m->id.idiag_cookie, &cookie, sizeof(cookie));
	m->idiag_inode = 4242;
	m->idiag_uid = 1000;
	if (info_len) {
		struct nlattr *a = (void *)(buf + NLMSG_ALIGN(len));
		struct tcp_info ti;

		memset(&ti, 0, sizeof(ti));
		ti.tcpi_rtt = 1500;
		ti.tcpi_min_rtt = 900;
		ti.tcpi_total_retrans = 3;
		ti.tcpi_segs_out = 20;
		ti.tcpi_segs_in = 18;
		ti.tcpi_bytes_acked = 100001;
		ti.tcpi_bytes_received = 5000;
		a->nla_type = INET_DIAG_INFO;
		a->nla_len = (uint16_t)(NLA_HDRLEN + info_len);
		memcpy(a + 1, &ti, info_len < sizeof(ti) ? info_len : sizeof(ti));
		len = NLMSG_ALIGN(len) + NLA_ALIGN(a->nla_len);
	}
	h->nlmsg_len = (uint32_t)len;
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	return NLMSG_ALIGN(len);
}

static size_t put_done(unsigned char *buf)
{
	struct nlmsghdr *h = (void *)buf;

	memset(h, 0, NLMSG_LENGTH(4));
	h->nlmsg_len = NLMSG_LENGTH(4);
	h->nlmsg_type = NLMSG_DONE;
	return NLMSG_ALIGN(h->nlmsg_len);
}

static void test_diag_parse(void)
{
	unsigned char buf[4096];
	size_t n = 0;

	n += put_msg(buf + n, AF_INET, 1, 40000, 443, 77, sizeof(struct tcp_info));
	/* an old kernel's shorter tcp_info: what it sent, the rest 0 */
	n += put_msg(buf + n, AF_INET, 8, 40001, 443, 78, 104);
	ngot = 0;
	CHECK(tt_diag_parse(buf, n, collect, NULL) == 0); /* more follows */
	CHECK(ngot == 2);
	CHECK(got[0].family == AF_INET && got[0].state == 1 && got[0].lport == 40000 &&
	      got[0].rport == 443 && got[0].cookie == 77 && got[0].inode == 4242 &&
	      got[0].uid == 1000);
	CHECK(got[0].laddr[0] == 198 && got[0].laddr[3] == 1 && got[0].raddr[3] == 2);
	CHECK(got[0].has_info && got[0].srtt_us == 1500 && got[0].min_rtt_us == 900 &&
	      got[0].total_retrans == 3 && got[0].segs_out == 20 && got[0].segs_in == 18 &&
	      got[0].bytes_acked == 100001 && got[0].bytes_received == 5000);
	CHECK(got[1].state == 8 && got[1].has_info && got[1].srtt_us == 1500 &&
	      got[1].bytes_acked == 0 && got[1].segs_out == 0);
	/* the end of the dump */
	n += put_done(buf + n);
	ngot = 0;
	CHECK(tt_diag_parse(buf, n, collect, NULL) == 1);
	CHECK(ngot == 2);
	/* without INET_DIAG_INFO: listed, no tcp_info */
	n = put_msg(buf, AF_INET6, 1, 1, 2, 5, 0);
	ngot = 0;
	CHECK(tt_diag_parse(buf, n, collect, NULL) == 0 && ngot == 1 && !got[0].has_info);
	/* the kernel's error */
	{
		struct nlmsghdr *h = (void *)buf;
		struct nlmsgerr *e = NLMSG_DATA(h);

		memset(buf, 0, 256);
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
		h->nlmsg_type = NLMSG_ERROR;
		e->error = -EPERM;
		CHECK(tt_diag_parse(buf, NLMSG_ALIGN(h->nlmsg_len), collect, NULL) == -EPERM);
	}
	/* truncated: a message longer than the read, an attribute past its message */
	n = put_msg(buf, AF_INET, 1, 1, 2, 5, sizeof(struct tcp_info));
	CHECK(tt_diag_parse(buf, n - 8, collect, NULL) == -EBADMSG);
	((struct nlmsghdr *)buf)->nlmsg_len -= 8;
	CHECK(tt_diag_parse(buf, n, collect, NULL) == -EBADMSG);
	CHECK(tt_diag_parse(buf, 3, collect, NULL) == -EBADMSG);
	CHECK(tt_diag_parse(buf, 0, collect, NULL) == 0);
}

static void test_fd_owners(void)
{
	uint32_t uid = 0;

	CHECK(tt_fd_socket_inode("socket:[12345]") == 12345);
	CHECK(tt_fd_socket_inode("socket:[4294967295]") == 4294967295u);
	CHECK(tt_fd_socket_inode("socket:[4294967296]") == 0);
	CHECK(tt_fd_socket_inode("socket:[]") == 0);
	CHECK(tt_fd_socket_inode("socket:[12x]") == 0);
	CHECK(tt_fd_socket_inode("socket:[12]x") == 0);
	CHECK(tt_fd_socket_inode("pipe:[12345]") == 0);
	CHECK(tt_fd_socket_inode("/dev/null") == 0);
	CHECK(tt_status_uid("Name:\tnginx\nUid:\t33\t33\t33\t33\nGid:\t33\n", &uid) == 0 &&
	      uid == 33);
	CHECK(tt_status_uid("Uid:\t0\t1000\t0\t0\n", &uid) == 0 && uid == 0);
	CHECK(tt_status_uid("Name:\tx\nGid:\t1\n", &uid) == -ENOENT);
	CHECK(tt_status_uid("Name:\tx\nUid:\tnope\n", &uid) == -ENOENT);
	CHECK(tt_proc_cgroup_under("0::/system.slice/nginx.service\n", "/system.slice"));
	CHECK(tt_proc_cgroup_under("0::/system.slice/nginx.service\n", "/system.slice/"));
	CHECK(tt_proc_cgroup_under("0::/system.slice/nginx.service\n",
				   "/system.slice/nginx.service"));
	CHECK(!tt_proc_cgroup_under("0::/system.slice/nginx.service\n", "/system.sl"));
	CHECK(!tt_proc_cgroup_under("0::/user.slice\n", "/system.slice"));
	CHECK(tt_proc_cgroup_under("0::/user.slice\n", "/"));
	/* hybrid hierarchy: the v2 line among the v1 ones */
	CHECK(tt_proc_cgroup_under("12:cpu,cpuacct:/x\n1:name=systemd:/y\n0::/a/b\n", "/a"));
	CHECK(!tt_proc_cgroup_under("12:cpu,cpuacct:/a/b\n", "/a"));
}

/* tt_lru_peek(): a lookup that leaves the recency order alone (the cookie index). */
static void test_lru_peek(void)
{
	struct tt_lru l;
	uint64_t a = 1, b = 2, c = 3;
	bool fresh;
	uint32_t *v;

	CHECK(tt_lru_init(&l, sizeof(uint64_t), sizeof(uint32_t), 2, NULL, NULL) == 0);
	v = tt_lru_insert(&l, &a, &fresh);
	CHECK(v && fresh);
	*v = 10;
	CHECK(tt_lru_insert(&l, &b, &fresh) && fresh);
	v = tt_lru_peek(&l, &a);
	CHECK(v && *v == 10);
	CHECK(tt_lru_peek(&l, &c) == NULL);
	/* a is still the oldest: the third entry takes its place */
	CHECK(tt_lru_insert(&l, &c, &fresh) && fresh);
	CHECK(tt_lru_peek(&l, &a) == NULL && tt_lru_peek(&l, &b) && tt_lru_peek(&l, &c));
	tt_lru_free(&l);
}

/*
 * The buckets grow with the entries (the sessions' tables are bounded at
 * 262,144 and hold a few thousand): every key stays found across each
 * doubling, removals and the evictions at the bound keep the chains whole.
 */
static void test_lru_buckets_grow(void)
{
	struct tt_lru l;
	uint64_t k;
	uint32_t *v, first;
	bool fresh, all = true;

	CHECK(tt_lru_init(&l, sizeof(uint64_t), sizeof(uint32_t), 262144, NULL, NULL) == 0);
	first = l.nbuckets;
	CHECK(first < 262144);
	for (k = 1; k <= 20000; k++) {
		v = tt_lru_insert(&l, &k, &fresh);
		if (!v || !fresh)
			all = false;
		else
			*v = (uint32_t)k * 3;
	}
	CHECK(all);
	CHECK(l.n == 20000 && l.nbuckets >= 16384 && l.nbuckets > first);
	for (k = 1; k <= 20000 && all; k++) {
		v = tt_lru_peek(&l, &k);
		all = v && *v == (uint32_t)k * 3;
	}
	CHECK(all);
	for (k = 2; k <= 20000; k += 2)
		CHECK(tt_lru_remove(&l, &k));
	for (k = 1; k <= 20000 && all; k++)
		all = (tt_lru_peek(&l, &k) != NULL) == (k % 2 == 1);
	CHECK(all && l.n == 10000);
	tt_lru_free(&l);

	/* at a bound that is not a power of two: never more buckets than its power */
	CHECK(tt_lru_init(&l, sizeof(uint64_t), sizeof(uint32_t), 3000, NULL, NULL) == 0);
	for (k = 1; k <= 9000; k++)
		CHECK(tt_lru_insert(&l, &k, &fresh) && fresh);
	CHECK(l.n == 3000 && l.nbuckets == 4096 && l.evicted == 6000);
	for (k = 1; k <= 9000; k++)
		CHECK((tt_lru_peek(&l, &k) != NULL) == (k > 6000));
	tt_lru_free(&l);
}

/*
 * A listed session as tt_life_adopt looks it up: the peer is the source,
 * ports in network order; IPv4-mapped IPv6 as the IPv4 tuple the kernel
 * hashes it by; a plain IPv6 one whole.
 */
static void test_adopt_tuple(void)
{
	static const uint8_t v6_local[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t v6_peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t b4[4] = { 198, 18, 0, 1 }, a4[4] = { 198, 18, 0, 2 };
	struct tt_diag_sock d;
	struct tt_adopt q;

	memset(&d, 0, sizeof(d));
	d.family = AF_INET;
	d.lport = 8080;
	d.rport = 40000;
	memcpy(d.laddr, b4, 4);
	memcpy(d.raddr, a4, 4);
	memset(&q, 0xaa, sizeof(q));
	tt_diag_adopt(&d, &q);
	CHECK(q.family == AF_INET && q.sk == 0);
	CHECK(q.sport == htons(40000) && q.dport == htons(8080));
	CHECK(!memcmp(q.saddr, a4, 4) && !memcmp(q.daddr, b4, 4));
	CHECK(q.pad[0] == 0 && q.saddr[4] == 0 && q.daddr[15] == 0);

	/* ::ffff:198.18.0.1 on a dual-stack listener */
	d.family = AF_INET6;
	memset(d.laddr, 0, 16);
	memset(d.raddr, 0, 16);
	d.laddr[10] = d.laddr[11] = d.raddr[10] = d.raddr[11] = 0xff;
	memcpy(d.laddr + 12, b4, 4);
	memcpy(d.raddr + 12, a4, 4);
	tt_diag_adopt(&d, &q);
	CHECK(q.family == AF_INET);
	CHECK(!memcmp(q.saddr, a4, 4) && !memcmp(q.daddr, b4, 4) && q.saddr[4] == 0);

	/* mapped on one side only is not IPv4 */
	memcpy(d.raddr, v6_peer, 16);
	tt_diag_adopt(&d, &q);
	CHECK(q.family == AF_INET6);

	memcpy(d.laddr, v6_local, 16);
	tt_diag_adopt(&d, &q);
	CHECK(q.family == AF_INET6 && q.sport == htons(40000) && q.dport == htons(8080));
	CHECK(!memcmp(q.saddr, v6_peer, 16) && !memcmp(q.daddr, v6_local, 16));
}

int main(void)
{
	test_adopt_tuple();
	test_lru_peek();
	test_lru_buckets_grow();
	test_diag_parse();
	test_fd_owners();
	return tt_test_done("sessions");
}
