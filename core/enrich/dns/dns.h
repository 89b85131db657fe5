/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --dns: the DNS name each connection's destination was resolved from.
 *
 * Three pure parts, each unit-tested (the parser fuzzed too):
 *  - the reply parser (core/enrich/dns/dnsparse.c): one DNS message in a buffer, with
 *    strict bounds, to the question and the addresses its answer maps it to;
 *  - the name cache (core/enrich/dns/dnscache.c): (network namespace, address) to the
 *    names processes there resolved it from, bounded in entries and bytes;
 *    and for life, the names of the sessions open now;
 * and the enricher around them (core/enrich/dns/dns.c), which loads probes/dns.bpf.c.
 */
#ifndef TCPTRACE_DNS_H
#define TCPTRACE_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the reply parser ---- */

#define TT_DNS_NAME_MAX 1025   /* a name as text, with its NUL (NS_MAXDNAME) */
#define TT_DNS_WIRE_MAX 255    /* a name on the wire, uncompressed (RFC 1035 2.3.4) */
#define TT_DNS_ADDRS_MAX 128   /* addresses kept from one reply */
#define TT_DNS_CNAMES_MAX 16   /* CNAME records of one reply looked at */
#define TT_DNS_HOPS_MAX 8      /* CNAMEs followed from the question */
#define TT_DNS_JUMPS_MAX 16    /* compression pointers followed in one name */

/* Why a reply maps no address; also the index of its counter. */
enum tt_dns_status {
	TT_DNS_OK = 0,	    /* parsed (it may still map no address) */
	TT_DNS_E_SHORT,	    /* no complete header and question */
	TT_DNS_E_NOT_REPLY, /* a query, or an opcode other than QUERY */
	TT_DNS_E_QDCOUNT,   /* not exactly one question */
	TT_DNS_E_RCODE,	    /* an error answer (NXDOMAIN, SERVFAIL...) */
	TT_DNS_E_NAME,	    /* a name breaks a rule: label type or length, name length, pointer */
	TT_DNS_E_RR,	    /* a record runs past the message, or A/AAAA/CNAME data is malformed */
	TT_DNS_E_CNAME,	    /* a CNAME loop, or more than TT_DNS_HOPS_MAX of them */
	TT_DNS_E_TCP,	    /* TCP: the segment does not hold a whole message */
	TT_DNS_NSTATUS,
};

/* Short names of the statuses, for counters ("malformed_name"...). */
extern const char *const tt_dns_status_names[TT_DNS_NSTATUS];

struct tt_dns_addr {
	uint8_t addr[16]; /* IPv6; an A record as IPv4-mapped ::ffff:a.b.c.d */
	uint32_t ttl;	  /* seconds: the least TTL from the question to this record */
};

/* A parsed reply. Large: the caller owns one and reuses it. */
struct tt_dns_reply {
	char qname[TT_DNS_NAME_MAX]; /* the question as sent, as text (RFC 1035 5.1 escapes) */
	char cname[TT_DNS_NAME_MAX]; /* the last name of its CNAME chain; "" if none */
	bool tc;		     /* the server set TC: the answer may be partial */
	bool truncated;		     /* the capture ended inside the answer: only what came before */
	unsigned naddrs;
	unsigned dropped; /* addresses beyond TT_DNS_ADDRS_MAX */
	struct tt_dns_addr addrs[TT_DNS_ADDRS_MAX];
	/* the parser's scratch space */
	struct {
		uint8_t owner[TT_DNS_WIRE_MAX], target[TT_DNS_WIRE_MAX];
		uint32_t target_off, ttl;
	} cn[TT_DNS_CNAMES_MAX];
	struct {
		uint32_t owner_off, rdata_off, ttl;
		uint8_t len;
	} rr[TT_DNS_ADDRS_MAX];
	uint8_t chain[TT_DNS_HOPS_MAX + 1][TT_DNS_WIRE_MAX];
};

/*
 * Parses the DNS message of which the first len bytes are at msg and
 * wire_len were sent. Names are checked on the wire before glibc's
 * ns_name_unpack() expands them: labels of at most 63 bytes, no label type
 * but the two RFC 1035 ones, at most 255 bytes, and compression pointers
 * that point before themselves and before the previous one (so a name ends),
 * at most TT_DNS_JUMPS_MAX of them. A/AAAA records of the answer section
 * whose owner is the question or a name of its CNAME chain are its
 * addresses; the authority and additional sections are never used. When the
 * capture is shorter than the message, or the server set TC, the records
 * complete before the cut are used. Returns a status; r holds the result
 * for TT_DNS_OK, and its qname for E_RCODE and E_CNAME.
 */
enum tt_dns_status tt_dns_parse(const uint8_t *msg, size_t len, size_t wire_len,
				struct tt_dns_reply *r);

/*
 * The same for one transport payload: UDP is the message; a TCP segment
 * starts with the message's 2-byte length (RFC 1035 4.2.2) and must hold
 * all of it (TT_DNS_E_TCP otherwise: a continuation or a long message).
 */
enum tt_dns_status tt_dns_parse_payload(bool tcp, const uint8_t *data, size_t len,
					size_t wire_len, struct tt_dns_reply *r);

/* ---- the name cache ---- */

/*
 * Bounds (see docs/tcpconnect.8): addresses per network namespace are one
 * entry; each entry keeps the last TT_DNS_SLOTS (process, name) pairs that
 * mapped it. Names are interned, and their text counts against
 * TT_DNS_NAME_BYTES. When either bound is reached, the least recently used
 * addresses are forgotten.
 */
#define TT_DNS_ENTRIES 16384
#define TT_DNS_SLOTS 4
#define TT_DNS_NAME_BYTES (4u << 20)
#define TT_DNS_OPEN_MAX 32768		      /* life: named sessions open at once */
#define TT_DNS_MAX_AGE_NS (86400ull * 1000000000ull) /* older answers are not used */

/* Which mapping a name came from. */
enum tt_dns_scope {
	TT_DNS_SCOPE_NONE = 0,
	TT_DNS_SCOPE_PROCESS, /* the connecting process resolved it */
	TT_DNS_SCOPE_NETNS,   /* another process in its network namespace did */
};

struct tt_dns_name;

/* The name of one connection's destination. */
struct tt_dns_info {
	const char *query; /* NULL: not known */
	const char *cname; /* NULL: none */
	uint64_t age_ns;   /* from the reply to the connect */
	uint32_t candidates; /* distinct names for this address in the scope */
	uint8_t scope;	   /* enum tt_dns_scope */
	bool stale;	   /* the answer's TTL had run out at the connect */
};

struct tt_dns_cache_stats {
	uint64_t entries, names, name_bytes, open; /* now */
	uint64_t evicted;      /* addresses forgotten for room */
	uint64_t open_evicted; /* life: open sessions forgotten for room */
	uint64_t refused;      /* mappings not kept: names alone over TT_DNS_NAME_BYTES */
};

struct tt_dns_cache;

/* NULL when out of memory. entries and name_bytes: the bounds (0: the defaults). */
struct tt_dns_cache *tt_dns_cache_new(uint32_t entries, size_t name_bytes);
void tt_dns_cache_free(struct tt_dns_cache *c);

/*
 * Process pid in namespace netns learnt at resolved_ns that addr is a name
 * of qname (through cname, NULL if none), valid for ttl seconds. Returns 0
 * or -ENOMEM.
 */
int tt_dns_cache_put(struct tt_dns_cache *c, uint64_t netns, const uint8_t addr[16], uint32_t pid,
		     const char *qname, const char *cname, uint64_t resolved_ns, uint32_t ttl);

/*
 * The name process pid in namespace netns most likely connected to addr by
 * at at_ns: its own newest answer resolved before at_ns, else the newest in
 * its namespace. The strings stay valid until the next put. false: none.
 */
bool tt_dns_cache_get(struct tt_dns_cache *c, uint64_t netns, const uint8_t addr[16],
		      uint32_t pid, uint64_t at_ns, struct tt_dns_info *out);

/* life: the name of a session while it is open, by its namespace and four-tuple. */
struct tt_dns_conn {
	uint64_t netns;
	uint16_t family, lport, rport, pad;
	uint8_t laddr[16], raddr[16];
};

/* Keeps info (as tt_dns_cache_get() gave it) for conn. 0 or -ENOMEM. */
int tt_dns_open_put(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		    const struct tt_dns_info *info);
/*
 * Takes conn's name out: out's strings stay valid until tt_dns_held_release()
 * (the enricher releases them once the event is written). false: none.
 */
bool tt_dns_open_take(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		      struct tt_dns_info *out);
/*
 * tt_dns_open_take() without forgetting it (life --open: a record of the session
 * still open); the names stay valid until the session's entry is taken.
 */
bool tt_dns_open_peek(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		      struct tt_dns_info *out);
void tt_dns_held_release(struct tt_dns_cache *c);

void tt_dns_cache_stats(const struct tt_dns_cache *c, struct tt_dns_cache_stats *s);

/* ---- the enricher (core/enrich/dns/dns.c) ---- */


#endif /* TCPTRACE_DNS_H */
