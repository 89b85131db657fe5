// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Port lists (-P, -L, -D): tt_ports_parse() accepts exactly the lists of
 * ports 1-65535 and ranges LO-HI, sets exactly their bits, and says why
 * anything else is rejected.
 */
#include <errno.h>

#include "core.h"
#include "fuzz.h"

/* The bitmap a valid list must give, computed the slow way. */
static int reference(const char *list, uint8_t *bitmap)
{
	const char *p = list;

	memset(bitmap, 0, TT_PORT_BITMAP_BYTES);
	for (;;) {
		unsigned long lo, hi;
		char *end;

		if (*p < '0' || *p > '9')
			return -1;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (end - p > 5)
			return -1;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -1;
			hi = strtoul(p, &end, 10);
			if (end - p > 5)
				return -1;
		}
		if (lo == 0 || hi > 65535 || lo > hi)
			return -1;
		for (; lo <= hi; lo++)
			bitmap[lo >> 3] |= (uint8_t)(1u << (lo & 7));
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t got[TT_PORT_BITMAP_BYTES], want[TT_PORT_BITMAP_BYTES];
	char why[160], *s = fuzz_string(data, size);
	int err, ref;

	if (!s)
		return 0;
	memset(why, 'x', sizeof(why));
	err = tt_ports_parse(s, got, why, sizeof(why));
	ref = reference(s, want);
	FUZZ_CHECK(err == 0 || err == -EINVAL);
	FUZZ_CHECK((err == 0) == (ref == 0));
	if (err)
		FUZZ_CHECK(memchr(why, '\0', sizeof(why)) && why[0] != '\0');
	else
		FUZZ_CHECK(!memcmp(got, want, sizeof(got)) && !tt_port_isset(got, 0));
	free(s);
	return 0;
}
