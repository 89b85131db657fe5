// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A filesystem mounted for this process only (core/host/fsmount.h): tracefs for
 * tracepoint ids, the cgroup v2 hierarchy for -d, securityfs to name what
 * refused a program. Nothing is ever mounted in any namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mount.h>
#include <unistd.h>

#include "host/fsmount.h"

int tt_fsmount_private(const char *fstype, unsigned attrs)
{
	int fs, mnt, err;

	fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		err = -errno;
		close(fs);
		return err;
	}
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	err = mnt < 0 ? -errno : mnt;
	close(fs);
	return err;
}
