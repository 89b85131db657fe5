// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/host/hostfs.c: the one bounded read of a file, /proc's and the host's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "host/hostfs.h"

/* A file of n bytes of 'x' read with bound max: its error, or its length. */
static long read_of(size_t n, size_t max)
{
	int fd = memfd_create("t", MFD_CLOEXEC);
	char *buf = malloc(n + 1), *text = NULL;
	size_t len = 0;
	long ret;
	int err;

	memset(buf, 'x', n);
	CHECK(fd >= 0 && write(fd, buf, n) == (ssize_t)n && lseek(fd, 0, SEEK_SET) == 0);
	err = tt_fd_read(fd, max, &text, &len);
	ret = err ? err : (long)len;
	if (!err)
		CHECK(strlen(text) == len && text[0 == len ? 0 : len - 1] == (len ? 'x' : 0));
	free(text);
	free(buf);
	close(fd);
	return ret;
}

int main(void)
{
	CHECK(read_of(0, 0) == 0);
	CHECK(read_of(1, 0) == -EFBIG);
	CHECK(read_of(100, 100) == 100);
	CHECK(read_of(101, 100) == -EFBIG);
	CHECK(read_of(70000, 1u << 20) == 70000); /* grows past its first 4 KiB */
	CHECK(read_of(70000, 69999) == -EFBIG);
	CHECK(read_of(4095, 4095) == 4095);
	CHECK(read_of(4096, 4096) == 4096);
	return tt_test_done("hostfs");
}
