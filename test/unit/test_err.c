// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/err.c: errors in words, also the kernel's own codes libc cannot name. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "check.h"
#include "core.h"

int main(void)
{
	/* bpf(2) returns ENOTSUPP, e.g. for fexit on arm64 before 6.4. */
	CHECK_STR(tt_strerror(-TT_ENOTSUPP), "Not supported by this kernel (ENOTSUPP)");
	CHECK_STR(tt_strerror(TT_ENOTSUPP), "Not supported by this kernel (ENOTSUPP)");
	CHECK(strstr(strerror(TT_ENOTSUPP), "524") != NULL); /* why it is needed */
	/* libbpf's own codes, which libc cannot name either. */
	CHECK(strstr(tt_strerror(-LIBBPF_ERRNO__FORMAT), "Unknown") == NULL);
	CHECK(strstr(tt_strerror(LIBBPF_ERRNO__FORMAT), "Unknown") == NULL);
	/* Everything else is libc's, whichever sign. */
	CHECK_STR(tt_strerror(-EPERM), strerror(EPERM));
	CHECK_STR(tt_strerror(EOPNOTSUPP), strerror(EOPNOTSUPP));
	CHECK_STR(tt_strerror(-ENOENT), strerror(ENOENT));
	/* Hints only where they are true (privilege errors name capabilities: privs.c). */
	CHECK(strstr(tt_err_hint(-ESRCH), "BTF") != NULL);
	CHECK(tt_err_hint(-EPERM) == NULL);
	CHECK(tt_err_hint(-TT_ENOTSUPP) == NULL);
	CHECK(tt_err_hint(-ENOENT) == NULL);
	return tt_test_done("err");
}
