// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the reader of /proc/self/mountinfo's cgroup2 mounts
 * (core/host/mountinfo.c): the text has no NUL after it (ASan sees any read past
 * it), and every mount point handed over is an absolute path that fits
 * PATH_MAX with its NUL.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "host/cgroupfs.h"

static bool seen(const char *mnt, void *ctx)
{
	size_t *n = ctx;

	FUZZ_CHECK(mnt[0] == '/' && strnlen(mnt, PATH_MAX) < PATH_MAX);
	*n += strlen(mnt);
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0;

	tt_mountinfo_cgroup2((const char *)data, size, seen, &n);
	return 0;
}
