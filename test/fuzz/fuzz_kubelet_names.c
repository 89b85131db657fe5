// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer: names of kubelet's log directories, /var/log/pods/<ns>_<pod>_<uid>
 * and /var/log/containers/<pod>_<ns>_<container>-<id>.log (core/ctrmeta.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcptrace/containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_ctr_meta m;
	char *name;

	/* a directory entry's name: at most 255 bytes, NUL-terminated */
	if (size > 255)
		return 0;
	name = malloc(size + 1);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	memset(&m, 0, sizeof(m));
	tt_kubelet_pod_dir(name, &m);
	memset(&m, 0, sizeof(m));
	tt_kubelet_container_log(name, ID, &m);
	free(name);
	return 0;
}
