// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The name cache of --dns (core/enrich/dns/dns.h): pure, bounded.
 *
 * An entry is one address in one network namespace, keyed by the namespace's
 * cookie and the address (IPv4 as IPv4-mapped IPv6, so that an A record
 * names a connection to ::ffff:a.b.c.d from an AF_INET6 socket too). It
 * keeps the last TT_DNS_SLOTS (process, name) pairs that mapped it, newest
 * replacing oldest: one process's own answer wins over its neighbours', and
 * an address shared by several names (a CDN) keeps a few of them. Entries
 * are in an LRU table: a lookup refreshes one, so addresses in use stay.
 *
 * Names are interned: a name's text is stored once, with a count of the
 * slots (and, for life, the open sessions) that refer to it, and its bytes
 * count against a bound of their own. Forgetting the least recently used
 * addresses is how both bounds are kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/dns/dns.h"
#include "lru.h"

struct tt_dns_name {
	struct tt_dns_name *next; /* in its bucket */
	uint32_t refs, hash;
	size_t len;
	char text[];
};

struct slot {
	struct tt_dns_name *name, *cname;
	uint64_t resolved_ns, deadline_ns;
	uint32_t pid;
};

struct addr_key {
	uint64_t netns;
	uint8_t addr[16];
};

struct addr_val {
	struct slot s[TT_DNS_SLOTS];
};

struct open_val {
	struct tt_dns_name *name, *cname;
	uint64_t age_ns;
	uint32_t candidates;
	uint8_t scope;
	bool stale;
};

#define NAME_BUCKETS 4096 /* grows with the names (load factor 1) */

struct tt_dns_cache {
	struct tt_lru addrs, open;
	struct tt_dns_name **buckets;
	size_t nbuckets, names, name_bytes, name_max;
	/* life: the names of the session being written (tt_dns_open_take()) */
	struct tt_dns_name *held[2];
	uint64_t refused;
};

static uint32_t hash_text(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

static size_t name_cost(size_t len)
{
	return sizeof(struct tt_dns_name) + len + 1;
}

static void name_put(struct tt_dns_cache *c, struct tt_dns_name *n)
{
	struct tt_dns_name **p;

	if (!n || --n->refs)
		return;
	for (p = &c->buckets[n->hash & (c->nbuckets - 1)]; *p != n; p = &(*p)->next)
		;
	*p = n->next;
	c->names--;
	c->name_bytes -= name_cost(n->len);
	free(n);
}

static void grow_buckets(struct tt_dns_cache *c)
{
	size_t nb = c->nbuckets * 2, i;
	struct tt_dns_name **b = calloc(nb, sizeof(*b)), *n, *next;

	if (!b)
		return; /* longer chains, still correct */
	for (i = 0; i < c->nbuckets; i++)
		for (n = c->buckets[i]; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = nb;
}

/* A reference to the interned text s, or NULL (out of memory or over the bound). */
static struct tt_dns_name *name_get(struct tt_dns_cache *c, const char *s)
{
	size_t len = strlen(s);
	uint32_t h = hash_text(s, len);
	struct tt_dns_name *n;

	for (n = c->buckets[h & (c->nbuckets - 1)]; n; n = n->next)
		if (n->hash == h && n->len == len && !memcmp(n->text, s, len)) {
			n->refs++;
			return n;
		}
	/* Room for it: forget the addresses used longest ago. */
	while (c->name_bytes + name_cost(len) > c->name_max && tt_lru_evict_oldest(&c->addrs))
		;
	if (c->name_bytes + name_cost(len) > c->name_max)
		return NULL;
	n = malloc(name_cost(len));
	if (!n)
		return NULL;
	n->refs = 1;
	n->hash = h;
	n->len = len;
	memcpy(n->text, s, len + 1);
	n->next = c->buckets[h & (c->nbuckets - 1)];
	c->buckets[h & (c->nbuckets - 1)] = n;
	c->names++;
	c->name_bytes += name_cost(len);
	if (c->names > c->nbuckets)
		grow_buckets(c);
	return n;
}

static void slot_clear(struct tt_dns_cache *c, struct slot *s)
{
	name_put(c, s->name);
	name_put(c, s->cname);
	memset(s, 0, sizeof(*s));
}

static void addr_evicted(void *ctx, const void *key, void *val)
{
	struct addr_val *v = val;

	for (int i = 0; i < TT_DNS_SLOTS; i++)
		slot_clear(ctx, &v->s[i]);
}

static void open_evicted(void *ctx, const void *key, void *val)
{
	struct open_val *v = val;

	name_put(ctx, v->name);
	name_put(ctx, v->cname);
}

struct tt_dns_cache *tt_dns_cache_new(uint32_t entries, size_t name_bytes)
{
	struct tt_dns_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->name_max = name_bytes ? name_bytes : TT_DNS_NAME_BYTES;
	c->nbuckets = NAME_BUCKETS;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets ||
	    tt_lru_init(&c->addrs, sizeof(struct addr_key), sizeof(struct addr_val),
			entries ? entries : TT_DNS_ENTRIES, addr_evicted, c) ||
	    tt_lru_init(&c->open, sizeof(struct tt_dns_conn), sizeof(struct open_val),
			TT_DNS_OPEN_MAX, open_evicted, c)) {
		tt_dns_cache_free(c);
		return NULL;
	}
	return c;
}

void tt_dns_cache_free(struct tt_dns_cache *c)
{
	if (!c)
		return;
	tt_dns_held_release(c);
	tt_lru_free(&c->open);
	tt_lru_free(&c->addrs);
	free(c->buckets);
	free(c);
}

static void addr_key_of(struct addr_key *k, uint64_t netns, const uint8_t addr[16])
{
	memset(k, 0, sizeof(*k));
	k->netns = netns;
	memcpy(k->addr, addr, 16);
}

int tt_dns_cache_put(struct tt_dns_cache *c, uint64_t netns, const uint8_t addr[16], uint32_t pid,
		     const char *qname, const char *cname, uint64_t resolved_ns, uint32_t ttl)
{
	struct tt_dns_name *name, *cn = NULL;
	struct addr_val *v;
	struct addr_key k;
	struct slot *s;
	bool fresh;
	int i;

	/* The names first: making room for them may forget addresses. */
	name = name_get(c, qname);
	if (name && cname && *cname) {
		cn = name_get(c, cname);
		if (!cn) {
			name_put(c, name);
			name = NULL;
		}
	}
	if (!name) {
		c->refused++;
		return 0;
	}
	addr_key_of(&k, netns, addr);
	v = tt_lru_insert(&c->addrs, &k, &fresh);
	if (!v) {
		name_put(c, name);
		name_put(c, cn);
		return -ENOMEM;
	}
	/* This process's answer for this name again, else a free slot, else the oldest. */
	s = &v->s[0];
	for (i = 0; i < TT_DNS_SLOTS; i++) {
		struct slot *t = &v->s[i];

		if (t->name == name && t->pid == pid) {
			s = t;
			break;
		}
		if (s->name && (!t->name || t->resolved_ns < s->resolved_ns))
			s = t;
	}
	slot_clear(c, s);
	s->name = name;
	s->cname = cn;
	s->pid = pid;
	s->resolved_ns = resolved_ns;
	s->deadline_ns = resolved_ns + (uint64_t)ttl * 1000000000ull;
	return 0;
}

/* Whether slot s may name a connection made at at_ns (0: any time). */
static bool usable(const struct slot *s, uint64_t at_ns)
{
	if (!s->name)
		return false;
	if (!at_ns)
		return true;
	return s->resolved_ns <= at_ns && at_ns - s->resolved_ns <= TT_DNS_MAX_AGE_NS;
}

static uint32_t distinct_names(const struct addr_val *v, const bool *in)
{
	uint32_t n = 0;
	int i, j;

	for (i = 0; i < TT_DNS_SLOTS; i++) {
		if (!in[i])
			continue;
		for (j = 0; j < i && !(in[j] && v->s[j].name == v->s[i].name); j++)
			;
		n += j == i;
	}
	return n;
}

bool tt_dns_cache_get(struct tt_dns_cache *c, uint64_t netns, const uint8_t addr[16],
		      uint32_t pid, uint64_t at_ns, struct tt_dns_info *out)
{
	bool mine[TT_DNS_SLOTS], any[TT_DNS_SLOTS], own = false;
	const struct addr_val *v;
	const struct slot *best = NULL;
	struct addr_key k;
	int i;

	memset(out, 0, sizeof(*out));
	addr_key_of(&k, netns, addr);
	v = tt_lru_find(&c->addrs, &k);
	if (!v)
		return false;
	for (i = 0; i < TT_DNS_SLOTS; i++) {
		any[i] = usable(&v->s[i], at_ns);
		mine[i] = any[i] && v->s[i].pid == pid;
		own |= mine[i];
	}
	for (i = 0; i < TT_DNS_SLOTS; i++)
		if ((own ? mine[i] : any[i]) && (!best || v->s[i].resolved_ns > best->resolved_ns))
			best = &v->s[i];
	if (!best)
		return false;
	out->query = best->name->text;
	out->cname = best->cname ? best->cname->text : NULL;
	out->age_ns = at_ns > best->resolved_ns ? at_ns - best->resolved_ns : 0;
	out->stale = at_ns > best->deadline_ns;
	out->scope = own ? TT_DNS_SCOPE_PROCESS : TT_DNS_SCOPE_NETNS;
	out->candidates = distinct_names(v, own ? mine : any);
	return true;
}

/* The interned name whose text is s (s came from this cache), with a new reference. */
static struct tt_dns_name *name_of_text(const char *s)
{
	struct tt_dns_name *n = (struct tt_dns_name *)(s - offsetof(struct tt_dns_name, text));

	n->refs++;
	return n;
}

int tt_dns_open_put(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		    const struct tt_dns_info *info)
{
	struct open_val *v;
	bool fresh;

	v = tt_lru_insert(&c->open, conn, &fresh);
	if (!v)
		return -ENOMEM;
	if (!fresh)
		open_evicted(c, conn, v); /* the same four-tuple again: a new session */
	v->name = name_of_text(info->query);
	v->cname = info->cname ? name_of_text(info->cname) : NULL;
	v->age_ns = info->age_ns;
	v->candidates = info->candidates;
	v->scope = info->scope;
	v->stale = info->stale;
	return 0;
}

static struct open_val *open_info(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
				   struct tt_dns_info *out)
{
	struct open_val *v = tt_lru_find(&c->open, conn);

	memset(out, 0, sizeof(*out));
	if (!v)
		return NULL;
	out->query = v->name->text;
	out->cname = v->cname ? v->cname->text : NULL;
	out->age_ns = v->age_ns;
	out->candidates = v->candidates;
	out->scope = v->scope;
	out->stale = v->stale;
	return v;
}

bool tt_dns_open_peek(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		      struct tt_dns_info *out)
{
	return open_info(c, conn, out) != NULL;
}

bool tt_dns_open_take(struct tt_dns_cache *c, const struct tt_dns_conn *conn,
		      struct tt_dns_info *out)
{
	struct open_val *v = open_info(c, conn, out);

	if (!v)
		return false;
	tt_dns_held_release(c);
	c->held[0] = v->name;
	c->held[1] = v->cname;
	tt_lru_remove(&c->open, conn);
	return true;
}

void tt_dns_held_release(struct tt_dns_cache *c)
{
	name_put(c, c->held[0]);
	name_put(c, c->held[1]);
	c->held[0] = c->held[1] = NULL;
}

void tt_dns_cache_stats(const struct tt_dns_cache *c, struct tt_dns_cache_stats *s)
{
	s->entries = c->addrs.n;
	s->names = c->names;
	s->name_bytes = c->name_bytes;
	s->open = c->open.n;
	s->evicted = c->addrs.evicted;
	s->open_evicted = c->open.evicted;
	s->refused = c->refused;
}
