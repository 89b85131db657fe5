// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/enrich/dns/dnsparse.c: replies built byte by byte here, good and hostile: the
 * question and addresses a good one maps, and the rule each bad one breaks.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "check.h"
#include "enrich/dns/dns.h"

/* A message under construction. */
struct msg {
	uint8_t b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

/* flags: 0x8180 is a reply, RD and RA, NOERROR. */
static void header(struct msg *m, unsigned flags, unsigned qd, unsigned an)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

/* A name from dotted text; returns its offset. */
static size_t name(struct msg *m, const char *text)
{
	size_t off = m->n;
	const char *p = text, *dot;

	while (*p) {
		dot = strchr(p, '.');
		if (!dot)
			dot = p + strlen(p);
		put8(m, (unsigned)(dot - p));
		memcpy(m->b + m->n, p, (size_t)(dot - p));
		m->n += (size_t)(dot - p);
		p = *dot ? dot + 1 : dot;
	}
	put8(m, 0);
	return off;
}

static void ptr(struct msg *m, size_t to)
{
	put16(m, 0xc000 | (unsigned)to);
}

static void question(struct msg *m, const char *q, unsigned type)
{
	name(m, q);
	put16(m, type);
	put16(m, 1);
}

/* Record fields after the owner name. */
static void rr_head(struct msg *m, unsigned type, uint32_t ttl, unsigned rdlen)
{
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, rdlen);
}

static void a_rec(struct msg *m, size_t owner, const char *ip, uint32_t ttl)
{
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	ptr(m, owner);
	rr_head(m, 1, ttl, 4);
	memcpy(m->b + m->n, &a, 4);
	m->n += 4;
}

/* A CNAME owned by the name at owner; returns the target's offset. */
static size_t cname_rec(struct msg *m, size_t owner, const char *target, uint32_t ttl)
{
	size_t len_at, off;

	ptr(m, owner);
	rr_head(m, 5, ttl, 0);
	len_at = m->n - 2;
	off = name(m, target);
	m->b[len_at] = (uint8_t)((m->n - off) >> 8);
	m->b[len_at + 1] = (uint8_t)(m->n - off);
	return off;
}

/*
 * A record of a type nobody reads, owned by the question: names written into
 * its data (between blob_start() and blob_end()) can be pointed to later.
 */
static size_t blob_start(struct msg *m)
{
	ptr(m, 12);
	rr_head(m, 99, 60, 0);
	return m->n;
}

static void blob_end(struct msg *m, size_t start)
{
	m->b[start - 2] = (uint8_t)((m->n - start) >> 8);
	m->b[start - 1] = (uint8_t)(m->n - start);
}

static struct tt_dns_reply *r;

static enum tt_dns_status parse(const struct msg *m)
{
	return tt_dns_parse(m->b, m->n, m->n, r);
}

static const char *addr_text(unsigned i)
{
	static char buf[64];
	const uint8_t *a = r->addrs[i].addr;
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(a, mapped, 12))
		return inet_ntop(AF_INET, a + 12, buf, sizeof(buf));
	return inet_ntop(AF_INET6, a, buf, sizeof(buf));
}

static void test_a_records(void)
{
	struct msg m;

	header(&m, 0x8180, 1, 2);
	question(&m, "Www.Example.TEST", 1);
	a_rec(&m, 12, "198.18.0.7", 300);
	a_rec(&m, 12, "198.18.0.8", 60);
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK_STR(r->qname, "Www.Example.TEST"); /* as sent */
	CHECK_STR(r->cname, "");
	CHECK(r->naddrs == 2 && !r->tc && !r->truncated);
	CHECK_STR(addr_text(0), "198.18.0.7");
	CHECK_STR(addr_text(1), "198.18.0.8");
	CHECK(r->addrs[0].ttl == 300 && r->addrs[1].ttl == 60);
}

static void test_aaaa_and_escapes(void)
{
	struct msg m;
	struct in6_addr a6;

	header(&m, 0x8180, 1, 1);
	/* a label with a dot and a space in it */
	put8(&m, 5);
	memcpy(m.b + m.n, "a.b c", 5);
	m.n += 5;
	name(&m, "test");
	put16(&m, 28);
	put16(&m, 1);
	ptr(&m, 12);
	rr_head(&m, 28, 0x80000001u, 16); /* TTL with the top bit set: 0 */
	inet_pton(AF_INET6, "2001:db8::99", &a6);
	memcpy(m.b + m.n, &a6, 16);
	m.n += 16;
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK_STR(r->qname, "a\\.b\\032c.test");
	CHECK(r->naddrs == 1 && r->addrs[0].ttl == 0);
	CHECK_STR(addr_text(0), "2001:db8::99");
}

static void test_cname_chain(void)
{
	struct msg m;
	size_t t1, t2;

	header(&m, 0x8180, 1, 5);
	question(&m, "www.tt.test", 1);
	/* an unrelated record first: never an answer to this question */
	name(&m, "other.test");
	rr_head(&m, 1, 5, 4);
	memcpy(m.b + m.n, "\xc6\x12\x00\x01", 4);
	m.n += 4;
	t1 = cname_rec(&m, 12, "Edge.tt.test", 100);
	t2 = cname_rec(&m, t1, "cdn.tt.test", 30);
	a_rec(&m, t2, "198.18.0.9", 200);
	a_rec(&m, t1, "198.18.0.10", 10); /* owned by a middle name: on the chain */
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK_STR(r->qname, "www.tt.test");
	CHECK_STR(r->cname, "cdn.tt.test");
	CHECK(r->naddrs == 2);
	CHECK_STR(addr_text(0), "198.18.0.9");
	CHECK(r->addrs[0].ttl == 30); /* the least TTL on the way */
	CHECK_STR(addr_text(1), "198.18.0.10");
	CHECK(r->addrs[1].ttl == 10);
}

static void test_cname_case_and_order(void)
{
	struct msg m;
	size_t t1;

	/* the A record before the CNAME that leads to it, owners in another case */
	header(&m, 0x8180, 1, 2);
	question(&m, "WWW.tt.test", 1);
	t1 = m.n;
	name(&m, "EDGE.TT.TEST");
	rr_head(&m, 1, 50, 4);
	memcpy(m.b + m.n, "\xc6\x12\x00\x05", 4);
	m.n += 4;
	put16(&m, 0xc00c);
	rr_head(&m, 5, 50, 2);
	ptr(&m, t1);
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK_STR(r->cname, "EDGE.TT.TEST");
	CHECK(r->naddrs == 1);
	CHECK_STR(addr_text(0), "198.18.0.5");
}

static void test_cname_loop_and_length(void)
{
	struct msg m;
	size_t t1, t;
	char nm[32];
	int i;

	header(&m, 0x8180, 1, 3);
	question(&m, "loop.tt.test", 1);
	t1 = cname_rec(&m, 12, "back.tt.test", 60);
	cname_rec(&m, t1, "loop.tt.test", 60);
	a_rec(&m, t1, "198.18.0.11", 60);
	CHECK(parse(&m) == TT_DNS_E_CNAME);
	CHECK(r->naddrs == 0);

	/* TT_DNS_HOPS_MAX CNAMEs are followed, one more is too many */
	for (int hops = TT_DNS_HOPS_MAX; hops <= TT_DNS_HOPS_MAX + 1; hops++) {
		header(&m, 0x8180, 1, (unsigned)hops + 1);
		question(&m, "h0.tt.test", 1);
		t = 12;
		for (i = 1; i <= hops; i++) {
			snprintf(nm, sizeof(nm), "h%d.tt.test", i);
			t = cname_rec(&m, t, nm, 60);
		}
		a_rec(&m, t, "198.18.0.12", 60);
		CHECK(parse(&m) == (hops == TT_DNS_HOPS_MAX ? TT_DNS_OK : TT_DNS_E_CNAME));
	}
	CHECK(r->naddrs == 0);
}

static void test_not_answers(void)
{
	struct msg m;

	header(&m, 0x0100, 1, 0); /* a query */
	question(&m, "a.tt.test", 1);
	CHECK(parse(&m) == TT_DNS_E_NOT_REPLY);
	header(&m, 0x8980, 1, 0); /* opcode 1 */
	question(&m, "a.tt.test", 1);
	CHECK(parse(&m) == TT_DNS_E_NOT_REPLY);
	header(&m, 0x8183, 1, 1); /* NXDOMAIN */
	question(&m, "a.tt.test", 1);
	a_rec(&m, 12, "198.18.0.1", 60);
	CHECK(parse(&m) == TT_DNS_E_RCODE);
	CHECK_STR(r->qname, "a.tt.test");
	CHECK(r->naddrs == 0);
	header(&m, 0x8180, 0, 0);
	CHECK(parse(&m) == TT_DNS_E_QDCOUNT);
	header(&m, 0x8180, 2, 0);
	question(&m, "a.tt.test", 1);
	question(&m, "b.tt.test", 1);
	CHECK(parse(&m) == TT_DNS_E_QDCOUNT);
	CHECK(tt_dns_parse(m.b, 11, 11, r) == TT_DNS_E_SHORT);
	header(&m, 0x8180, 1, 0);
	name(&m, "a.tt.test");
	put8(&m, 0); /* qtype cut */
	CHECK(parse(&m) == TT_DNS_E_SHORT);
}

/* A reply whose only answer's owner is at owner_bytes, then 198.18.0.13. */
static enum tt_dns_status owner_case(const uint8_t *owner, size_t n)
{
	struct msg m;

	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	memcpy(m.b + m.n, owner, n);
	m.n += n;
	rr_head(&m, 1, 60, 4);
	memcpy(m.b + m.n, "\xc6\x12\x00\x0d", 4);
	m.n += 4;
	return parse(&m);
}

static void test_hostile_names(void)
{
	struct msg m;
	uint8_t buf[300];
	size_t i;

	/* a pointer to itself, and one forward (to the record's own type) */
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	ptr(&m, m.n);
	rr_head(&m, 1, 60, 4);
	m.n += 4;
	CHECK(parse(&m) == TT_DNS_E_NAME);
	CHECK(owner_case((const uint8_t *)"\xc0\x40", 2) == TT_DNS_E_NAME);
	/* label types 0x40 and 0x80 */
	CHECK(owner_case((const uint8_t *)"\x40\x00", 2) == TT_DNS_E_NAME);
	CHECK(owner_case((const uint8_t *)"\x81\x00", 2) == TT_DNS_E_NAME);
	/* a 63-byte label is fine, a 64 is the 0x40 type */
	buf[0] = 63;
	memset(buf + 1, 'x', 63);
	buf[64] = 0;
	CHECK(owner_case(buf, 65) == TT_DNS_OK && r->naddrs == 0);
	buf[0] = 64;
	CHECK(owner_case(buf, 65) == TT_DNS_E_NAME);
	/* 255 bytes on the wire is the most */
	for (i = 0; i < 4; i++) {
		buf[i * 64] = 63;
		memset(buf + i * 64 + 1, 'y', 63);
	}
	buf[256] = 0; /* 4 x 64 + 1 = 257 */
	CHECK(owner_case(buf, 257) == TT_DNS_E_NAME);
	buf[192] = 61;
	buf[254] = 0; /* 3 x 64 + 62 + 1 = 255 */
	CHECK(owner_case(buf, 255) == TT_DNS_OK);
	/* pointers that go back twice, each below the last: fine */
	header(&m, 0x8180, 1, 2);
	question(&m, "a.tt.test", 1); /* its name at 12 */
	size_t blob = blob_start(&m), x, y;
	x = m.n;
	put8(&m, 1);
	put8(&m, 'p');
	ptr(&m, 12); /* x: p.a.tt.test */
	y = m.n;
	put8(&m, 1);
	put8(&m, 'q');
	ptr(&m, x); /* y: q.p.a.tt.test */
	blob_end(&m, blob);
	ptr(&m, y); /* the owner */
	rr_head(&m, 1, 60, 4);
	m.n += 4;
	CHECK(parse(&m) == TT_DNS_OK);
	/* a pointer back to its own label: before itself, not before the last target */
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	x = m.n;
	put8(&m, 1);
	put8(&m, 'q');
	ptr(&m, x);
	rr_head(&m, 1, 60, 4);
	m.n += 4;
	CHECK(parse(&m) == TT_DNS_E_NAME);
	/* TT_DNS_JUMPS_MAX pointers, then one more */
	for (size_t jumps = TT_DNS_JUMPS_MAX; jumps <= TT_DNS_JUMPS_MAX + 1; jumps++) {
		size_t prev = 12;

		header(&m, 0x8180, 1, 2);
		question(&m, "a.tt.test", 1);
		blob = blob_start(&m);
		for (i = 0; i + 1 < jumps; i++) {
			size_t here = m.n;

			put8(&m, 1);
			put8(&m, 'j');
			ptr(&m, prev);
			prev = here;
		}
		blob_end(&m, blob);
		ptr(&m, prev);
		rr_head(&m, 1, 60, 4);
		m.n += 4;
		CHECK(parse(&m) == (jumps == TT_DNS_JUMPS_MAX ? TT_DNS_OK : TT_DNS_E_NAME));
	}
}

static void test_hostile_records(void)
{
	struct msg m;

	/* rdlength past the end of a complete message */
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	ptr(&m, 12);
	rr_head(&m, 1, 60, 40);
	m.n += 4;
	CHECK(parse(&m) == TT_DNS_E_RR);
	/* an A record of 5 bytes, an AAAA of 4 */
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	ptr(&m, 12);
	rr_head(&m, 1, 60, 5);
	m.n += 5;
	CHECK(parse(&m) == TT_DNS_E_RR);
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 28);
	ptr(&m, 12);
	rr_head(&m, 28, 60, 4);
	m.n += 4;
	CHECK(parse(&m) == TT_DNS_E_RR);
	/* a CNAME whose name runs past its rdlength */
	header(&m, 0x8180, 1, 1);
	question(&m, "a.tt.test", 1);
	ptr(&m, 12);
	rr_head(&m, 5, 60, 3);
	name(&m, "bb.test");
	CHECK(parse(&m) == TT_DNS_E_RR);
	/* more answers announced than sent, without TC, message complete */
	header(&m, 0x8180, 1, 3);
	question(&m, "a.tt.test", 1);
	a_rec(&m, 12, "198.18.0.1", 60);
	CHECK(parse(&m) == TT_DNS_E_RR);
}

static void test_truncated(void)
{
	struct msg m;
	size_t cut;

	header(&m, 0x8380, 1, 3); /* TC */
	question(&m, "big.tt.test", 1);
	a_rec(&m, 12, "198.18.0.1", 60);
	a_rec(&m, 12, "198.18.0.2", 60);
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK(r->tc && r->truncated && r->naddrs == 2);

	/* a capture shorter than the message: what is complete */
	header(&m, 0x8180, 1, 3);
	question(&m, "big.tt.test", 1);
	a_rec(&m, 12, "198.18.0.1", 60);
	a_rec(&m, 12, "198.18.0.2", 60);
	cut = m.n + 7;
	a_rec(&m, 12, "198.18.0.3", 60);
	CHECK(tt_dns_parse(m.b, cut, m.n, r) == TT_DNS_OK);
	CHECK(!r->tc && r->truncated && r->naddrs == 2);
	CHECK(tt_dns_parse(m.b, m.n, m.n, r) == TT_DNS_OK && r->naddrs == 3 && !r->truncated);
	/* the same cut, but the message claims to be complete: malformed */
	CHECK(tt_dns_parse(m.b, cut, cut, r) == TT_DNS_E_RR);
	/* len beyond wire_len is ignored */
	CHECK(tt_dns_parse(m.b, m.n, cut, r) == TT_DNS_E_RR);
}

static void test_tcp(void)
{
	struct msg m, t;

	header(&m, 0x8180, 1, 1);
	question(&m, "t.tt.test", 1);
	a_rec(&m, 12, "198.18.0.21", 60);
	t.n = 0;
	put16(&t, (unsigned)m.n);
	memcpy(t.b + 2, m.b, m.n);
	t.n += m.n;
	CHECK(tt_dns_parse_payload(true, t.b, t.n, t.n, r) == TT_DNS_OK && r->naddrs == 1);
	/* the segment holds part of the message only */
	CHECK(tt_dns_parse_payload(true, t.b, t.n - 1, t.n - 1, r) == TT_DNS_E_TCP);
	/* captured less than the segment: the records before the cut */
	CHECK(tt_dns_parse_payload(true, t.b, t.n - 1, t.n, r) == TT_DNS_OK && r->truncated);
	CHECK(tt_dns_parse_payload(true, t.b, 1, 1, r) == TT_DNS_E_TCP);
	CHECK(tt_dns_parse_payload(false, m.b, m.n, m.n, r) == TT_DNS_OK && r->naddrs == 1);
}

static void test_many_addresses(void)
{
	struct msg m;
	char ip[32];
	unsigned i;

	header(&m, 0x8180, 1, TT_DNS_ADDRS_MAX + 3);
	question(&m, "many.tt.test", 1);
	for (i = 0; i < TT_DNS_ADDRS_MAX + 3; i++) {
		snprintf(ip, sizeof(ip), "198.18.1.%u", i);
		a_rec(&m, 12, ip, 60);
	}
	CHECK(parse(&m) == TT_DNS_OK);
	CHECK(r->naddrs == TT_DNS_ADDRS_MAX && r->dropped == 3);
}

int main(void)
{
	r = malloc(sizeof(*r));
	if (!r)
		return 1;
	test_a_records();
	test_aaaa_and_escapes();
	test_cname_chain();
	test_cname_case_and_order();
	test_cname_loop_and_length();
	test_not_answers();
	test_hostile_names();
	test_hostile_records();
	test_truncated();
	test_tcp();
	test_many_addresses();
	free(r);
	return tt_test_done("dnsparse");
}
