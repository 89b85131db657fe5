// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd/dispatch.c: the registry and its exact-match lookups. */
#include "check.h"
#include "dispatch.h"
#include "modes.h"

int main(void)
{
	char path[64];
	int i;

	CHECK(tt_napplets >= 1);
	for (i = 0; i < tt_napplets; i++) {
		const struct tt_applet *a = &tt_applets[i];

		CHECK(tt_find_mode(a->mode) == a);
		CHECK(tt_find_applet(a->applet) == a);
		snprintf(path, sizeof(path), "/usr/local/sbin/%s", a->applet);
		CHECK(tt_find_applet(path) == a);
		snprintf(path, sizeof(path), "./%s", a->applet);
		CHECK(tt_find_applet(path) == a);
		/* Exact matches only. */
		snprintf(path, sizeof(path), "%sx", a->applet);
		CHECK(tt_find_applet(path) == NULL);
		snprintf(path, sizeof(path), "%.3s", a->mode);
		CHECK(tt_find_mode(path) == NULL);
		CHECK(a->summary && a->summary[0] && a->def);
		CHECK_STR(a->def->name, a->mode);
	}
	CHECK(tt_find_mode("connect") != NULL);
	CHECK(tt_find_applet("tcpconnect") == tt_find_mode("connect"));
	CHECK(tt_find_applet("tcptrace") == NULL);
	CHECK(tt_find_applet("/usr/bin/") == NULL);
	CHECK(tt_find_mode("") == NULL);
	CHECK(tt_find_mode("CONNECT") == NULL);
	CHECK_STR(tt_basename("/a/b/c"), "c");
	CHECK_STR(tt_basename("c"), "c");
	CHECK_STR(tt_basename("/a/"), "");
	return tt_test_done("dispatch");
}
