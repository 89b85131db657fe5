// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --container PATTERN: which events to keep, by what their cgroup says
 * (struct tt_ctr_info): a container id prefix of at least 4 hex digits, or
 * a container name, a pod (pod or namespace/pod) or a systemd unit equal
 * to the pattern. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "enrich/containers/containers.h"

#define ID_PREFIX_MIN 4

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

/*
 * What names of containers (Docker, Podman: [a-zA-Z0-9][a-zA-Z0-9_.-]),
 * of Kubernetes objects ([a-z0-9.-]) and of systemd units ([a-zA-Z0-9:_.\-@]
 * with \xNN escapes) are made of.
 */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._-:@\\", c);
}

int tt_ctr_pattern_check(const char *pat, char *why, size_t why_len)
{
	size_t n = strlen(pat), i;
	const char *slash = strchr(pat, '/');

	if (n == 0) {
		snprintf(why, why_len, "empty pattern");
		return -EINVAL;
	}
	if (n > TT_CTR_NS_MAX + 1 + TT_CTR_NAME_MAX) {
		snprintf(why, why_len, "longer than any container, pod or unit name");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (pat[i] == '/' || name_char(pat[i]))
			continue;
		if ((unsigned char)pat[i] < 0x20 || (unsigned char)pat[i] >= 0x7f)
			snprintf(why, why_len, "byte 0x%02x not allowed", (unsigned char)pat[i]);
		else
			snprintf(why, why_len, "'%c' not allowed: a container id prefix, a name, "
				 "a pod, namespace/pod or a systemd unit", pat[i]);
		return -EINVAL;
	}
	if (slash && (slash == pat || !slash[1] || strchr(slash + 1, '/') ||
		      slash - pat > TT_CTR_NS_MAX)) {
		snprintf(why, why_len, "'/' only between a namespace and a pod: namespace/pod");
		return -EINVAL;
	}
	return 0;
}

static bool eq(const char *have, const char *pat)
{
	return have && !strcmp(have, pat);
}

bool tt_ctr_pattern_match(const char *pat, const struct tt_ctr_info *c)
{
	size_t n = strlen(pat);
	const char *slash = strchr(pat, '/');
	char unit[TT_CTR_UNIT_MAX + 1];

	if (slash)
		return c->k8s_namespace && c->k8s_pod && !strcmp(c->k8s_pod, slash + 1) &&
		       strlen(c->k8s_namespace) == (size_t)(slash - pat) &&
		       !memcmp(c->k8s_namespace, pat, (size_t)(slash - pat));
	if (c->id && n >= ID_PREFIX_MIN && is_hex(pat, n) && strlen(c->id) >= n &&
	    !strncasecmp(c->id, pat, n))
		return true;
	if (eq(c->name, pat) || eq(c->k8s_container, pat) || eq(c->k8s_pod, pat) ||
	    eq(c->unit, pat))
		return true;
	/* a unit as systemctl names it, or unescaped ("openvpn@my-vpn.service") */
	return c->unit && strchr(c->unit, '\\') && tt_unit_unescape(c->unit, unit, sizeof(unit)) &&
	       !strcmp(unit, pat);
}
