// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Option values other than ports: ids (-p, -u), durations (--duration,
 * --min-latency), sizes (--buffer-size) and names (--attach). Each parser
 * takes exactly what its option documents and nothing else.
 */
#include <errno.h>
#include <math.h>

#include "fuzz.h"
#include "tcptrace/mode.h"

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	enum tt_attach a;
	uint32_t u = 0;
	double d = 0;

	if (!s)
		return 0;
	if (!tt_parse_u32(s, &u)) {
		FUZZ_CHECK(all_digits(s) && u < UINT32_MAX);
		FUZZ_CHECK(strtoull(s, NULL, 10) == u);
	}
	if (!tt_parse_seconds(s, &d))
		FUZZ_CHECK(isfinite(d) && d > 0 && d <= 1e9);
	if (!tt_parse_buffer_kb(s, &u))
		FUZZ_CHECK(all_digits(s) && u >= TT_BUFFER_KB_MIN && u <= TT_BUFFER_KB_MAX &&
			   !(u & (u - 1)));
	if (!tt_parse_attach(s, &a))
		FUZZ_CHECK(!strcmp(tt_attach_name(a), s));
	free(s);
	return 0;
}
