/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the running kernel offers, as the runner asks it (core/bpf/): its BTF
 * (vmlinux.c), map sizes (maps.c), feature probes for attach plans
 * (probe.c) and classic tracepoints' ids (tracefs.c).
 */
#ifndef TCPTRACE_BPF_KERNEL_H
#define TCPTRACE_BPF_KERNEL_H

#include <linux/bpf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

#include "mode.h"

struct bpf_map;
struct bpf_object;
struct btf;

/*
 * The weak kfunc the probes call where the kernel has it (probes/common.bpf.h):
 * the runner checks for it, core/bpf/vmlinux.c answers libbpf's lookup of it.
 */
#define TT_KFUNC_RDONLY_CAST "bpf_rdonly_cast"

/*
 * The running kernel's BTF (core/bpf/vmlinux.c), parsed once: handoff() passes
 * it on to the next bpf_object__load(), which frees it (NULL: frees one
 * still pending). core/bpf/corebtf.c is what uses them.
 */
struct btf *tt_vmlinux_btf_load(void);
void tt_vmlinux_btf_handoff(struct btf *btf);
/* Returns to the kernel the memory the parse used, once it is freed. */
void tt_vmlinux_btf_trim(void);

/*
 * Sets the max_entries of p's maps for this plan and these options before
 * the load (core/bpf/maps.c): unused maps get one entry, socket maps are sized
 * to the host. 0 or -errno.
 */
int tt_size_maps(struct bpf_object *obj, const struct tt_probe *p, const struct tt_plan *plan,
		 const struct tt_opts *o);
/* Entries for a socket map on a host with this many TCP sockets and CPUs. */
__u32 tt_socket_map_entries(unsigned long sockets, int ncpu);
__u32 tt_thread_map_entries(unsigned long threads, int ncpu);

/* The sum over the CPUs of entry 0 of a per-CPU array of __u64 (a lost counter); 0 if unread. */
uint64_t tt_map_percpu_sum(const struct bpf_map *map);

/*
 * A two-instruction program ("return 0") of this type and attach point,
 * loaded: its fd, or -errno (the kernel's answer for such programs).
 */
int tt_load_tiny(enum bpf_prog_type type, enum bpf_attach_type expected, __u32 btf_id);

/* 0 if we may load tracing programs (root, or CAP_BPF+CAP_PERFMON), else -errno. */
int tt_probe_privilege(void);

/*
 * What a kernel may lack, and the Linux version that brings it (core/bpf/needs.c):
 * a refusal names it rather than "not supported".
 */
enum tt_need_id {
	TT_NEED_NONE = -1,
	TT_NEED_TRAMPOLINE,
	TT_NEED_TRAMPOLINE_ARM64,
	TT_NEED_KPROBE_PMU,
	TT_NEED_TP_BTF,
	TT_NEED_SOCK_SET_STATE,
	TT_NEED_TASK_BTF,
	TT_NEED_TASK_PT_REGS,
	TT_NEED_MAP_ITER,
	TT_NEED_RAW_TP_TEST_RUN,
	TT_NEED_MEMCG,
};
/* "<mechanism> (Linux X.Y[, with CONFIG_...])", in buf. */
const char *tt_need(enum tt_need_id id, char *buf, size_t len);
/* What a plan's feature probe, failed with err, found missing, or TT_NEED_NONE. */
enum tt_need_id tt_plan_need(const struct btf *vmlinux, enum tt_attach a, int err);
/* Whether the BTF's enum `type` has the value `name` (e.g. a helper's BPF_FUNC_x). */
bool tt_btf_has_enum(const struct btf *btf, const char *type, const char *name);
/*
 * Whether the kernel skips a tp_btf/raw_tp program on a CPU where it already
 * runs (probes/nested.bpf.h): where it does not, the program runs nested in
 * itself and a nested twin would only cost.
 */
bool tt_kernel_skips_nested(const struct btf *vmlinux);
/* Before v5.11: BPF maps and programs count against RLIMIT_MEMLOCK. */
bool tt_kernel_charges_memlock(const struct btf *vmlinux);

/* 0 if the running kernel accepts this plan's kind of hook, else -errno. */
int tt_probe_plan(const struct btf *vmlinux, const struct tt_plan *plan);

/*
 * Classic tracepoints ("category/name") are attached by id, which only
 * tracefs tells (core/bpf/tracefs.c): reads the ids of n of them into ids[]
 * from a readable tracefs, mounted or a private mount attached nowhere.
 * 0, with where they came from in how; or -errno (-EACCES: a tracefs that
 * may not be read; else not mounted, and not mountable), with why in how.
 */
int tt_tracepoint_ids(const char *const *tps, int n, int *ids, char *how, size_t how_len);
/* A perf event on tracepoint id for all tasks of CPU 0 (as libbpf's), or -errno. */
int tt_tracepoint_open(int id);

#endif
