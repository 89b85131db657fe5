// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for life --open's readers of outside input: a sock_diag
 * reply (core/host/sockdiag.c; copied to an aligned buffer, as recv(2)
 * fills one) and the /proc texts of a socket's holder (core/host/fdowners.c;
 * NUL-terminated, as read_small() leaves them). Every socket handed over is
 * IPv4 or IPv6; the result is 1, 0 or a negative errno.
 */
#include <stdint.h>
#include <string.h>

#include <sys/socket.h>

#include "fuzz.h"
#include "host/fdowners.h"
#include "host/sockdiag.h"

static void seen(const struct tt_diag_sock *s, void *ctx)
{
	size_t *n = ctx;

	FUZZ_CHECK(s->family == AF_INET || s->family == AF_INET6);
	*n += s->lport;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) unsigned char buf[65536];
	char *text;
	size_t n = 0, len = size < sizeof(buf) ? size : sizeof(buf);
	uint32_t uid;
	int r;

	memcpy(buf, data, len);
	r = tt_diag_parse(buf, len, seen, &n);
	FUZZ_CHECK(r == 0 || r == 1 || r < 0);
	text = fuzz_string(data, size);
	if (!text)
		return 0;
	(void)tt_fd_socket_inode(text);
	(void)tt_status_uid(text, &uid);
	(void)tt_proc_cgroup_under(text, "/system.slice");
	(void)tt_proc_cgroup_under(text, "/");
	free(text);
	return 0;
}
