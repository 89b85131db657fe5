// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The kernel BTF a BPF object loads against, acquired and released in one
 * place for every object of a run (core/bpf/corebtf.h says how it is used).
 *
 * CO-RE relocates against a copy of the run's BTF cut down to what the
 * object reads (core/bpf/btfmin.c): libbpf reads it from the path given when the
 * object is opened, and it can only be built once the object's own BTF is
 * known. So the path is a memfd, created by the acquire and filled in once
 * the object is open. Without /proc (or memfd_create(), v3.17) libbpf
 * relocates against --btf FILE or the kernel's own BTF, which it parses.
 */
#define _GNU_SOURCE /* memfd_create() */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/btfmin.h"
#include "bpf/corebtf.h"
#include "bpf/kernel.h"

/* The run's BTF, from the first acquire to its release; run_file: --btf FILE's, ours to free. */
static struct btf *run_btf;
static bool run_file;

int tt_write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

int tt_core_btf_acquire(struct tt_core_btf *cb, const char *file)
{
	*cb = (struct tt_core_btf){ .path = file, .file = file, .fd = -1 };
	if (!run_btf) {
		/* libbpf's load takes the kernel's copy (core/bpf/vmlinux.c) */
		run_btf = file ? btf__parse(file, NULL) : tt_vmlinux_btf_load();
		if (!run_btf)
			return file ? -errno : -ENOENT;
		if (!file)
			tt_vmlinux_btf_handoff(run_btf);
		run_file = file;
		cb->first = true;
	}
	cb->vmlinux = run_btf;
	cb->fd = memfd_create("tcptrace-core-btf", MFD_CLOEXEC);
	if (cb->fd < 0)
		return 0;
	snprintf(cb->fd_path, sizeof(cb->fd_path), "/proc/self/fd/%d", cb->fd);
	if (access(cb->fd_path, R_OK)) {
		close(cb->fd);
		cb->fd = -1;
		return 0;
	}
	cb->path = cb->fd_path;
	return 0;
}

int tt_core_btf_fill(struct tt_core_btf *cb, const struct bpf_object *obj,
		     struct tt_btf_query *q, int nq)
{
	const struct btf *local = bpf_object__btf(obj);
	size_t size = 0;
	void *min = NULL;
	const void *data;
	int err;

	if (cb->fd < 0 || !cb->vmlinux)
		return 0;
	if (local)
		min = tt_btf_min_core(cb->vmlinux, local, &size, &cb->kept, q, nq);
	data = min;
	if (!min) {
		/* whatever went wrong, the whole BTF still works */
		__u32 full;

		cb->kept = 0;
		data = btf__raw_data(cb->vmlinux, &full);
		size = full;
	}
	err = data ? tt_write_all(cb->fd, data, size) : -ENOMEM;
	free(min);
	return err;
}

void tt_core_btf_release(struct tt_core_btf *cb)
{
	if (cb->path && cb->path == cb->fd_path)
		close(cb->fd);
	cb->fd = -1;
	cb->path = cb->file;
	cb->vmlinux = NULL;
	if (!cb->first)
		return;
	cb->first = false;
	/* the kernel's: libbpf's load freed it, or it is freed now */
	if (run_file)
		btf__free(run_btf);
	else
		tt_vmlinux_btf_handoff(NULL);
	run_btf = NULL;
	tt_vmlinux_btf_trim();
}
