// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/host/mountinfo.c: the cgroup2 mounts of a /proc/self/mountinfo, escapes undone. */
#include "check.h"
#include "host/cgroupfs.h"

static char seen[512];

static bool collect(const char *mnt, void *ctx)
{
	size_t n = strlen(seen);

	snprintf(seen + n, sizeof(seen) - n, "%s%s", n ? "|" : "", mnt);
	return ctx != NULL && !strcmp(mnt, (const char *)ctx);
}

static const char *mounts(const char *text, const char *stop_at)
{
	seen[0] = '\0';
	tt_mountinfo_cgroup2(text, strlen(text), collect, (void *)stop_at);
	return seen;
}

int main(void)
{
	/* this machine's hybrid layout, then a DaemonSet's bind of the host's tree */
	static const char hybrid[] =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	static const char daemonset[] =
		"610 600 0:30 /.. /sys/fs/cgroup ro,nosuid shared:9 - cgroup2 cgroup rw\n"
		"620 600 0:30 / /host/sys/fs/cgroup ro master:9 - cgroup2 cgroup rw,nsdelegate\n"
		"630 600 0:30 / /mnt/with\\040space rw - cgroup2 cgroup2 rw\n";
	static const char junk[] = "garbage\n\n- cgroup2\n1 2 3 4 relative rw - cgroup2 x\n"
				   "1 2 3 4 /no-fstype\n1 2 3 4 /x rw - cgroup2";

	CHECK_STR(mounts(hybrid, NULL), "/sys/fs/cgroup/unified");
	CHECK_STR(mounts(daemonset, NULL), "/sys/fs/cgroup|/host/sys/fs/cgroup|/mnt/with space");
	CHECK_STR(mounts(daemonset, "/host/sys/fs/cgroup"), "/sys/fs/cgroup|/host/sys/fs/cgroup");
	CHECK_STR(mounts(junk, NULL), "/x");
	CHECK_STR(mounts("", NULL), "");
	return tt_test_done("mountinfo");
}
