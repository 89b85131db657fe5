// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The running kernel's BTF, parsed once per run.
 *
 * The feature probes and the plans' fits() need it before the BPF object is
 * loaded, and libbpf needs it again inside bpf_object__load() (CO-RE
 * relocations, tp_btf/fentry attach targets). Parsing the 5-6 MB of
 * /sys/kernel/btf/vmlinux is the largest single cost of starting up, and
 * libbpf 1.x has no way to be given a parsed one: it calls
 * btf__load_vmlinux_btf() itself and frees the result at the end of the load.
 *
 * So the build links with --wrap=btf__load_vmlinux_btf: libbpf's call comes
 * here, and takes the copy the runner handed over with
 * tt_vmlinux_btf_handoff() instead of parsing again. Where the wrap does not
 * reach libbpf's call (a shared libbpf), or nothing was handed over, it is
 * the real function: the same result, only parsed twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "attach.h"

/* The one handed over and not yet taken by libbpf (see above). */
static struct btf *handed_over;

struct btf *__real_btf__load_vmlinux_btf(void);
struct btf *__wrap_btf__load_vmlinux_btf(void);

struct btf *__wrap_btf__load_vmlinux_btf(void)
{
	struct btf *btf = handed_over;

	if (!btf)
		return __real_btf__load_vmlinux_btf();
	handed_over = NULL;
	return btf;
}

/*
 * sysfs hands the file out 4 KiB per read(), ~1,400 reads for 5.5 MB, which
 * is how libbpf reads it. Kernels since mid-2025 ("allow mmap of
 * /sys/kernel/btf/vmlinux") map it instead. Where mmap() fails, libbpf reads it.
 */
struct btf *tt_vmlinux_btf_load(void)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct btf *btf = NULL;
	struct stat st;
	void *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !fstat(fd, &st) && st.st_size > 0) {
		data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data != MAP_FAILED) {
			btf = btf__new(data, (__u32)st.st_size);
			munmap(data, (size_t)st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	return btf ? btf : __real_btf__load_vmlinux_btf();
}

void tt_vmlinux_btf_handoff(struct btf *btf)
{
	btf__free(handed_over);
	handed_over = btf;
}
