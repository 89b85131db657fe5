// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/enrich/containers/ctrmatch.c: --container patterns, what is refused and what each matches. */
#include "check.h"
#include "enrich/containers/containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static bool ok(const char *pat)
{
	char why[160];

	return tt_ctr_pattern_check(pat, why, sizeof(why)) == 0;
}

static const char *why_of(const char *pat)
{
	static char why[160];

	why[0] = '\0';
	tt_ctr_pattern_check(pat, why, sizeof(why));
	return why;
}

int main(void)
{
	const struct tt_ctr_info k8s = {
		.cgroup_id = 42, .id = ID, .runtime = "containerd", .name = "web",
		.k8s_namespace = "shop", .k8s_pod = "web-7d4b9c8f5-x2x9z", .k8s_container = "web",
		.unit = "cri-containerd-" ID ".scope",
	};
	const struct tt_ctr_info dockershim = {
		.id = ID, .name = "k8s_api_api-0_prod_x_0", .k8s_container = "api",
	};
	const struct tt_ctr_info svc = { .unit = "openvpn@my\\x2dvpn.service" };
	const struct tt_ctr_info none = { 0 };
	char big[400];

	/* accepted */
	CHECK(ok("0123"));
	CHECK(ok(ID));
	CHECK(ok("web"));
	CHECK(ok("shop/web-7d4b9c8f5-x2x9z"));
	CHECK(ok("nginx.service"));
	CHECK(ok("openvpn@my\\x2dvpn.service"));
	CHECK(ok("k8s_api_api-0_prod_x_0"));
	CHECK(ok("abc")); /* too short for an id prefix, still a name */
	/* refused, with the reason */
	CHECK(!ok(""));
	CHECK_STR(why_of(""), "empty pattern");
	CHECK(!ok("a b"));
	CHECK_STR(why_of("a b"), "' ' not allowed: a container id prefix, a name, a pod, "
				 "namespace/pod or a systemd unit");
	CHECK(!ok("web*"));
	CHECK(!ok("a\nb"));
	CHECK_STR(why_of("a\nb"), "byte 0x0a not allowed");
	CHECK(!ok("/web"));
	CHECK(!ok("shop/"));
	CHECK(!ok("a/b/c"));
	CHECK_STR(why_of("a/b/c"), "'/' only between a namespace and a pod: namespace/pod");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(!ok(big));

	/* id prefixes: 4 digits or more, either case; not from the middle */
	CHECK(tt_ctr_pattern_match("0123", &k8s));
	CHECK(tt_ctr_pattern_match("0123456789ABCDEF", &k8s));
	CHECK(tt_ctr_pattern_match(ID, &k8s));
	CHECK(!tt_ctr_pattern_match("012", &k8s));
	CHECK(!tt_ctr_pattern_match("4567", &k8s));
	CHECK(!tt_ctr_pattern_match(ID "0", &k8s));
	/* names, pods, units: equal, not contained */
	CHECK(tt_ctr_pattern_match("web", &k8s));
	CHECK(tt_ctr_pattern_match("web-7d4b9c8f5-x2x9z", &k8s));
	CHECK(tt_ctr_pattern_match("shop/web-7d4b9c8f5-x2x9z", &k8s));
	CHECK(!tt_ctr_pattern_match("other/web-7d4b9c8f5-x2x9z", &k8s));
	CHECK(!tt_ctr_pattern_match("sho/web-7d4b9c8f5-x2x9z", &k8s));
	CHECK(!tt_ctr_pattern_match("we", &k8s));
	CHECK(!tt_ctr_pattern_match("shop", &k8s));
	CHECK(tt_ctr_pattern_match("cri-containerd-" ID ".scope", &k8s));
	CHECK(tt_ctr_pattern_match("api", &dockershim));
	CHECK(tt_ctr_pattern_match("k8s_api_api-0_prod_x_0", &dockershim));
	CHECK(tt_ctr_pattern_match("openvpn@my\\x2dvpn.service", &svc));
	CHECK(tt_ctr_pattern_match("openvpn@my-vpn.service", &svc));
	CHECK(!tt_ctr_pattern_match("openvpn@my", &svc));
	CHECK(!tt_ctr_pattern_match("0123", &none));
	CHECK(!tt_ctr_pattern_match("web", &none));
	CHECK(!tt_ctr_pattern_match("a/b", &none));
	return tt_test_done("ctrmatch");
}
