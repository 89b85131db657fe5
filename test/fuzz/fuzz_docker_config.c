// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: Docker's config.v2.json (core/ctrmeta.c). */
#include <stdint.h>
#include <string.h>

#include "tcptrace/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_ctr_meta m;

	memset(&m, 0, sizeof(m));
	tt_meta_docker((const char *)data, size, &m);
	return 0;
}
