// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * CO-RE relocates against a minimised copy of the kernel's BTF
 * (core/bpf/btfmin.c), handed to libbpf through a memfd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "run/run.h"
#include "bpf/btfmin.h"

/*
 * CO-RE relocates against a minimised copy of the kernel's BTF (see
 * core/bpf/btfmin.c): libbpf reads it from a path given when the object is
 * opened, and it can only be built once the object's own BTF is known. So
 * the path is a memfd, created here and filled in by run_write_core_btf().
 * Without /proc (or memfd_create(), v3.17), libbpf uses the whole BTF.
 */
const char *run_core_btf_path(struct run *r)
{
	r->core_btf_fd = memfd_create("tcptrace-core-btf", MFD_CLOEXEC);
	if (r->core_btf_fd < 0)
		return r->o->btf;
	snprintf(r->core_btf_path, sizeof(r->core_btf_path), "/proc/self/fd/%d",
		 r->core_btf_fd);
	if (access(r->core_btf_path, R_OK)) {
		close(r->core_btf_fd);
		r->core_btf_fd = -1;
		return r->o->btf;
	}
	return r->core_btf_path;
}

/*
 * The ids of the kernel types the probes cast addresses to with
 * bpf_rdonly_cast() (probes/common.bpf.h), where the kernel has it (v6.2)
 * and the BTF is the running kernel's own (not --btf). Otherwise tt_ids
 * stays 0 and the probes read through bpf_probe_read_kernel().
 */
static void set_btf_ids(struct run *r, const struct tt_btf_query *q)
{
	struct tt_btf_ids *ids = run_rodata_var(r->skel->obj, "tt_ids", sizeof(*ids));

	/* q[3], tcp_sock, is optional: an object may never name it */
	if (!ids || r->o->btf || !q[0].id || !q[1].id || !q[2].id || !q[4].id)
		return;
	if (btf__find_by_name_kind(r->vmlinux, TT_KFUNC_RDONLY_CAST, BTF_KIND_FUNC) <= 0)
		return;
	*ids = (struct tt_btf_ids){ q[0].id, q[1].id, q[2].id, q[3].id, q[4].id, 0 };
	if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: sockets found by address read directly "
			"(bpf_rdonly_cast)\n", r->o->mode);
}

int run_write_core_btf(struct run *r)
{
	const struct btf *local = bpf_object__btf(r->skel->obj);
	struct tt_btf_query q[] = {
		{ "file", BTF_KIND_STRUCT, 0 },
		{ "socket", BTF_KIND_STRUCT, 0 },
		{ "sock", BTF_KIND_STRUCT, 0 },
		{ "tcp_sock", BTF_KIND_STRUCT, 0 },
		{ "task_struct", BTF_KIND_STRUCT, 0 },
	};
	unsigned kept = 0;
	size_t size = 0;
	void *min = NULL;
	const void *data;
	int err;

	if (r->core_btf_fd < 0)
		return 0;
	if (local)
		min = tt_btf_min_core(r->vmlinux, local, &size, &kept, q, 5);
	if (min)
		set_btf_ids(r, q);
	data = min;
	if (!min) {
		/* whatever went wrong, the whole BTF still works */
		__u32 full;

		data = btf__raw_data(r->vmlinux, &full);
		size = full;
	}
	err = data ? tt_write_all(r->core_btf_fd, data, size) : -ENOMEM;
	if (err)
		tt_err("writing the kernel BTF for CO-RE to a memfd", err);
	else if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: CO-RE relocations against %u of the kernel's %u "
			"BTF types\n", r->o->mode, min ? kept : btf__type_cnt(r->vmlinux) - 1,
			btf__type_cnt(r->vmlinux) - 1);
	free(min);
	return err;
}

/* Why --btf FILE could not be parsed (btf__parse()'s errno), in words. */
const char *run_btf_file_error(const char *path, int err)
{
	struct stat st;

	if (stat(path, &st))
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return strerror(EISDIR);
	if (err == LIBBPF_ERRNO__FORMAT)
		return "not a valid BTF file (neither raw BTF nor an ELF file)";
	if (err == ENOENT || err == ENODATA)
		return "not a valid BTF file (an ELF file without a .BTF section)";
	if (err == EINVAL || err == EIO || err == EPROTO || err == E2BIG)
		return "not a valid BTF file (corrupted or truncated)";
	return tt_strerror(err);
}
