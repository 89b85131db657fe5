// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Socket owners by file descriptor: each process's /proc/<pid>/fd links
 * read once (readlink(2) says "socket:[inode]"), matched against the inodes
 * sock_diag gave. Reading another user's fds takes CAP_SYS_PTRACE (ptrace
 * read access), which setup has. A process counts once however many of its
 * threads or fds hold the socket; processes sharing one fd table without
 * being threads of one another count as several holders.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/fdowners.h"
#include "lru.h"

uint32_t tt_fd_socket_inode(const char *target)
{
	const char *p = target;
	unsigned long long n = 0;

	if (strncmp(p, "socket:[", 8))
		return 0;
	p += 8;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (unsigned)(*p++ - '0');
		if (n > UINT32_MAX)
			return 0;
	}
	return p[0] == ']' && !p[1] ? (uint32_t)n : 0;
}

int tt_status_uid(const char *text, uint32_t *uid)
{
	const char *p = strstr(text, "\nUid:");
	char *end;
	unsigned long v;

	if (!strncmp(text, "Uid:", 4))
		p = text;
	else if (p)
		p++;
	if (!p)
		return -ENOENT;
	p += 4;
	while (*p == ' ' || *p == '\t')
		p++;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (end == p || errno || v > UINT32_MAX)
		return -ENOENT;
	*uid = (uint32_t)v;
	return 0;
}

bool tt_proc_cgroup_under(const char *text, const char *dir)
{
	const char *p = text, *end;
	size_t n = strlen(dir), len;

	/* the cgroup v2 line: "0::/path" */
	while (p && strncmp(p, "0::", 3))
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	if (!p)
		return false;
	p += 3;
	end = strchr(p, '\n');
	len = end ? (size_t)(end - p) : strlen(p);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return len > 0 && p[0] == '/';
	return len >= n && !strncmp(p, dir, n) && (len == n || p[n] == '/');
}

/* A small file of dir (an fd of /proc/<pid>) into buf, NUL-terminated: length or -1. */
static ssize_t read_small(int dir, const char *name, char *buf, size_t size)
{
	int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* The first time pid is found holding a wanted socket: who it is. */
static void name_holder(int piddir, uint32_t pid, struct tt_fd_owner *o, const char *cgroup)
{
	char buf[2048];
	ssize_t n;

	o->pid = pid;
	o->uid = TT_TASK_UNKNOWN;
	memset(o->comm, 0, sizeof(o->comm));
	n = read_small(piddir, "comm", buf, sizeof(buf));
	if (n > 0) {
		if (buf[n - 1] == '\n')
			buf[--n] = '\0';
		memcpy(o->comm, buf, (size_t)n < sizeof(o->comm) - 1 ? (size_t)n : sizeof(o->comm) - 1);
	}
	if (read_small(piddir, "status", buf, sizeof(buf)) > 0)
		tt_status_uid(buf, &o->uid);
	o->in_cgroup = cgroup && read_small(piddir, "cgroup", buf, sizeof(buf)) > 0 &&
		       tt_proc_cgroup_under(buf, cgroup);
}

/* One process: each wanted socket it holds, counted once for it; false if its fds are denied. */
static bool scan_pid(int procfd, uint32_t pid, struct tt_lru *byino, const char *cgroup)
{
	char name[32], target[64];
	struct dirent *d;
	int piddir, fdd;
	DIR *dir;

	snprintf(name, sizeof(name), "%u", pid);
	piddir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0)
		return true;
	fdd = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir = fdd < 0 ? NULL : fdopendir(fdd);
	if (!dir) {
		bool denied = fdd < 0 && (errno == EACCES || errno == EPERM);

		if (fdd >= 0)
			close(fdd);
		close(piddir);
		return !denied;
	}
	while ((d = readdir(dir))) {
		struct tt_fd_owner *o;
		uint32_t ino;
		ssize_t n;

		if (d->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		ino = tt_fd_socket_inode(target);
		o = ino ? tt_lru_find(byino, &ino) : NULL;
		if (!o || (o->holders && o->pid == pid))
			continue;
		if (!o->holders++)
			name_holder(piddir, pid, o, cgroup);
	}
	closedir(dir);
	close(piddir);
	return true;
}

int tt_fd_owners(const char *proc, struct tt_lru *byino, const char *cgroup)
{
	int procfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	int denied = 0;
	DIR *dir;

	if (procfd < 0)
		return -errno;
	dir = fdopendir(dup(procfd));
	if (!dir) {
		close(procfd);
		return -errno;
	}
	while ((d = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || end == d->d_name || !pid || pid > UINT32_MAX)
			continue;
		if (!scan_pid(procfd, (uint32_t)pid, byino, cgroup))
			denied++;
	}
	closedir(dir);
	close(procfd);
	return denied;
}
