// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Writes seeds for fuzz_btfmin: a kernel BTF minimised for a BPF object the
 * way the runner minimises it (small, but made of real kernel types).
 *   seed_btfmin /sys/kernel/btf/vmlinux build/skel/connect.bpf.o OUT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "bpf/btfmin.h"

int main(int argc, char **argv)
{
	struct btf *kernel, *obj;
	size_t size = 0;
	FILE *out;
	void *min;

	if (argc != 4) {
		fprintf(stderr, "usage: seed_btfmin KERNEL_BTF BPF_OBJECT OUT\n");
		return 2;
	}
	kernel = btf__parse(argv[1], NULL);
	obj = btf__parse_elf(argv[2], NULL);
	if (!kernel || !obj) {
		fprintf(stderr, "seed_btfmin: %s: %s\n", kernel ? argv[2] : argv[1], strerror(errno));
		return 1;
	}
	min = tt_btf_min_core(kernel, obj, &size, NULL, NULL, 0);
	out = fopen(argv[3], "w");
	if (!min || !out || fwrite(min, 1, size, out) != size || fclose(out)) {
		fprintf(stderr, "seed_btfmin: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	free(min);
	btf__free(obj);
	btf__free(kernel);
	return 0;
}
