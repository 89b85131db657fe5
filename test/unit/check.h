/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A minimal assertion harness for the unit tests: CHECK, CHECK_STR, a summary. */
#ifndef TT_TEST_CHECK_H
#define TT_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int tt_checks, tt_failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		tt_checks++;                                                          \
		if (!(cond)) {                                                        \
			tt_failures++;                                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
				#cond);                                               \
		}                                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                          \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		tt_checks++;                                                          \
		if (strcmp(g_, w_)) {                                                 \
			tt_failures++;                                                \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, \
				__LINE__, g_, w_);                                    \
		}                                                                     \
	} while (0)

static inline int tt_test_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, tt_checks, tt_failures);
	return tt_failures ? 1 : 0;
}

#endif
