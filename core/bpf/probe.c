// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Feature probes deciding which attach plans the running kernel accepts.
 * Each loads and attaches a two-instruction program the way the real plan
 * would (never reading tracefs or available_filter_functions), so the answer
 * is the kernel's own: e.g. kernels built without kprobes, or refusing BPF
 * trampolines, fail here in microseconds instead of in the real load.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "bpf/roles.h"

static const struct bpf_insn ret0[] = {
	{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
	{ .code = BPF_JMP | BPF_EXIT },
};

int tt_load_tiny(enum bpf_prog_type type, enum bpf_attach_type expected, __u32 btf_id)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = expected,
		    .attach_btf_id = btf_id);
	int fd = bpf_prog_load(type, NULL, "GPL", ret0, 2, &opts);

	return fd < 0 ? -errno : fd;
}

/* fexit on func: needs BTF for it and working trampolines. */
static int probe_fentry(const struct btf *vmlinux, const char *func)
{
	int id, fd, link;

	id = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC);
	if (id <= 0)
		return -ENOENT;
	fd = tt_load_tiny(BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT, (__u32)id);
	if (fd < 0)
		return fd;
	link = bpf_raw_tracepoint_open(NULL, fd);
	link = link < 0 ? -errno : link;
	close(fd);
	if (link < 0)
		return link;
	close(link);
	return 0;
}

/* kprobe on func through the kprobe PMU (sysfs, not tracefs). */
static int probe_kprobe(const char *func)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	char buf[32] = "";
	int fd, pfd, type, err = 0;

	fd = open("/sys/bus/event_source/devices/kprobe/type", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -EOPNOTSUPP; /* kernel built without kprobes */
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		err = -EOPNOTSUPP;
	close(fd);
	if (err)
		return err;
	type = atoi(buf);
	fd = tt_load_tiny(BPF_PROG_TYPE_KPROBE, 0, 0);
	if (fd < 0)
		return fd;
	attr.type = (__u32)type;
	attr.config1 = (__u64)(unsigned long)func;
	attr.config2 = 0;
	pfd = (int)syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		err = -errno;
	} else {
		if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, fd) < 0)
			err = -errno;
		close(pfd);
	}
	close(fd);
	return err;
}

/*
 * tp_btf on inet_sock_set_state: the tracepoint every plan relies on.
 * Loaded, not attached: unlike a trampoline (fexit above, which can load
 * and then fail to attach), a tp_btf program attaches by adding itself to
 * the tracepoint's probes, and the load already checked the tracepoint.
 * Attaching and detaching cost ~0.8 ms of start-up on the development VM
 * (text patching and its IPIs).
 */
static int probe_tracepoint(const struct btf *vmlinux)
{
	int id, fd;

	id = btf__find_by_name_kind(vmlinux, "btf_trace_inet_sock_set_state", BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -ENOENT;
	fd = tt_load_tiny(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, (__u32)id);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * A classic tracepoint, for kernels before tp_btf (v5.5): the kernel's BTF
 * describes the record of every tracepoint it has (trace_event_raw_<event>),
 * which tells without tracefs whether the tracepoint exists.
 */
static int probe_classic_tracepoint(const struct btf *vmlinux, const char *event)
{
	char name[128];

	snprintf(name, sizeof(name), "trace_event_raw_%s", event);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_STRUCT) > 0 ? 0 : -ENOENT;
}

int tt_probe_privilege(void)
{
	int fd = tt_refuse_env(NULL, "tracepoint/");

	if (fd)
		return fd;
	fd = tt_load_tiny(BPF_PROG_TYPE_TRACEPOINT, 0, 0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The section a plan's main hook has in the probes (for TT_REFUSE_ENV). */
static int refused_by_env(const struct tt_plan *plan)
{
	char sec[128];

	switch (plan->method) {
	case TT_ATTACH_FENTRY:
		snprintf(sec, sizeof(sec), "fexit/%s", plan->probe_func);
		break;
	case TT_ATTACH_KPROBE:
		snprintf(sec, sizeof(sec), "kprobe/%s", plan->probe_func);
		break;
	case TT_ATTACH_TRACEPOINT:
		if (plan->probe_func)
			snprintf(sec, sizeof(sec), "tracepoint/sock/%s", plan->probe_func);
		else
			snprintf(sec, sizeof(sec), "tp_btf/inet_sock_set_state");
		break;
	default:
		return 0;
	}
	return tt_refuse_env(NULL, sec);
}

int tt_probe_plan(const struct btf *vmlinux, const struct tt_plan *plan)
{
	int err = refused_by_env(plan);

	if (err)
		return err;
	switch (plan->method) {
	case TT_ATTACH_FENTRY:
		return probe_fentry(vmlinux, plan->probe_func);
	case TT_ATTACH_KPROBE:
		return probe_kprobe(plan->probe_func);
	case TT_ATTACH_TRACEPOINT:
		if (plan->probe_func)
			return probe_classic_tracepoint(vmlinux, plan->probe_func);
		return probe_tracepoint(vmlinux);
	case TT_ATTACH_AUTO:
		break;
	}
	return -EINVAL;
}
