// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Classic tracepoints (syscalls:sys_exit_connect...) are attached by id, and
 * only tracefs tells the id: events/<category>/<name>/id. Hosts here boot
 * without it mounted, and where it is mounted its root may be mode 0700.
 * The ids are read, in this order:
 *  - from a tracefs mounted anywhere (/proc/self/mountinfo, then the usual
 *    places) that this process may read: no privilege beyond reading it;
 *  - from a tracefs mount of our own that is attached nowhere: fsopen(2),
 *    fsmount(2) (v5.2, commit 24dcb3d90a1f), which needs CAP_SYS_ADMIN. It
 *    is never visible in any mount namespace and disappears with its file
 *    descriptor (also when the process is killed), so there is nothing to
 *    undo. tracefs is one superblock: no mount options are given, so the
 *    host's tracefs keeps its own.
 * Where neither works, the runner loads the programs' twins on the raw
 * sys_exit tracepoint instead (probes/common.bpf.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bpf/kernel.h"
#include "host/cgroupfs.h"
#include "host/fsmount.h"

#define TRACEFS_MAGIC_NR 0x74726163
#define MAX_ROOTS 8

/* Reads a decimal id from dirfd/events/<tp>/id: the id, or -errno. */
static int read_id(int dirfd, const char *tp)
{
	char path[160], buf[24];
	long id;
	char *end;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "events/%s/id", tp) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	id = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || id <= 0 || id > 0x7fffffff)
		return -EIO;
	return (int)id;
}

/* All ids from one tracefs root: 0 or the first -errno. */
static int read_ids(int dirfd, const char *const *tps, int n, int *ids)
{
	int i;

	for (i = 0; i < n; i++) {
		ids[i] = read_id(dirfd, tps[i]);
		if (ids[i] < 0)
			return ids[i];
	}
	return 0;
}

struct roots {
	char (*roots)[256];
	int n;
};

static bool add_root(const char *root, const char *mnt, void *ctx)
{
	struct roots *r = ctx;

	(void)root;
	snprintf(r->roots[r->n++], sizeof(r->roots[0]), "%s", mnt);
	return r->n == MAX_ROOTS - 2;
}

/* Mount points of tracefs in mountinfo, then the usual places: how many. */
static int tracefs_roots(char roots[MAX_ROOTS][256])
{
	struct roots r = { roots, 0 };
	size_t len;
	char *text;

	if (!tt_mountinfo_read(&text, &len)) {
		tt_mountinfo_each(text, len, "tracefs", add_root, &r);
		free(text);
	}
	snprintf(roots[r.n++], sizeof(roots[0]), "/sys/kernel/tracing");
	snprintf(roots[r.n++], sizeof(roots[0]), "/sys/kernel/debug/tracing");
	return r.n;
}

/* A tracefs of our own, attached nowhere: its root as a file descriptor. */
static int private_tracefs(void)
{
	return tt_fsmount_private("tracefs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
						     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int tt_tracepoint_ids(const char *const *tps, int n, int *ids, char *how, size_t how_len)
{
	char roots[MAX_ROOTS][256];
	int i, nroots, fd, err = -ENOENT;
	bool unreadable = false;
	struct statfs st;

	nroots = tracefs_roots(roots);
	for (i = 0; i < nroots; i++) {
		fd = open(roots[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstatfs(fd, &st) && st.f_type == TRACEFS_MAGIC_NR) {
			err = read_ids(fd, tps, n, ids);
			if (!err) {
				close(fd);
				snprintf(how, how_len, "tracefs at %s", roots[i]);
				return 0;
			}
			unreadable |= err == -EACCES;
		}
		close(fd);
	}
	fd = private_tracefs();
	if (fd >= 0) {
		err = read_ids(fd, tps, n, ids);
		close(fd);
		if (!err) {
			snprintf(how, how_len, "a private tracefs mount");
			return 0;
		}
		unreadable |= err == -EACCES;
	} else {
		err = fd;
	}
	/* What the privilege hint is about: reading, or mounting. */
	snprintf(how, how_len, "%s", unreadable ? "tracefs is not readable" : "tracefs is not mounted");
	return unreadable ? -EACCES : err;
}

int tt_tracepoint_open(int id)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = (__u64)id,
		.sample_period = 1,
		.wakeup_events = 1,
	};
	int fd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}
