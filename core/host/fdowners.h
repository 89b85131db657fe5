/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which process holds a socket's file descriptor, from /proc/<pid>/fd
 * (core/host/fdowners.c): the owner of a session opened before tracing.
 */
#ifndef TCPTRACE_FDOWNERS_H
#define TCPTRACE_FDOWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptrace/event.h"

struct tt_lru;

/* What the scan found for one socket inode. */
struct tt_fd_owner {
	uint32_t holders; /* processes holding it (0, 1 or more) */
	uint32_t pid;	  /* the one holder when holders == 1 */
	uint32_t uid;	  /* its real uid */
	bool in_cgroup;	  /* it is in the cgroup asked for, or below (tt_fd_owners()) */
	char comm[TT_COMM_LEN];
};

/*
 * Pure: the inode of a /proc/<pid>/fd link's target "socket:[N]": 0 if it
 * is not a socket.
 */
uint32_t tt_fd_socket_inode(const char *target);
/* Pure: the real uid in the text of /proc/<pid>/status: 0, or -ENOENT. */
int tt_status_uid(const char *text, uint32_t *uid);
/*
 * Pure: whether the text of /proc/<pid>/cgroup puts the process in the
 * cgroup v2 directory dir (relative to the hierarchy's root: "/" or
 * "/system.slice/x.service") or below it.
 */
bool tt_proc_cgroup_under(const char *text, const char *dir);

/*
 * Every process under proc ("/proc") whose fds hold a socket inode that
 * is a key (uint32_t) of byino: its value (struct tt_fd_owner) counts the
 * holders and names the one, and with cgroup (a directory as
 * tt_proc_cgroup_under() takes it) whether it is in it. Processes that
 * vanish meanwhile are skipped.
 * How many processes' fds could not be read (another user's, without
 * CAP_SYS_PTRACE), or -errno of opening proc.
 */
int tt_fd_owners(const char *proc, struct tt_lru *byino, const char *cgroup);

#endif /* TCPTRACE_FDOWNERS_H */
