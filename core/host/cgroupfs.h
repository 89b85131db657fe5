/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The cgroup v2 hierarchy as a file system (core/host/cgroupfs.c): a mount of
 * it that shows the whole tree, and a cgroup's path from its id through a
 * file handle (open_by_handle_at(), CAP_DAC_READ_SEARCH), without walking
 * the tree.
 */
#ifndef TCPTRACE_CGROUPFS_H
#define TCPTRACE_CGROUPFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tt_cgroupfs {
	int fd;		     /* the mount's root directory; -1: none usable */
	char mnt[PATH_MAX];  /* its mount point */
	int handle_type;     /* what name_to_handle_at() gives for a cgroup */
	uint64_t root_id;    /* the root cgroup's id */
	bool own_ns;	     /* tcptrace runs in a cgroup namespace of its own */
};

/* Whether tcptrace runs in a cgroup namespace of its own (not the initial one). */
bool tt_cgroup_ns_own(void);
/*
 * The cgroup v2 hierarchy's root directory, opened from the first cgroup2
 * mount that shows it (the one cgroup without a cgroup.events file), its
 * mount point in mnt: the fd, -ENOENT (*mounts: how many cgroup2 mounts
 * there are), or -errno of reading /proc/self/mountinfo.
 */
int tt_cgroup2_root_open(char *mnt, size_t len, int *mounts);
/*
 * Finds a cgroup2 mount whose root is the hierarchy's root (the host's
 * /sys/fs/cgroup or /sys/fs/cgroup/unified, or a bind mount of it in a
 * container). 0, or -ENOENT with why saying what is missing (c->fd is -1).
 */
int tt_cgroupfs_open(struct tt_cgroupfs *c, char *why, size_t why_len);
void tt_cgroupfs_close(struct tt_cgroupfs *c);
/*
 * The path of cgroup id relative to the hierarchy's root ("/" for the
 * root) into buf: 0, or -errno: -ESTALE once it is removed, -EPERM
 * without CAP_DAC_READ_SEARCH, -ENAMETOOLONG if it does not fit.
 */
int tt_cgroupfs_path(const struct tt_cgroupfs *c, uint64_t id, char *buf, size_t size);
/* The same for a cgroup directory already open (--cgroup's), from its fd. */
int tt_cgroupfs_fd_path(const struct tt_cgroupfs *c, int fd, char *buf, size_t size);

/*
 * Pure: calls fn with the root (the path inside the file system) and the
 * mount point, unescaped, of each mount of file system type fstype in the
 * text of /proc/self/mountinfo (len bytes), until it returns true.
 */
void tt_mountinfo_each(const char *text, size_t len, const char *fstype,
		       bool (*fn)(const char *root, const char *mnt, void *ctx), void *ctx);
/* The same for cgroup2 mounts, with the mount point only. */
void tt_mountinfo_cgroup2(const char *text, size_t len, bool (*fn)(const char *mnt, void *ctx),
			  void *ctx);

/* The text of /proc/self/mountinfo (bounded: 4 MiB), to free(): 0 or -errno. */
int tt_mountinfo_read(char **text, size_t *len);

#endif /* TCPTRACE_CGROUPFS_H */
