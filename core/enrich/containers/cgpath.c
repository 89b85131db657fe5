// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A cgroup v2 path to what it says of its tasks: the container (runtime,
 * id or name), the Kubernetes pod uid, the systemd unit. Pure: the layouts
 * are those the runtimes write (docs/containers.md has the table):
 *
 *   /system.slice/docker-<id>.scope              Docker, systemd driver
 *   /docker/<id>, /docker/<o>/docker/<id>        Docker, cgroupfs driver; in Docker
 *   /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_>.slice/
 *	cri-containerd-<id>.scope                  containerd CRI, systemd driver
 *   /kubepods/<qos>/pod<uid>/<id>                CRI, cgroupfs driver (runtime from its files)
 *   ...-pod<uid_>.slice:cri-containerd:<id>      a systemd parent without the systemd driver
 *   crio-<id>[.scope], crio-conmon-<id>          CRI-O; its monitor is not the container
 *   libpod-<id>.scope[/container], libpod-conmon-<id>.scope   Podman
 *   nerdctl-<id>.scope, /<namespace>/<id>        containerd without Kubernetes
 *   /lxc/<n>, /lxc.payload/<n>, /lxc.payload.<n> LXC (not /lxc.monitor.<n>)
 *   machine-lxc\x2d<n>.scope, <n>.libvirt-lxc     libvirt LXC
 *   garden and ECS ids, bpm-<id>.scope            Cloud Foundry, AWS ECS, BOSH
 *   /system.slice/nginx.service, /user.slice/user-1000.slice/session-3.scope
 *
 * Components are read from the leaf up: the innermost container is the one
 * (Docker in Docker; systemd inside a container adds units below it), and
 * any prefix above the layout is allowed (nested Kubernetes, test trees).
 */
#include <errno.h>
#include <string.h>

#include "enrich/containers/containers.h"

struct comp {
	const char *s;
	size_t n;
};

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A full container id of the OCI runtimes: 64 lowercase hex digits. */
static bool is_id64(const char *s, size_t n)
{
	return n == 64 && is_lower_hex(s, n);
}

static bool has_prefix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.n >= n && !memcmp(c.s, p, n);
}

static bool has_suffix(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return c.n >= n && !memcmp(c.s + c.n - n, p, n);
}

static bool is(struct comp c, const char *text)
{
	return c.n == strlen(text) && !memcmp(c.s, text, c.n);
}

/* c without prefix p (which it must have). */
static struct comp after(struct comp c, const char *p)
{
	size_t n = strlen(p);

	return (struct comp){ c.s + n, c.n - n };
}

static struct comp drop_suffix(struct comp c, const char *p)
{
	if (has_suffix(c, p))
		c.n -= strlen(p);
	return c;
}

static bool put(char *dst, size_t size, struct comp c)
{
	if (c.n == 0 || c.n >= size)
		return false;
	memcpy(dst, c.s, c.n);
	dst[c.n] = '\0';
	return true;
}

/* systemd's escapes ("\x2d") unescaped; false if it does not fit or is malformed. */
static bool unescape(struct comp c, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < c.n; i++) {
		char ch = c.s[i];

		if (ch == '\\') {
			unsigned v = 0, k;

			if (i + 3 >= c.n || c.s[i + 1] != 'x')
				return false;
			for (k = 2; k <= 3; k++) {
				char h = c.s[i + k];

				v <<= 4;
				if (h >= '0' && h <= '9')
					v |= (unsigned)(h - '0');
				else if (h >= 'a' && h <= 'f')
					v |= (unsigned)(h - 'a' + 10);
				else if (h >= 'A' && h <= 'F')
					v |= (unsigned)(h - 'A' + 10);
				else
					return false;
			}
			if (v == 0)
				return false;
			ch = (char)v;
			i += 3;
		}
		if (o + 1 >= size)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return o > 0;
}

bool tt_unit_unescape(const char *unit, char *out, size_t size)
{
	return unescape((struct comp){ unit, strlen(unit) }, out, size);
}

/* Cgroups of systemd units that hold processes (slices hold only cgroups). */
static bool is_unit(struct comp c)
{
	static const char *const kinds[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (has_suffix(c, kinds[i]) && c.n > strlen(kinds[i]))
			return true;
	return false;
}

/*
 * A pod uid as the path holds it: 8-4-4-4-12 hex digits, with '-' or, in
 * systemd slice names, '_' (kubelet's escape of '-'); or the 32 hex digits
 * of a static pod's uid (a hash of its manifest).
 */
static bool pod_uid(struct comp c, char *out)
{
	size_t i;

	if (c.n == 32 && is_lower_hex(c.s, c.n))
		return put(out, TT_CTR_UID_MAX + 1, c);
	if (c.n != 36)
		return false;
	for (i = 0; i < 36; i++) {
		char ch = c.s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-' && ch != '_')
				return false;
			out[i] = '-';
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
			out[i] = ch;
		} else {
			return false;
		}
	}
	out[36] = '\0';
	return true;
}

/* pod<uid> (cgroupfs), or a slice ending in -pod<uid_>.slice, maybe followed by ":...". */
static bool pod_of(struct comp c, char *out)
{
	const char *colon = memchr(c.s, ':', c.n);
	const char *p;

	if (colon)
		c.n = (size_t)(colon - c.s);
	if (has_prefix(c, "pod") && pod_uid(after(c, "pod"), out))
		return true;
	if (!has_suffix(c, ".slice"))
		return false;
	c = drop_suffix(c, ".slice");
	for (p = c.s + c.n; p-- > c.s + 4;)
		if (!memcmp(p - 4, "-pod", 4))
			return pod_uid((struct comp){ p, (size_t)(c.s + c.n - p) }, out);
	return false;
}

enum found { NONE, MONITOR, CONTAINER };

/* Runtimes whose container cgroups are "<prefix><64 hex>", with or without ".scope". */
static const struct {
	const char *prefix;
	const char *runtime;
} prefixed[] = {
	{ "docker-", "docker" },	  { "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },		  { "libpod-payload-", "podman" },
	{ "libpod-", "podman" },	  { "nerdctl-", "containerd" },
};

/* The part after "<prefix>:" in "<slice>:<prefix>:<id>": containerd's name for each. */
static const struct {
	const char *prefix;
	const char *runtime;
} colon_prefixed[] = {
	{ "cri-containerd", "containerd" }, { "crio", "cri-o" },
	{ "docker", "docker" },		    { "libpod", "podman" },
};

static const char *const monitors[] = { "crio-conmon-", "libpod-conmon-", "lxc.monitor." };

/* Cloud Foundry Garden: 8-4-4-4-4 hex digits. */
static bool is_garden(struct comp c)
{
	size_t i;

	if (c.n != 28)
		return false;
	for (i = 0; i < c.n; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? c.s[i] != '-'
							    : !is_lower_hex(c.s + i, 1))
			return false;
	return true;
}

/* AWS ECS (Fargate): 32 hex digits, '-', a decimal number. */
static bool is_ecs(struct comp c)
{
	size_t i;

	if (c.n < 34 || c.n > TT_CTR_ID_MAX || !is_lower_hex(c.s, 32) || c.s[32] != '-')
		return false;
	for (i = 33; i < c.n; i++)
		if (c.s[i] < '0' || c.s[i] > '9')
			return false;
	return true;
}

/* BOSH bpm's job ids: letters, digits, '.', '_', '-'. */
static bool is_bpm_id(struct comp c)
{
	size_t i;

	for (i = 0; i < c.n; i++) {
		char ch = c.s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return false;
	}
	return c.n > 0;
}

static enum found set_id(struct tt_cg_attr *a, const char *runtime, struct comp id)
{
	if (!put(a->id, sizeof(a->id), id))
		return NONE;
	a->runtime = runtime;
	return CONTAINER;
}

static enum found set_name(struct tt_cg_attr *a, const char *runtime, struct comp name)
{
	if (!unescape(name, a->name, sizeof(a->name)))
		return NONE;
	a->runtime = runtime;
	return CONTAINER;
}

/* Whether c (whose parent is parent, n == 0 at the root) is a container's cgroup. */
static enum found container_of(struct comp c, struct comp parent, struct tt_cg_attr *a)
{
	struct comp base = drop_suffix(c, ".scope");
	const char *colon;
	size_t i;

	for (i = 0; i < sizeof(monitors) / sizeof(monitors[0]); i++)
		if (has_prefix(c, monitors[i]))
			return MONITOR;
	for (i = 0; i < sizeof(prefixed) / sizeof(prefixed[0]); i++)
		if (has_prefix(base, prefixed[i].prefix) &&
		    is_id64(after(base, prefixed[i].prefix).s, after(base, prefixed[i].prefix).n))
			return set_id(a, prefixed[i].runtime, after(base, prefixed[i].prefix));
	colon = memchr(c.s, ':', c.n);
	if (colon) {
		const char *last = c.s + c.n;
		struct comp id, prefix;

		while (last > colon && last[-1] != ':')
			last--;
		id = (struct comp){ last, (size_t)(c.s + c.n - last) };
		prefix = (struct comp){ colon + 1, (size_t)(last - 1 - (colon + 1)) };
		if (last - 1 <= colon || !is_id64(id.s, id.n))
			return NONE;
		for (i = 0; i < sizeof(colon_prefixed) / sizeof(colon_prefixed[0]); i++)
			if (is(prefix, colon_prefixed[i].prefix))
				return set_id(a, colon_prefixed[i].runtime, id);
		return set_id(a, NULL, id);
	}
	if (is_id64(c.s, c.n)) {
		/* the runtime's own files say which it is (core/enrich/containers/containers.c) */
		if (is(parent, "docker") || is(parent, "actions_job"))
			return set_id(a, "docker", c);
		put(a->parent, sizeof(a->parent), parent);
		return set_id(a, NULL, c);
	}
	if (is(parent, "lxc") || is(parent, "lxc.payload"))
		return set_name(a, "lxc", c);
	if (has_prefix(c, "lxc.payload.") && c.n > strlen("lxc.payload."))
		return set_name(a, "lxc", after(c, "lxc.payload."));
	if (has_prefix(c, "machine-lxc\\x2d") && has_suffix(c, ".scope"))
		return set_name(a, "libvirt-lxc", after(base, "machine-lxc\\x2d"));
	if (has_suffix(c, ".libvirt-lxc"))
		return set_name(a, "libvirt-lxc", drop_suffix(c, ".libvirt-lxc"));
	if (is_garden(c))
		return set_id(a, "garden", c);
	if (is_ecs(c))
		return set_id(a, "ecs", c);
	if (has_prefix(base, "bpm-") && is_bpm_id(after(base, "bpm-")))
		return set_id(a, "bpm", after(base, "bpm-"));
	return NONE;
}

int tt_cg_parse(const char *path, size_t len, struct tt_cg_attr *a)
{
	const char *end = path + len, *p;
	bool container = false, pod = false;
	struct comp c, parent;

	memset(a, 0, sizeof(*a));
	if (len == 0 || len > TT_CTR_PATH_MAX || memchr(path, '\0', len))
		return -EINVAL;
	/* leaf to root: c is the component ending at end */
	while (end > path) {
		while (end > path && end[-1] == '/')
			end--;
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		if (p == end)
			break;
		c = (struct comp){ p, (size_t)(end - p) };
		/* its parent: the component before p */
		end = p;
		while (end > path && end[-1] == '/')
			end--;
		for (p = end; p > path && p[-1] != '/'; p--)
			;
		parent = (struct comp){ p, (size_t)(end - p) };

		/*
		 * The innermost unit, but none above a container: a service
		 * such as containerd.service may hold containers' cgroups.
		 */
		if (!container) {
			if (!a->unit[0] && is_unit(c))
				put(a->unit, sizeof(a->unit), c);
			container = container_of(c, parent, a) == CONTAINER;
		}
		if (!pod)
			pod = pod_of(c, a->pod_uid);
	}
	return 0;
}
