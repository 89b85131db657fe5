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
 * here, and takes the copy core/bpf/corebtf.c handed over with
 * tt_vmlinux_btf_handoff() instead of parsing again. Where the wrap does not
 * reach libbpf's call (a shared libbpf), or nothing was handed over, it is
 * the real function: the same result, only parsed twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bpf/kernel.h"

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
 * Lookups by name in the kernel's BTF are linear scans, 0.1-0.6 ms each for
 * ~127,000 types, and libbpf repeats ours: the feature probes look up a
 * tp_btf program's target, which libbpf looks up again for each program,
 * and the runner checks for the kfunc bpf_rdonly_cast, which libbpf then
 * resolves. With --wrap=btf__find_by_name_kind every lookup in the BTF
 * parsed here (the probes' copy, then libbpf's) is remembered until the
 * load is over (tt_vmlinux_btf_handoff(NULL)).
 */
#define MEMO_MAX 32

static const struct btf *memo_btf;
static struct {
	char *name;
	__u32 kind;
	int id;
} memo[MEMO_MAX];
static int nmemo;

static void memo_clear(void)
{
	while (nmemo > 0)
		free(memo[--nmemo].name);
	memo_btf = NULL;
}

int __real_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind);
int __wrap_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind);

int __wrap_btf__find_by_name_kind(const struct btf *btf, const char *name, __u32 kind)
{
	int i, id;

	if (!btf || btf != memo_btf || !name)
		return __real_btf__find_by_name_kind(btf, name, kind);
	for (i = 0; i < nmemo; i++)
		if (memo[i].kind == kind && !strcmp(memo[i].name, name))
			break;
	if (i < nmemo) {
		id = memo[i].id;
	} else {
		id = __real_btf__find_by_name_kind(btf, name, kind);
		if (nmemo < MEMO_MAX && (memo[nmemo].name = strdup(name))) {
			memo[nmemo].kind = kind;
			memo[nmemo].id = id;
			nmemo++;
		}
	}
	/*
	 * A weak kfunc the kernel lacks (probes/common.bpf.h): libbpf takes
	 * -ENOENT as "look in every module's BTF", loading each of them,
	 * tens of milliseconds on a host with many modules, and -ESRCH as
	 * "not in the kernel", which for a weak extern is fine.
	 */
	if (id < 0 && kind == BTF_KIND_FUNC && !strcmp(name, TT_KFUNC_RDONLY_CAST))
		return -ESRCH;
	return id;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* v5.14 */
#endif

/*
 * btf__new() copies the data into fresh memory, and first touches of fresh
 * pages are what parsing mostly costs: ~1,500 page faults for 5.5 MB, each
 * slow in a VM (measured on the development VM: 25-40 ms of CPU to parse,
 * 11-15 ms with this). So big allocations come from the heap, which is grown
 * once by the size of the copy and populated in one madvise() call; the
 * copy then reuses those pages. tt_vmlinux_btf_trim() gives them back once
 * libbpf has freed the BTF. Kernels before 5.14 fault the pages in as usual.
 */
static uintptr_t huge_start, huge_end; /* the heap range marked MADV_HUGEPAGE */

static void prefault_heap(size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start, end;
	char *p;

	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	p = malloc(size);
	if (!p)
		return;
	start = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	end = ((uintptr_t)p + size) & ~((uintptr_t)page - 1);
	if (end > start) {
		if (!madvise((void *)start, end - start, MADV_HUGEPAGE)) {
			huge_start = start;
			huge_end = end;
		}
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	}
	free(p);
}

/*
 * The range keeps VM_HUGEPAGE after the BTF is freed: khugepaged would later
 * collapse what the heap still holds there into 2 MB pages, RSS growing by
 * ~1.8 MB at some moment of a long run (seen in the soak test's stall case).
 */
void tt_vmlinux_btf_trim(void)
{
	if (huge_end > huge_start)
		madvise((void *)huge_start, huge_end - huge_start, MADV_NOHUGEPAGE);
	huge_start = huge_end = 0;
	malloc_trim(0);
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
		/*
		 * The copy only: libbpf's type index (4 bytes per type, ~0.5 MB,
		 * grown by reallocation) faults its own pages in, which cost
		 * ~0.1 ms here; populated with the copy, it took 0.6 MB more of
		 * peak RSS (the last growth's 25% reserve included).
		 */
		prefault_heap((size_t)st.st_size);
		data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (data != MAP_FAILED) {
			btf = btf__new(data, (__u32)st.st_size);
			munmap(data, (size_t)st.st_size);
		}
	}
	if (fd >= 0)
		close(fd);
	if (!btf)
		btf = __real_btf__load_vmlinux_btf();
	memo_clear();
	memo_btf = btf;
	return btf;
}

void tt_vmlinux_btf_handoff(struct btf *btf)
{
	btf__free(handed_over);
	handed_over = btf;
	if (!btf)
		memo_clear();	/* libbpf freed it, or it just was */
}
