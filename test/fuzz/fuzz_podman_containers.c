// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: containers/storage's containers.json and volatile-containers.json (core/ctrmeta.c). */
#include <stdint.h>
#include <string.h>

#include "tcptrace/containers.h"

/* The id the seeds' second entry has. */
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_ctr_meta m;

	memset(&m, 0, sizeof(m));
	tt_meta_podman((const char *)data, size, ID, &m);
	return 0;
}
