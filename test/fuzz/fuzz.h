/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What every fuzz target shares: the input as a C string, and a hard check. */
#ifndef TCPTRACE_FUZZ_H
#define TCPTRACE_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A property of the code under test that an input broke: a crash libFuzzer records. */
#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__,   \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* The input as a NUL-terminated string (malloc()ed: ASan sees overreads), or NULL. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
