// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the DNS reply parser of --dns (core/enrich/dns/dnsparse.c) and
 * the name cache it feeds (core/enrich/dns/dnscache.c). The first byte picks how the
 * rest is seen: as a UDP message or a TCP segment, captured whole or cut
 * short, so that every path of the parser gets hostile input. Each parsed
 * address goes into a small cache and is looked up again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tt_dns_reply *r;
	static struct tt_dns_cache *c;
	struct tt_dns_info info;
	enum tt_dns_status st;
	size_t len, wire;
	uint8_t *copy;
	bool tcp;

	if (!r && !(r = malloc(sizeof(*r))))
		return 0;
	if (!c && !(c = tt_dns_cache_new(64, 4096)))
		return 0;
	if (size < 1)
		return 0;
	tcp = data[0] & 1;
	len = size - 1;
	/* bit 1: the capture was cut, the message was longer */
	wire = data[0] & 2 ? len + (data[0] >> 2) + 1 : len;
	/* an exact-size copy, so that reading past the end is caught */
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, len);
	st = tt_dns_parse_payload(tcp, copy, len, wire, r);
	if (st == TT_DNS_OK) {
		for (unsigned i = 0; i < r->naddrs; i++) {
			tt_dns_cache_put(c, 1, r->addrs[i].addr, 7, r->qname,
					 r->cname[0] ? r->cname : NULL, 10, r->addrs[i].ttl);
			/* found unless the name alone was over the cache's bytes */
			if (tt_dns_cache_get(c, 1, r->addrs[i].addr, 7, 20, &info) &&
			    (!*info.query || strlen(info.query) >= TT_DNS_NAME_MAX))
				abort();
		}
	}
	free(copy);
	return 0;
}
