// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/addr.c: addresses as the kernel holds them. */
#include <sys/socket.h>

#include "check.h"
#include "core.h"

int main(void)
{
	uint8_t a[16] = { 198, 18, 0, 1 }, b[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, [12] = 198, [13] = 18, [14] = 0, [15] = 2 };
	uint8_t full[16];
	char buf[TT_ADDR_STRLEN];
	int i;

	CHECK_STR(tt_addr_format(AF_INET, a, buf, sizeof(buf)), "198.18.0.1");
	b[15] = 1;
	CHECK_STR(tt_addr_format(AF_INET6, b, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(tt_addr_format(AF_INET6, mapped, buf, sizeof(buf)), "::ffff:198.18.0.2");
	for (i = 0; i < 16; i++)
		full[i] = (uint8_t)(0xf0 + i % 16);
	CHECK_STR(tt_addr_format(AF_INET6, full, buf, sizeof(buf)),
		  "f0f1:f2f3:f4f5:f6f7:f8f9:fafb:fcfd:feff");
	/* The longest form fits TT_ADDR_STRLEN. */
	memset(full, 0xff, 10);
	memset(full + 10, 0xff, 2);
	memset(full + 12, 255, 4);
	memset(full, 0, 10);
	CHECK_STR(tt_addr_format(AF_INET6, full, buf, sizeof(buf)), "::ffff:255.255.255.255");
	CHECK_STR(tt_addr_format(99, a, buf, sizeof(buf)), "?");
	CHECK_STR(tt_addr_format(AF_INET, a, buf, 4), "?"); /* too small: no partial text */
	CHECK(tt_family_version(AF_INET) == 4);
	CHECK(tt_family_version(AF_INET6) == 6);
	CHECK(tt_family_version(0) == 0);
	/* an IPv4 address's unused bytes are zeroed; an IPv6 one is kept whole */
	memset(full, 0xab, sizeof(full));
	tt_addr_canon(AF_INET, full, full, false);
	CHECK(full[3] == 0xab && full[4] == 0 && full[15] == 0);
	memset(full, 0xab, sizeof(full));
	tt_addr_canon(AF_INET6, full, full, false);
	CHECK(full[4] == 0xab && full[15] == 0xab);
	/* mapped: IPv4 as ::ffff:a.b.c.d, in place or not; IPv6 untouched */
	memset(full, 0xab, sizeof(full));
	tt_addr_canon(AF_INET, a, full, true);
	CHECK_STR(tt_addr_format(AF_INET6, full, buf, sizeof(buf)), "::ffff:198.18.0.1");
	memcpy(b, a, 4);
	memset(b + 4, 0xab, 12);
	tt_addr_canon(AF_INET, b, b, true);
	CHECK(!memcmp(b, full, 16));
	memset(full, 0xab, sizeof(full));
	tt_addr_canon(AF_INET6, full, full, true);
	CHECK(full[0] == 0xab && full[10] == 0xab && full[15] == 0xab);
	return tt_test_done("addr");
}
