// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Parsing of user input shared by every mode: port lists and ranges, ids,
 * durations. Strict: anything not entirely valid is rejected with a reason.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static int parse_port(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -ERANGE;
	*out = v;
	return 0;
}

int tt_ports_parse(const char *list, uint8_t bitmap[TT_PORT_BITMAP_BYTES], char *why, size_t why_len)
{
	const char *p = list;

	memset(bitmap, 0, TT_PORT_BITMAP_BYTES);
	for (;;) {
		const char *end = strchr(p, ','), *dash;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		unsigned lo, hi, port;

		dash = memchr(p, '-', n);
		if (n == 0) {
			snprintf(why, why_len, "empty item in port list '%s'", list);
			return -EINVAL;
		}
		if (dash) {
			if (parse_port(p, (size_t)(dash - p), &lo) ||
			    parse_port(dash + 1, n - (size_t)(dash - p) - 1, &hi) || lo > hi)
				goto bad;
		} else {
			if (parse_port(p, n, &lo))
				goto bad;
			hi = lo;
		}
		for (port = lo; port <= hi; port++)
			bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
		if (!end)
			return 0;
		p = end + 1;
		continue;
bad:
		snprintf(why, why_len, "invalid port '%.*s' (want 1-65535 or a range LO-HI)", (int)n,
			 p);
		return -EINVAL;
	}
}

bool tt_port_isset(const uint8_t bitmap[TT_PORT_BITMAP_BYTES], unsigned port)
{
	return port < 65536 && (bitmap[port >> 3] & (1u << (port & 7)));
}

int tt_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int tt_parse_seconds(const char *s, double *out)
{
	double v;
	char *end;

	if (!s || !*s || ((*s < '0' || *s > '9') && *s != '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

int tt_parse_interval(const char *s, double *out)
{
	double v;

	/* 0.1 written as such is not below the bound in binary */
	if (tt_parse_seconds(s, &v) || v < TT_INTERVAL_MIN - 1e-9)
		return -EINVAL;
	*out = v;
	return 0;
}

int tt_parse_buffer_kb(const char *s, uint32_t *out)
{
	uint32_t kb;

	if (tt_parse_u32(s, &kb) || kb < TT_BUFFER_KB_MIN || kb > TT_BUFFER_KB_MAX || (kb & (kb - 1)))
		return -EINVAL;
	*out = kb;
	return 0;
}
