// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The cgroup v2 hierarchy seen as files: which mount of it to use, and a
 * cgroup's path from its id.
 *
 * A cgroup's id is its kernfs node's, which is also the handle that
 * name_to_handle_at() gives for its directory (FILEID_KERNFS since v5.5;
 * before, FILEID_INO32_GEN with the same 8 bytes), so
 * open_by_handle_at() on a mount of the hierarchy opens it directly: one
 * system call per cgroup instead of a walk of every directory. It needs
 * CAP_DAC_READ_SEARCH, and fails with ESTALE once the cgroup is removed.
 *
 * The mount must show the whole hierarchy: in a cgroup namespace of its
 * own a process mounting cgroup2 sees only its subtree, but a bind mount
 * of the host's /sys/fs/cgroup (a DaemonSet's hostPath) shows it all. The
 * hierarchy's root is the one cgroup without a cgroup.events file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cgroupfs.h"
#include "host/hostfs.h"

/* /proc/PID/ns/cgroup of the initial cgroup namespace (PROC_CGROUP_INIT_INO). */
#define CGROUP_NS_INIT_INO 0xEFFFFFFBu

struct pick {
	int fd;
	char *mnt;
	size_t len;
	int mounts; /* cgroup2 mounts seen */
};

/* The first cgroup2 mount whose root is the hierarchy's root. */
static bool pick(const char *mnt, void *ctx)
{
	struct pick *p = ctx;
	int fd;

	p->mounts++;
	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (faccessat(fd, "cgroup.events", F_OK, 0) == 0 || errno != ENOENT) {
		close(fd);
		return false;
	}
	p->fd = fd;
	snprintf(p->mnt, p->len, "%s", mnt);
	return true;
}

int tt_cgroup2_root_open(char *mnt, size_t len, int *mounts)
{
	struct pick p = { -1, mnt, len, 0 };
	char *text = NULL;
	size_t tlen = 0;
	int err;

	*mounts = 0;
	err = tt_mountinfo_read(&text, &tlen);
	if (err)
		return err;
	tt_mountinfo_cgroup2(text, tlen, pick, &p);
	free(text);
	*mounts = p.mounts;
	return p.fd >= 0 ? p.fd : -ENOENT;
}

int tt_mountinfo_read(char **text, size_t *len)
{
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = tt_fd_read(fd, 4u << 20, text, len);
	close(fd);
	return err;
}

bool tt_cgroup_ns_own(void)
{
	struct stat st;

	return !stat("/proc/self/ns/cgroup", &st) && st.st_ino != CGROUP_NS_INIT_INO;
}

int tt_cgroupfs_open(struct tt_cgroupfs *c, char *why, size_t why_len)
{
	struct {
		struct file_handle fh;
		unsigned char id[8];
	} h;
	int fd, mounts, mount_id;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->own_ns = tt_cgroup_ns_own();
	fd = tt_cgroup2_root_open(c->mnt, sizeof(c->mnt), &mounts);
	if (fd < 0 && fd != -ENOENT) {
		snprintf(why, why_len, "cannot read /proc/self/mountinfo: %s", strerror(-fd));
		return -ENOENT;
	}
	c->fd = fd;
	if (c->fd < 0) {
		if (!mounts)
			snprintf(why, why_len, "no cgroup v2 hierarchy is mounted (a cgroup v1 host?)");
		else
			snprintf(why, why_len, "no cgroup2 mount shows the whole hierarchy%s",
				 c->own_ns ? " (tcptrace runs in a cgroup namespace of its own: "
					     "mount the host's /sys/fs/cgroup, or run in the "
					     "host's cgroup namespace)"
					   : "");
		return -ENOENT;
	}
	h.fh.handle_bytes = sizeof(h.id);
	if (name_to_handle_at(c->fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) ||
	    h.fh.handle_bytes != sizeof(h.id)) {
		snprintf(why, why_len, "%s: no file handles for cgroups (%s)", c->mnt,
			 strerror(errno));
		tt_cgroupfs_close(c);
		return -ENOENT;
	}
	c->handle_type = h.fh.handle_type;
	memcpy(&c->root_id, h.id, sizeof(c->root_id));
	return 0;
}

void tt_cgroupfs_close(struct tt_cgroupfs *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int tt_cgroupfs_fd_path(const struct tt_cgroupfs *c, int fd, char *buf, size_t size)
{
	char proc[32], *link;
	/* a mount on / would leave the cgroup's whole path */
	size_t mlen = strcmp(c->mnt, "/") ? strlen(c->mnt) : 0, n_link;
	ssize_t n;
	int err = 0;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	link = malloc(PATH_MAX);
	n = link ? readlink(proc, link, PATH_MAX - 1) : -1;
	if (n < 0)
		err = link ? -errno : -ENOMEM;
	if (!err) {
		link[n] = '\0';
		n_link = (size_t)n;
		/* the mount point, then the cgroup's path in the hierarchy */
		if (strncmp(link, c->mnt, mlen) || (link[mlen] != '/' && link[mlen] != '\0') ||
		    (n_link > 10 && !strcmp(link + n_link - 10, " (deleted)")))
			err = -ESTALE; /* removed since, or not under the mount */
		else if (strlen(link + mlen) + 1 > size)
			err = -ENAMETOOLONG;
		else
			snprintf(buf, size, "%s", link[mlen] ? link + mlen : "/");
	}
	free(link);
	return err;
}

int tt_cgroupfs_path(const struct tt_cgroupfs *c, uint64_t id, char *buf, size_t size)
{
	struct {
		struct file_handle fh;
		unsigned char id[8];
	} h;
	int fd, err;

	if (c->fd < 0)
		return -ENOENT;
	if (id == c->root_id) {
		snprintf(buf, size, "/");
		return 0;
	}
	h.fh.handle_bytes = sizeof(h.id);
	h.fh.handle_type = c->handle_type;
	memcpy(h.id, &id, sizeof(h.id));
	fd = open_by_handle_at(c->fd, &h.fh, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = tt_cgroupfs_fd_path(c, fd, buf, size);
	close(fd);
	return err;
}
