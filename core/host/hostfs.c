// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Bounded reads of the host's files under --host-root. Paths are resolved
 * with openat2(RESOLVE_IN_ROOT) (v5.6): ".." and absolute symlinks stay
 * under the root, as they would for the host. Older kernels get openat()
 * relative to the root, where an absolute symlink would leave it. Files are
 * opened non-blocking (a FIFO in their place cannot stall the event stream)
 * and read only if regular and small enough.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/hostfs.h"

int tt_host_root_open(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int host_open(int root, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NONBLOCK),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	while (*path == '/')
		path++;
	fd = syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(root, path, (int)how.flags);
	return fd < 0 ? -errno : (int)fd;
}

int tt_fd_read(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 1u << 12, have = 0;
	char *b = NULL, *grown;
	ssize_t n;
	int err = 0;

	for (;;) {
		if (!b || have + 1 == cap) {
			if (b)
				cap *= 2;
			/* room for max bytes, one more to see a longer file, and the NUL */
			if (cap > max + 2)
				cap = max + 2;
			grown = b && have + 1 == cap ? NULL : realloc(b, cap);
			if (!grown) {
				err = b ? -EFBIG : -ENOMEM;
				break;
			}
			b = grown;
		}
		n = read(fd, b + have, cap - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : 0;
			break;
		}
		have += (size_t)n;
		if (have > max) {
			err = -EFBIG;
			break;
		}
	}
	if (err) {
		free(b);
		return err;
	}
	b[have] = '\0';
	*buf = b;
	*len = have;
	return 0;
}

int tt_host_read(int root, const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	int fd, err = 0;

	*buf = NULL;
	*len = 0;
	fd = host_open(root, path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st))
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = -EINVAL;
	else if ((size_t)st.st_size > max)
		err = -EFBIG;
	else
		err = tt_fd_read(fd, (size_t)st.st_size, buf, len);
	close(fd);
	/* grown since fstat(): being written, another time */
	return err == -EFBIG ? -EAGAIN : err;
}

int tt_host_scan(int root, const char *path, bool (*fn)(const char *name, void *ctx), void *ctx)
{
	int fd = host_open(root, path, O_RDONLY | O_DIRECTORY), seen = 0, found = 0;
	struct dirent *d;
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while (!found && seen++ < TT_HOST_DIR_MAX && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			found = fn(d->d_name, ctx);
	closedir(dir);
	return found;
}
