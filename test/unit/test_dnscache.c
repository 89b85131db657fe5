// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/lru.c and core/enrich/dns/dnscache.c: which name wins (the process's own, else
 * its namespace's newest, never another namespace's), stale answers,
 * candidates, and the bounds in entries and bytes; life's open sessions
 * keep their name through the cache forgetting it.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "enrich/dns/dns.h"
#include "lru.h"

#define S 1000000000ull /* a second in ns */

static const uint8_t *ip4(uint8_t last)
{
	static uint8_t a[4][16];
	static int i;
	uint8_t *p = a[i++ & 3];

	memset(p, 0, 16);
	p[10] = p[11] = 0xff;
	p[12] = 198;
	p[13] = 18;
	p[15] = last;
	return p;
}

static int evictions;

static void count_evict(void *ctx, const void *key, void *val)
{
	evictions++;
	CHECK(*(const int *)key == *(int *)val);
}

static void test_lru(void)
{
	struct tt_lru l;
	int k, *v;
	bool fresh;

	CHECK(tt_lru_init(&l, sizeof(int), sizeof(int), 0, NULL, NULL) == -EINVAL);
	CHECK(tt_lru_init(&l, sizeof(int), sizeof(int), 100, count_evict, NULL) == 0);
	for (k = 0; k < 100; k++) {
		v = tt_lru_insert(&l, &k, &fresh);
		CHECK(v && fresh && *v == 0);
		*v = k;
	}
	k = 0;
	CHECK(tt_lru_find(&l, &k) != NULL); /* 0 is now the newest: 1 goes first */
	k = 100;
	v = tt_lru_insert(&l, &k, &fresh);
	*v = 100;
	CHECK(evictions == 1 && l.n == 100 && l.evicted == 1);
	k = 1;
	CHECK(tt_lru_find(&l, &k) == NULL);
	k = 0;
	CHECK(tt_lru_find(&l, &k) && *(int *)tt_lru_find(&l, &k) == 0);
	v = tt_lru_insert(&l, &k, &fresh);
	CHECK(v && !fresh);
	CHECK(tt_lru_remove(&l, &k) && !tt_lru_remove(&l, &k) && l.n == 99);
	/* churn through many keys: never more than the bound */
	for (k = 1000; k < 5000; k++) {
		v = tt_lru_insert(&l, &k, &fresh);
		*v = k;
		CHECK(l.n <= 100 && l.cap <= 100);
	}
	for (k = 4900; k < 5000; k++)
		CHECK(tt_lru_find(&l, &k) && *(int *)tt_lru_find(&l, &k) == k);
	evictions = 0;
	tt_lru_free(&l);
	CHECK(evictions == 100);
}

static void test_scopes(void)
{
	struct tt_dns_cache *c = tt_dns_cache_new(0, 0);
	struct tt_dns_info i;

	CHECK(c != NULL);
	/* pid 10 resolved s1, pid 20 s2, to the same address in netns 1 */
	CHECK(tt_dns_cache_put(c, 1, ip4(97), 10, "s1.tt.test", NULL, 100 * S, 60) == 0);
	CHECK(tt_dns_cache_put(c, 1, ip4(97), 20, "s2.tt.test", "edge.tt.test", 101 * S, 60) == 0);
	CHECK(tt_dns_cache_get(c, 1, ip4(97), 10, 102 * S, &i));
	CHECK_STR(i.query, "s1.tt.test");
	CHECK(i.cname == NULL && i.scope == TT_DNS_SCOPE_PROCESS && i.candidates == 1);
	CHECK(i.age_ns == 2 * S && !i.stale);
	CHECK(tt_dns_cache_get(c, 1, ip4(97), 20, 102 * S, &i));
	CHECK_STR(i.query, "s2.tt.test");
	CHECK_STR(i.cname, "edge.tt.test");
	/* a third process: the namespace's newest, two candidates */
	CHECK(tt_dns_cache_get(c, 1, ip4(97), 30, 102 * S, &i));
	CHECK_STR(i.query, "s2.tt.test");
	CHECK(i.scope == TT_DNS_SCOPE_NETNS && i.candidates == 2);
	/* before pid 20's answer arrived, only pid 10's existed */
	CHECK(tt_dns_cache_get(c, 1, ip4(97), 30, 100 * S + 5, &i));
	CHECK_STR(i.query, "s1.tt.test");
	CHECK(i.candidates == 1);
	CHECK(!tt_dns_cache_get(c, 1, ip4(97), 30, 99 * S, &i) && i.query == NULL);
	/* another namespace never sees them; another address neither */
	CHECK(!tt_dns_cache_get(c, 2, ip4(97), 10, 102 * S, &i));
	CHECK(!tt_dns_cache_get(c, 1, ip4(96), 10, 102 * S, &i));
	/* the same name again by the same process: one slot, refreshed */
	CHECK(tt_dns_cache_put(c, 1, ip4(97), 10, "s1.tt.test", NULL, 103 * S, 1) == 0);
	CHECK(tt_dns_cache_get(c, 1, ip4(97), 10, 110 * S, &i));
	CHECK(i.age_ns == 7 * S && i.stale && i.candidates == 1); /* TTL 1 s, 7 s ago */
	/* answers older than the age limit are not used */
	CHECK(!tt_dns_cache_get(c, 1, ip4(97), 10, 103 * S + TT_DNS_MAX_AGE_NS + 1, &i));
	tt_dns_cache_free(c);
}

static void test_slots(void)
{
	struct tt_dns_cache *c = tt_dns_cache_new(0, 0);
	struct tt_dns_info i;
	char name[32];
	int k;

	/* more names for an address than slots: the oldest go */
	for (k = 0; k < TT_DNS_SLOTS + 2; k++) {
		snprintf(name, sizeof(name), "n%d.tt.test", k);
		tt_dns_cache_put(c, 1, ip4(1), 50, name, NULL, (uint64_t)(k + 1) * S, 60);
	}
	CHECK(tt_dns_cache_get(c, 1, ip4(1), 50, 100 * S, &i));
	CHECK_STR(i.query, "n5.tt.test");
	CHECK(i.candidates == TT_DNS_SLOTS);
	tt_dns_cache_free(c);
}

static void test_bounds(void)
{
	struct tt_dns_cache *c = tt_dns_cache_new(8, 4096);
	struct tt_dns_cache_stats s;
	struct tt_dns_info i;
	uint8_t a[16];
	char name[300];
	int k;

	/* more addresses than entries: the least recently used go */
	for (k = 0; k < 20; k++)
		tt_dns_cache_put(c, 1, ip4((uint8_t)k), 1, "x.tt.test", NULL, S, 60);
	tt_dns_cache_stats(c, &s);
	CHECK(s.entries == 8 && s.evicted == 12 && s.names == 1);
	CHECK(!tt_dns_cache_get(c, 1, ip4(11), 1, 2 * S, &i));
	CHECK(tt_dns_cache_get(c, 1, ip4(12), 1, 2 * S, &i)); /* now the newest */
	tt_dns_cache_put(c, 1, ip4(50), 1, "x.tt.test", NULL, S, 60);
	CHECK(tt_dns_cache_get(c, 1, ip4(12), 1, 2 * S, &i));
	CHECK(!tt_dns_cache_get(c, 1, ip4(13), 1, 2 * S, &i));

	/* more name bytes than allowed: addresses go until the new name fits */
	memset(name, 'a', 250);
	for (k = 0; k < 40; k++) {
		snprintf(name + 250, 50, "%d.tt.test", k);
		memcpy(a, ip4((uint8_t)(100 + k)), 16);
		tt_dns_cache_put(c, 1, a, 1, name, NULL, S, 60);
		tt_dns_cache_stats(c, &s);
		CHECK(s.name_bytes <= 4096);
	}
	CHECK(tt_dns_cache_get(c, 1, a, 1, 2 * S, &i) && !strcmp(i.query + 250, "39.tt.test"));
	/* a name larger than all the bytes allowed: refused, once all else is forgotten */
	memset(name, 'b', 299);
	name[299] = '\0';
	struct tt_dns_cache *tiny = tt_dns_cache_new(8, 256);

	tt_dns_cache_put(tiny, 1, ip4(1), 1, "small.test", NULL, S, 60);
	CHECK(tt_dns_cache_put(tiny, 1, ip4(2), 1, name, NULL, S, 60) == 0);
	tt_dns_cache_stats(tiny, &s);
	CHECK(s.refused == 1 && s.entries == 0);
	tt_dns_cache_free(tiny);
	tt_dns_cache_free(c);
}

static void test_open_sessions(void)
{
	struct tt_dns_cache *c = tt_dns_cache_new(4, 0);
	struct tt_dns_conn conn;
	struct tt_dns_info i, o;
	struct tt_dns_cache_stats s;
	int k;

	memset(&conn, 0, sizeof(conn));
	conn.netns = 1;
	conn.family = 2;
	conn.lport = 40000;
	conn.rport = 443;
	memcpy(conn.raddr, ip4(7) + 12, 4);
	tt_dns_cache_put(c, 1, ip4(7), 10, "life.tt.test", "cdn.tt.test", S, 60);
	CHECK(tt_dns_cache_get(c, 1, ip4(7), 10, 2 * S, &i));
	CHECK(tt_dns_open_put(c, &conn, &i) == 0);
	/* the cache forgets the address and its names... */
	for (k = 0; k < 10; k++)
		tt_dns_cache_put(c, 1, ip4((uint8_t)(20 + k)), 10, "other.tt.test", NULL, 3 * S, 60);
	CHECK(!tt_dns_cache_get(c, 1, ip4(7), 10, 4 * S, &o));
	/* ...the session keeps its name: its open records see it, and its close */
	CHECK(tt_dns_open_peek(c, &conn, &o));
	CHECK_STR(o.query, "life.tt.test");
	CHECK(tt_dns_open_peek(c, &conn, &o)); /* as often as it is asked */
	CHECK(tt_dns_open_take(c, &conn, &o));
	CHECK_STR(o.query, "life.tt.test");
	CHECK_STR(o.cname, "cdn.tt.test");
	CHECK(o.age_ns == S && o.scope == TT_DNS_SCOPE_PROCESS);
	CHECK(!tt_dns_open_take(c, &conn, &i)); /* once */
	tt_dns_cache_stats(c, &s);
	CHECK(s.names == 3 && s.open == 0); /* held until released */
	tt_dns_held_release(c);
	tt_dns_cache_stats(c, &s);
	CHECK(s.names == 1);
	tt_dns_cache_free(c);
}

int main(void)
{
	test_lru();
	test_scopes();
	test_slots();
	test_bounds();
	test_open_sessions();
	return tt_test_done("dnscache");
}
