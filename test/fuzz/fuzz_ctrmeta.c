// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the readers of the container runtimes' state files
 * (core/enrich/containers/ctrmeta.c). The first byte picks the reader of the rest: an OCI
 * bundle's config.json (containerd, CRI-O, nerdctl), Docker's
 * config.v2.json, containers/storage's containers.json (Podman), or the
 * name of one of kubelet's log directories. Whatever the input, every name
 * read is NUL-terminated in its field and printable (no control bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/containers/containers.h"
#include "fuzz.h"

/* The id of the seeds' containers (Podman's list, kubelet's container logs). */
#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_field(const char *s, size_t size)
{
	size_t n = strnlen(s, size), i;

	FUZZ_CHECK(n < size);
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void check(const struct tt_ctr_meta *m)
{
	check_field(m->name, sizeof(m->name));
	check_field(m->image, sizeof(m->image));
	check_field(m->k8s_namespace, sizeof(m->k8s_namespace));
	check_field(m->k8s_pod, sizeof(m->k8s_pod));
	check_field(m->k8s_pod_uid, sizeof(m->k8s_pod_uid));
	check_field(m->k8s_container, sizeof(m->k8s_container));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tt_ctr_meta m;
	char *name;

	if (size < 1)
		return 0;
	memset(&m, 0, sizeof(m));
	switch (data[0] & 3) {
	case 0:
		tt_meta_oci_config((const char *)data + 1, size - 1, &m);
		break;
	case 1:
		tt_meta_docker((const char *)data + 1, size - 1, &m);
		break;
	case 2:
		tt_meta_podman((const char *)data + 1, size - 1, ID, &m);
		break;
	case 3:
		/* a directory entry's name: at most 255 bytes, NUL-terminated */
		if (size - 1 > 255)
			return 0;
		name = fuzz_string(data + 1, size - 1);
		if (!name)
			return 0;
		tt_kubelet_pod_dir(name, &m);
		check(&m);
		memset(&m, 0, sizeof(m));
		tt_kubelet_container_log(name, ID, &m);
		free(name);
		break;
	}
	check(&m);
	return 0;
}
