// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer: the cgroup path parser (core/cgpath.c), and systemd's unescaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcptrace/containers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_cg_attr a;
	char *text, out[TT_CTR_UNIT_MAX + 1];

	/* the parser takes a length: no NUL after the data */
	if (tt_cg_parse((const char *)data, size, &a) == 0) {
		if (strnlen(a.id, sizeof(a.id)) == sizeof(a.id) ||
		    strnlen(a.unit, sizeof(a.unit)) == sizeof(a.unit) ||
		    strnlen(a.pod_uid, sizeof(a.pod_uid)) == sizeof(a.pod_uid))
			abort();
	}
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	tt_unit_unescape(text, out, sizeof(out));
	free(text);
	return 0;
}
