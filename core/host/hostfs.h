/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Files of the host, under --host-root (core/host/hostfs.c): bounded reads of
 * regular files and directory listings, resolved inside the host root so
 * that the host's absolute symlinks (/var/run -> /run) stay in it.
 */
#ifndef TCPTRACE_HOSTFS_H
#define TCPTRACE_HOSTFS_H

#include <stdbool.h>
#include <stddef.h>

/* Entries of a directory looked at, at most. */
#define TT_HOST_DIR_MAX 65536

/*
 * What is left to read of fd, at most max bytes (a /proc file, whose size
 * stat() does not tell): 0 with *buf (malloc()ed, NUL-terminated) and
 * *len, or -errno (-EFBIG: more than max).
 */
int tt_fd_read(int fd, size_t max, char **buf, size_t *len);
/* An fd of the host root directory, or -errno. */
int tt_host_root_open(const char *dir);
/*
 * Reads the regular file path (absolute, under root) of at most max bytes:
 * 0 with *buf (malloc()ed, NUL-terminated) and *len, or -errno (-EFBIG:
 * larger than max; -EINVAL: not a regular file).
 */
int tt_host_read(int root, const char *path, size_t max, char **buf, size_t *len);
/*
 * Calls fn with the name of each entry of directory path (under root) until
 * it returns true: 1 if one did, 0 if none, -errno if the directory cannot
 * be read. At most TT_HOST_DIR_MAX entries are looked at.
 */
int tt_host_scan(int root, const char *path, bool (*fn)(const char *name, void *ctx), void *ctx);

#endif /* TCPTRACE_HOSTFS_H */
