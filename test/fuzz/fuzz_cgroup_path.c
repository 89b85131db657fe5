// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the cgroup path parser (core/enrich/containers/cgpath.c) and systemd's
 * unit name unescaping. The parser takes a length, so the input has no NUL
 * after it (ASan sees any read past it); what it returns is NUL-terminated
 * in its fields, and a container id is made of the characters ids have
 * (hex digits and '-' for the OCI runtimes, Garden and ECS; bpm's job ids
 * also letters, '.' and '_').
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/containers/containers.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_cg_attr a;
	char *text, out[TT_CTR_UNIT_MAX + 1];
	size_t i;

	if (tt_cg_parse((const char *)data, size, &a) == 0) {
		FUZZ_CHECK(strnlen(a.id, sizeof(a.id)) < sizeof(a.id));
		FUZZ_CHECK(strnlen(a.name, sizeof(a.name)) < sizeof(a.name));
		FUZZ_CHECK(strnlen(a.pod_uid, sizeof(a.pod_uid)) < sizeof(a.pod_uid));
		FUZZ_CHECK(strnlen(a.unit, sizeof(a.unit)) < sizeof(a.unit));
		FUZZ_CHECK(strnlen(a.parent, sizeof(a.parent)) < sizeof(a.parent));
		for (i = 0; a.id[i]; i++)
			FUZZ_CHECK(strchr("0123456789abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ._-",
					  a.id[i]));
	}
	text = fuzz_string(data, size);
	if (!text)
		return 0;
	if (tt_unit_unescape(text, out, sizeof(out)))
		FUZZ_CHECK(strnlen(out, sizeof(out)) < sizeof(out));
	free(text);
	return 0;
}
