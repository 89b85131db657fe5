/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A filesystem mounted for this process only, attached nowhere (core/host/fsmount.c). */
#ifndef TCPTRACE_FSMOUNT_H
#define TCPTRACE_FSMOUNT_H

/*
 * A new mount of fstype ("tracefs", "cgroup2", "securityfs") that no path
 * leads to and that is gone when its descriptor closes: fsopen(2),
 * fsmount(2) (v5.2, commit 24dcb3d90a1f), which need CAP_SYS_ADMIN. attrs:
 * MOUNT_ATTR_* flags. Its root as a file descriptor (for openat(2)), or -errno.
 */
int tt_fsmount_private(const char *fstype, unsigned attrs);

#endif
