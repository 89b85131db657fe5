// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The mode's object's CO-RE BTF (core/bpf/corebtf.c), with what the runner
 * learns on the way: the ids bpf_rdonly_cast() casts to; why --btf FILE
 * could not be parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/btfmin.h"
#include "bpf/corebtf.h"
#include "bpf/kernel.h"
#include "run/run.h"

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
	struct tt_btf_query q[] = {
		{ "file", BTF_KIND_STRUCT, 0 },
		{ "socket", BTF_KIND_STRUCT, 0 },
		{ "sock", BTF_KIND_STRUCT, 0 },
		{ "tcp_sock", BTF_KIND_STRUCT, 0 },
		{ "task_struct", BTF_KIND_STRUCT, 0 },
	};
	int err;

	if (r->btf.fd < 0)
		return 0;
	err = tt_core_btf_fill(&r->btf, r->skel->obj, q, 5);
	if (!err && r->btf.kept)
		set_btf_ids(r, q);
	if (err)
		tt_err("writing the kernel BTF for CO-RE to a memfd", err);
	else if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: CO-RE relocations against %u of the kernel's %u "
			"BTF types\n", r->o->mode, r->btf.kept ? r->btf.kept :
			btf__type_cnt(r->vmlinux) - 1, btf__type_cnt(r->vmlinux) - 1);
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
