// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The mounts of a /proc/self/mountinfo text: pure, the one parser of it
 * (core/host/cgroupfs.c, core/bpf/tracefs.c). A line is "id parent
 * major:minor root mount-point options [optional fields...] - fstype source
 * super-options", with spaces, tabs, newlines and backslashes in names
 * written as "\ooo".
 */
#include <limits.h>
#include <string.h>

#include "host/cgroupfs.h"

/* One mountinfo field: up to the next space, with "\ooo" escapes undone. */
static const char *field(const char *p, const char *end, char *out, size_t size)
{
	size_t n = 0;

	while (p < end && *p != ' ' && *p != '\n') {
		char c = *p++;

		if (c == '\\' && end - p >= 3 && p[0] >= '0' && p[0] <= '3' && p[1] >= '0' &&
		    p[1] <= '7' && p[2] >= '0' && p[2] <= '7') {
			c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 + (p[2] - '0'));
			p += 3;
		}
		if (n + 1 < size)
			out[n++] = c;
		else
			n = size; /* too long: not kept */
	}
	if (size)
		out[n < size ? n : 0] = '\0';
	return p < end && *p == ' ' ? p + 1 : p;
}

void tt_mountinfo_each(const char *text, size_t len, const char *fstype,
		       bool (*fn)(const char *root, const char *mnt, void *ctx), void *ctx)
{
	const char *p = text, *end = text + len;
	char root[PATH_MAX], mnt[PATH_MAX], word[64];

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		int i;

		if (!eol)
			eol = end;
		/* id parent major:minor root mount-point options [optional...] - fstype ... */
		for (i = 0; i < 3 && p < eol; i++)
			p = field(p, eol, word, sizeof(word));
		p = field(p, eol, root, sizeof(root));
		p = field(p, eol, mnt, sizeof(mnt));
		while (p < eol) {
			p = field(p, eol, word, sizeof(word));
			if (!strcmp(word, "-"))
				break;
		}
		p = field(p, eol, word, sizeof(word));
		if (!strcmp(word, fstype) && mnt[0] == '/' && fn(root, mnt, ctx))
			return;
		p = eol + 1;
	}
}

struct cgroup2_fn {
	bool (*fn)(const char *mnt, void *ctx);
	void *ctx;
};

static bool cgroup2_mount(const char *root, const char *mnt, void *ctx)
{
	const struct cgroup2_fn *c = ctx;

	(void)root;
	return c->fn(mnt, c->ctx);
}

void tt_mountinfo_cgroup2(const char *text, size_t len, bool (*fn)(const char *mnt, void *ctx),
			  void *ctx)
{
	struct cgroup2_fn c = { fn, ctx };

	tt_mountinfo_each(text, len, "cgroup2", cgroup2_mount, &c);
}
