// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Option values other than ports: ids (-p, -u), durations (--duration,
 * --min-latency), sizes (--buffer-size), names (--attach) and --container
 * patterns. Each parser takes exactly what its option documents and
 * nothing else; a pattern it takes matches the container, pod or unit of
 * that name, and a refused one says why.
 */
#include <errno.h>
#include <math.h>

#include "enrich/containers/containers.h"
#include "fuzz.h"
#include "mode.h"

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* --container: a pattern taken is a name (one '/' at most, not at an end) that matches. */
static void check_pattern(const char *s)
{
	struct tt_ctr_info c = { 0 };
	const char *slash = strchr(s, '/');
	char why[160] = "", ns[TT_CTR_NS_MAX + 1];
	size_t i;

	if (tt_ctr_pattern_check(s, why, sizeof(why))) {
		FUZZ_CHECK(why[0] != '\0');
		return;
	}
	FUZZ_CHECK(s[0] && s[0] != '/' && s[strlen(s) - 1] != '/');
	for (i = 0; s[i]; i++)
		FUZZ_CHECK((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f);
	if (slash) {
		FUZZ_CHECK(!strchr(slash + 1, '/') && (size_t)(slash - s) < sizeof(ns));
		memcpy(ns, s, (size_t)(slash - s));
		ns[slash - s] = '\0';
		c.k8s_namespace = ns;
		c.k8s_pod = slash + 1;
	} else {
		c.name = s;
	}
	FUZZ_CHECK(tt_ctr_pattern_match(s, &c));
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
	check_pattern(s);
	free(s);
	return 0;
}
