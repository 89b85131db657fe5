// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: the cgroup2 mounts of a /proc/self/mountinfo text (core/cgroupfs.c). */
#include <stdint.h>
#include <string.h>

#include "tcptrace/cgroupfs.h"

static bool seen(const char *mnt, void *ctx)
{
	size_t *n = ctx;

	*n += strlen(mnt);
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;

	tt_mountinfo_cgroup2((const char *)data, size, seen, &n);
	return 0;
}
