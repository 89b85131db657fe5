// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The DNS reply parser of --dns (core/enrich/dns/dns.h): pure, bounded,
 * fed whatever arrives from port 53, hostile or not.
 *
 * The message's framing (header, question, answer records) is walked here
 * because the contract is stricter and more forgiving than glibc's
 * ns_initparse()/ns_parserr(): stricter, since a compression pointer must
 * point backwards (glibc follows forward ones, bounded by the message
 * length); more forgiving, since a reply cut short (by the capture, or by a
 * server setting TC) still names what it holds, where ns_initparse()
 * rejects any message whose sections do not all parse to its very end.
 * Every name is checked on the wire first (name_walk()); then glibc's
 * ns_name_unpack() expands it and ns_name_ntop() writes it as text, with
 * RFC 1035's escapes for dots, backslashes and bytes that are not printable.
 */
#include <arpa/nameser.h>
#include <string.h>

#include "enrich/dns/dns.h"

#define HDR_LEN 12
#define RR_FIXED 10 /* type, class, ttl, rdlength */
#define TYPE_A 1
#define TYPE_CNAME 5
#define TYPE_AAAA 28
#define CLASS_IN 1

const char *const tt_dns_status_names[TT_DNS_NSTATUS] = {
	[TT_DNS_OK] = "parsed",
	[TT_DNS_E_SHORT] = "short",
	[TT_DNS_E_NOT_REPLY] = "not_reply",
	[TT_DNS_E_QDCOUNT] = "qdcount",
	[TT_DNS_E_RCODE] = "rcode",
	[TT_DNS_E_NAME] = "bad_name",
	[TT_DNS_E_RR] = "bad_record",
	[TT_DNS_E_CNAME] = "cname_loop",
	[TT_DNS_E_TCP] = "tcp_partial",
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum walk { WALK_OK, WALK_CUT, WALK_BAD };

/*
 * Checks the name at off of the len bytes at m, and sets *next to the offset
 * just past it where it starts (past its first pointer, or its root label).
 * WALK_CUT: it runs past the end of the bytes; WALK_BAD: it breaks a rule.
 * Each pointer must point before itself and before the previous pointer's
 * target (RFC 1035 4.1.4 speaks of a "prior occurrence"): the targets
 * decrease, so no name loops, and TT_DNS_JUMPS_MAX bounds the work.
 */
static enum walk name_walk(const uint8_t *m, size_t len, size_t off, size_t *next)
{
	size_t pos = off, last = 0, wire = 0;
	unsigned jumps = 0;

	for (;;) {
		uint8_t c;

		if (pos >= len)
			return WALK_CUT;
		c = m[pos];
		if ((c & NS_CMPRSFLGS) == NS_CMPRSFLGS) {
			size_t target;

			if (pos + 1 >= len)
				return WALK_CUT;
			target = (size_t)(c & ~NS_CMPRSFLGS) << 8 | m[pos + 1];
			if (target >= pos || (jumps && target >= last) || ++jumps > TT_DNS_JUMPS_MAX)
				return WALK_BAD;
			if (jumps == 1)
				*next = pos + 2;
			last = pos = target;
			continue;
		}
		if (c & NS_CMPRSFLGS)
			return WALK_BAD; /* 0x40 (extended) and 0x80 (reserved) label types */
		wire += (size_t)c + 1;
		if (wire > TT_DNS_WIRE_MAX)
			return WALK_BAD;
		if (c == 0) {
			if (!jumps)
				*next = pos + 1;
			return WALK_OK;
		}
		pos += (size_t)c + 1;
	}
}

/* The name at off (checked), uncompressed, in lower case to compare: its length or -1. */
static int name_key(const uint8_t *m, size_t len, size_t off, uint8_t out[TT_DNS_WIRE_MAX])
{
	int n;

	if (ns_name_unpack(m, m + len, m + off, out, TT_DNS_WIRE_MAX) < 0)
		return -1;
	/* Label lengths are below 64, so only letters are in 'A'..'Z'. */
	for (n = 0; out[n]; n += out[n] + 1)
		for (int i = 1; i <= out[n]; i++)
			if (out[n + i] >= 'A' && out[n + i] <= 'Z')
				out[n + i] += 'a' - 'A';
	return n + 1;
}

static bool same_name(const uint8_t *a, const uint8_t *b)
{
	size_t n = 0;

	while (a[n]) {
		if (a[n] != b[n] || memcmp(a + n + 1, b + n + 1, a[n]))
			return false;
		n += (size_t)a[n] + 1;
	}
	return !b[n];
}

/* The name at off (checked) as text, as it was sent. */
static bool name_text(const uint8_t *m, size_t len, size_t off, char out[TT_DNS_NAME_MAX])
{
	uint8_t wire[TT_DNS_WIRE_MAX];

	return ns_name_unpack(m, m + len, m + off, wire, sizeof(wire)) >= 0 &&
	       ns_name_ntop(wire, out, TT_DNS_NAME_MAX) >= 0;
}

static uint32_t ttl_of(uint32_t ttl)
{
	return ttl & 0x80000000u ? 0 : ttl; /* RFC 2181 8 */
}

/*
 * The answer section's records, from pos: CNAMEs into r->cn, A and AAAA
 * into r->rr. lenient: the message may end early (cut, or TC): stop at the
 * first incomplete record instead of failing.
 */
static enum tt_dns_status answers(const uint8_t *m, size_t len, size_t pos, unsigned count,
				  bool lenient, struct tt_dns_reply *r, unsigned *ncn, unsigned *nrr)
{
	for (unsigned i = 0; i < count; i++) {
		size_t next, end, rdata;
		uint16_t type, class, rdlen;
		enum walk w = name_walk(m, len, pos, &next);

		if (w == WALK_BAD)
			return TT_DNS_E_NAME;
		if (w == WALK_CUT || next + RR_FIXED > len ||
		    next + RR_FIXED + get16(m + next + 8) > len) {
			if (!lenient)
				return TT_DNS_E_RR;
			r->truncated = true;
			return TT_DNS_OK;
		}
		type = get16(m + next);
		class = get16(m + next + 2);
		rdlen = get16(m + next + 8);
		rdata = next + RR_FIXED;
		if (class == CLASS_IN && type == TYPE_CNAME) {
			w = name_walk(m, len, rdata, &end);
			if (w == WALK_BAD)
				return TT_DNS_E_NAME;
			if (w != WALK_OK || end != rdata + rdlen)
				return TT_DNS_E_RR;
			if (*ncn < TT_DNS_CNAMES_MAX) {
				if (name_key(m, len, pos, r->cn[*ncn].owner) < 0 ||
				    name_key(m, len, rdata, r->cn[*ncn].target) < 0)
					return TT_DNS_E_NAME;
				r->cn[*ncn].target_off = (uint32_t)rdata;
				r->cn[*ncn].ttl = ttl_of(get32(m + next + 4));
				(*ncn)++;
			}
		} else if (class == CLASS_IN && (type == TYPE_A || type == TYPE_AAAA)) {
			if (rdlen != (type == TYPE_A ? 4 : 16))
				return TT_DNS_E_RR;
			if (*nrr < TT_DNS_ADDRS_MAX) {
				r->rr[*nrr].owner_off = (uint32_t)pos;
				r->rr[*nrr].rdata_off = (uint32_t)rdata;
				r->rr[*nrr].ttl = ttl_of(get32(m + next + 4));
				r->rr[*nrr].len = (uint8_t)rdlen;
				(*nrr)++;
			} else {
				r->dropped++;
			}
		}
		pos = rdata + rdlen;
	}
	return TT_DNS_OK;
}

/*
 * Follows the CNAMEs from the question (r->chain[0]): r->chain[0..*hops],
 * with the least TTL to reach each name in ttls[]. The chain's owners are
 * matched case-insensitively (resolvers may randomise the question's case).
 */
static enum tt_dns_status follow(struct tt_dns_reply *r, unsigned ncn, unsigned *hops,
				 uint32_t ttls[TT_DNS_HOPS_MAX + 1], int *last_cn)
{
	unsigned h = 0, i, j;

	ttls[0] = UINT32_MAX;
	*last_cn = -1;
	for (;;) {
		for (i = 0; i < ncn; i++)
			if (same_name(r->cn[i].owner, r->chain[h]))
				break;
		if (i == ncn)
			break;
		if (h == TT_DNS_HOPS_MAX)
			return TT_DNS_E_CNAME;
		for (j = 0; j <= h; j++)
			if (same_name(r->cn[i].target, r->chain[j]))
				return TT_DNS_E_CNAME; /* a loop */
		h++;
		memcpy(r->chain[h], r->cn[i].target, TT_DNS_WIRE_MAX);
		ttls[h] = ttls[h - 1] < r->cn[i].ttl ? ttls[h - 1] : r->cn[i].ttl;
		*last_cn = (int)i;
	}
	*hops = h;
	return TT_DNS_OK;
}

enum tt_dns_status tt_dns_parse(const uint8_t *m, size_t len, size_t wire_len,
				struct tt_dns_reply *r)
{
	uint32_t ttls[TT_DNS_HOPS_MAX + 1];
	unsigned ncn = 0, nrr = 0, hops = 0, i, j;
	uint16_t flags;
	size_t pos;
	int last_cn;
	enum tt_dns_status st;
	enum walk w;

	r->qname[0] = r->cname[0] = '\0';
	r->tc = r->truncated = false;
	r->naddrs = r->dropped = 0;
	if (len > wire_len)
		len = wire_len;
	if (len < HDR_LEN)
		return TT_DNS_E_SHORT;
	flags = get16(m + 2);
	if (!(flags & 0x8000) || ((flags >> 11) & 0xf) != ns_o_query)
		return TT_DNS_E_NOT_REPLY;
	if (get16(m + 4) != 1)
		return TT_DNS_E_QDCOUNT;
	r->tc = flags & 0x0200;
	w = name_walk(m, len, HDR_LEN, &pos);
	if (w == WALK_BAD)
		return TT_DNS_E_NAME;
	if (w == WALK_CUT || pos + 4 > len)
		return TT_DNS_E_SHORT;
	if (name_key(m, len, HDR_LEN, r->chain[0]) < 0 || !name_text(m, len, HDR_LEN, r->qname))
		return TT_DNS_E_NAME;
	if ((flags & 0xf) != ns_r_noerror)
		return TT_DNS_E_RCODE;
	st = answers(m, len, pos + 4, get16(m + 6), len < wire_len || r->tc, r, &ncn, &nrr);
	if (st == TT_DNS_OK)
		st = follow(r, ncn, &hops, ttls, &last_cn);
	if (st != TT_DNS_OK)
		return st;
	if (last_cn >= 0 && !name_text(m, len, r->cn[last_cn].target_off, r->cname))
		return TT_DNS_E_NAME;
	for (i = 0; i < nrr; i++) {
		uint8_t owner[TT_DNS_WIRE_MAX];
		struct tt_dns_addr *a = &r->addrs[r->naddrs];

		if (name_key(m, len, r->rr[i].owner_off, owner) < 0)
			return TT_DNS_E_NAME;
		for (j = 0; j <= hops && !same_name(owner, r->chain[j]); j++)
			;
		if (j > hops)
			continue; /* not an answer to this question */
		memset(a->addr, 0, sizeof(a->addr));
		if (r->rr[i].len == 4) {
			a->addr[10] = a->addr[11] = 0xff;
			memcpy(a->addr + 12, m + r->rr[i].rdata_off, 4);
		} else {
			memcpy(a->addr, m + r->rr[i].rdata_off, 16);
		}
		a->ttl = ttls[j] < r->rr[i].ttl ? ttls[j] : r->rr[i].ttl;
		r->naddrs++;
	}
	return TT_DNS_OK;
}

enum tt_dns_status tt_dns_parse_payload(bool tcp, const uint8_t *data, size_t len,
					size_t wire_len, struct tt_dns_reply *r)
{
	size_t msg_len;

	if (!tcp)
		return tt_dns_parse(data, len, wire_len, r);
	if (len < 2 || wire_len < 2)
		return TT_DNS_E_TCP;
	msg_len = get16(data);
	if (msg_len + 2 > wire_len)
		return TT_DNS_E_TCP;
	return tt_dns_parse(data + 2, len - 2 < msg_len ? len - 2 : msg_len, msg_len, r);
}
