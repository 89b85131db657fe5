// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Address text, as the kernel holds the address. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core.h"

/* Dotted quad by hand: inet_ntop() formats it through sprintf(), most of its cost. */
static const char *ipv4_format(const uint8_t a[4], char *buf, size_t len)
{
	char *p = buf;
	int i;

	if (len < 16)
		return NULL;
	for (i = 0; i < 4; i++) {
		if (a[i] >= 100)
			*p++ = (char)('0' + a[i] / 100);
		if (a[i] >= 10)
			*p++ = (char)('0' + a[i] / 10 % 10);
		*p++ = (char)('0' + a[i] % 10);
		*p++ = i < 3 ? '.' : '\0';
	}
	return buf;
}

const char *tt_addr_format(unsigned family, const uint8_t addr[16], char *buf, size_t len)
{
	if (family == AF_INET && ipv4_format(addr, buf, len))
		return buf;
	if ((family != AF_INET && family != AF_INET6) || !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int tt_family_version(unsigned family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0;
}

void tt_addr_canon(unsigned family, const uint8_t in[16], uint8_t out[16], bool mapped)
{
	uint8_t v4[4];

	if (family != AF_INET) {
		memmove(out, in, 16);
		return;
	}
	memcpy(v4, in, 4);
	memset(out, 0, 16);
	if (mapped) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, v4, 4);
	} else {
		memcpy(out, v4, 4);
	}
}
