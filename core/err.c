// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one way failures are reported: one line on stderr, a hint where it helps. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "core.h"

static const struct {
	int err;
	const char *hint;
} hints[] = {
	{ ESRCH, "the kernel has no BTF: build it with CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE" },
};

const char *tt_err_hint(int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].err == err)
			return hints[i].hint;
	return NULL;
}

const char *tt_strerror(int err)
{
	static char buf[128];

	if (err < 0)
		err = -err;
	if (err == TT_ENOTSUPP)
		return "Not supported by this kernel (ENOTSUPP)";
	/* libbpf's own codes (LIBBPF_ERRNO__*): strerror() knows no words for them */
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END &&
	    !libbpf_strerror(err, buf, sizeof(buf)))
		return buf;
	return strerror(err);
}

void tt_err(const char *what, int err)
{
	const char *hint = tt_err_hint(err);

	fflush(stdout);
	if (hint)
		fprintf(stderr, TT_PROG ": %s: %s (%s)\n", what, tt_strerror(err), hint);
	else
		fprintf(stderr, TT_PROG ": %s: %s\n", what, tt_strerror(err));
}

void tt_errf(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(TT_PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
