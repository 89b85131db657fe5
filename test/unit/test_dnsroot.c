// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/dns.c: where the cgroup v2 root is mounted, from /proc/self/mountinfo. */
#include <errno.h>

#include "check.h"
#include "tcptrace/dns.h"

static int find(const char *mountinfo, char *path, size_t len)
{
	return tt_dns_cgroup2_mount(mountinfo, strlen(mountinfo), path, len);
}

int main(void)
{
	char path[64];

	/* hybrid: cgroup v1 controllers, v2 at .../unified */
	CHECK(find("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		   "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		   "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n",
		   path, sizeof(path)) == 0);
	CHECK_STR(path, "/sys/fs/cgroup/unified");
	/* a container's view of a subtree is not the root; the next mount is */
	CHECK(find("50 1 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n"
		   "51 1 0:30 / /mnt/cg\\040two rw - cgroup2 none rw\n",
		   path, sizeof(path)) == 0);
	CHECK_STR(path, "/mnt/cg two");
	CHECK(find("1 0 0:1 / / rw - ext4 /dev/sda rw\n", path, sizeof(path)) == -ENOENT);
	/* a path longer than the buffer is cut, never overrun */
	CHECK(find("51 1 0:30 / /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
		   "rw - cgroup2 none rw\n", path, 8) == 0);
	CHECK(strlen(path) == 7);
	return tt_test_done("dnsroot");
}
