// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/parse.c: port lists, ids, seconds; every bad input is rejected. */
#include <errno.h>

#include "check.h"
#include "core.h"

static uint8_t bm[TT_PORT_BITMAP_BYTES];

static int count_set(void)
{
	int n = 0;
	unsigned p;

	for (p = 0; p < 65536; p++)
		n += tt_port_isset(bm, p);
	return n;
}

static void test_interval(void)
{
	double d = 0;

	/* life --interval: 0.1 s or more, fractional allowed */
	CHECK(tt_parse_interval("0.1", &d) == 0 && d > 0.09 && d < 0.11);
	CHECK(tt_parse_interval("1", &d) == 0 && d == 1);
	CHECK(tt_parse_interval("2.5", &d) == 0 && d == 2.5);
	CHECK(tt_parse_interval("0.09", &d) != 0);
	CHECK(tt_parse_interval("0", &d) != 0);
	CHECK(tt_parse_interval("-1", &d) != 0);
	CHECK(tt_parse_interval("1s", &d) != 0);
	CHECK(tt_parse_interval("", &d) != 0);
	CHECK(tt_parse_interval("nan", &d) != 0);
}

int main(void)
{
	test_interval();
	static const char *const bad[] = {
		"",	 ",",	  "80,",    ",80",	"80,,443", "0",	    "65536", "99999",
		"abc",	 "80a",	  "-",	    "80-",	"-80",	   "90-80", "1-0",   "0-5",
		"1-65536", " 80", "80 ",    "+80",	"8 0",	   "1--2",  "1-2-3", "123456",
		"0x50",	 "80;443",
	};
	char why[160];
	uint32_t id;
	double secs;
	size_t i;

	CHECK(tt_ports_parse("80", bm, why, sizeof(why)) == 0);
	CHECK(tt_port_isset(bm, 80) && count_set() == 1);
	CHECK(tt_ports_parse("80,443", bm, why, sizeof(why)) == 0);
	CHECK(tt_port_isset(bm, 80) && tt_port_isset(bm, 443) && count_set() == 2);
	CHECK(tt_ports_parse("8000-8099,22", bm, why, sizeof(why)) == 0);
	CHECK(count_set() == 101 && tt_port_isset(bm, 8000) && tt_port_isset(bm, 8099) &&
	      !tt_port_isset(bm, 8100) && !tt_port_isset(bm, 7999) && tt_port_isset(bm, 22));
	CHECK(tt_ports_parse("1-65535", bm, why, sizeof(why)) == 0 && count_set() == 65535);
	CHECK(tt_ports_parse("65535", bm, why, sizeof(why)) == 0 && tt_port_isset(bm, 65535));
	CHECK(tt_ports_parse("5-5", bm, why, sizeof(why)) == 0 && count_set() == 1);
	CHECK(!tt_port_isset(bm, 70000));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		if (tt_ports_parse(bad[i], bm, why, sizeof(why)) != -EINVAL || !why[0]) {
			fprintf(stderr, "accepted bad port list '%s'\n", bad[i]);
			CHECK(0);
		}
	}
	CHECK(tt_ports_parse("80,,443", bm, why, sizeof(why)) && strstr(why, "empty"));
	CHECK(tt_ports_parse("80,abc", bm, why, sizeof(why)) && strstr(why, "'abc'"));

	CHECK(tt_parse_u32("0", &id) == 0 && id == 0);
	CHECK(tt_parse_u32("4294967294", &id) == 0 && id == 4294967294u);
	CHECK(tt_parse_u32("4294967295", &id) != 0); /* reserved: "unknown" */
	CHECK(tt_parse_u32("", &id) != 0);
	CHECK(tt_parse_u32("-1", &id) != 0);
	CHECK(tt_parse_u32("12x", &id) != 0);
	CHECK(tt_parse_u32(" 12", &id) != 0);
	CHECK(tt_parse_u32("99999999999999999999", &id) != 0);

	CHECK(tt_parse_seconds("2", &secs) == 0 && secs == 2.0);
	CHECK(tt_parse_seconds("0.5", &secs) == 0 && secs == 0.5);
	CHECK(tt_parse_seconds("0", &secs) != 0);
	CHECK(tt_parse_buffer_kb("4", &id) == 0 && id == 4);
	CHECK(tt_parse_buffer_kb("1048576", &id) == 0 && id == 1048576);
	CHECK(tt_parse_buffer_kb("2", &id) != 0 && tt_parse_buffer_kb("6", &id) != 0);
	CHECK(tt_parse_buffer_kb("2097152", &id) != 0 && tt_parse_buffer_kb("4k", &id) != 0);
	CHECK(tt_parse_seconds("-1", &secs) != 0);
	CHECK(tt_parse_seconds("nan", &secs) != 0);
	CHECK(tt_parse_seconds("inf", &secs) != 0);
	CHECK(tt_parse_seconds("1s", &secs) != 0);
	CHECK(tt_parse_seconds("", &secs) != 0);
	return tt_test_done("parse");
}
