// SPDX-License-Identifier: GPL-2.0
/*
 * --containers: one record (struct tt_cgroup_rec) per cgroup created in the
 * cgroup v2 hierarchy while tracing, with its id and path, so that user
 * space (core/enrich/containers/containers.c) can name the cgroup of an event even when the
 * cgroup is gone by the time it reads the event: a short-lived container.
 *
 * Loaded only with --containers, by the enricher, after the mode's object;
 * its "events" map is the mode's ring buffer (bpf_map__reuse_fd), so a
 * record arrives before the events of the tasks in that cgroup.
 *
 * Hook: raw_tp/cgroup_mkdir (the tracepoint since v4.13, commit
 * ed1777de25d9; raw tracepoints since v4.17), arguments (struct cgroup *,
 * const char *path): the path is relative to the hierarchy's root, built
 * by cgroup_path() for the tracepoint. No tracefs needed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "tcptrace/event.h"
#include "cgroup.bpf.h"
#include "ringbuf.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp/cgroup_mkdir")
int tt_cgroup_mkdir(struct bpf_raw_tracepoint_args *ctx)
{
	const struct cgroup *cg = (const void *)ctx->args[0];
	const char *path = (const void *)ctx->args[1];
	struct tt_cgroup_rec *r;
	long len;

	/* hierarchy 0 is the default one, cgroup v2; v1 ids are another space */
	if (BPF_CORE_READ(cg, root, hierarchy_id) != 0)
		return 0;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		tt_count_lost();
		return 0;
	}
	r->type = TT_REC_CGROUP;
	r->flags = 0;
	r->pad = 0;
	r->level = BPF_CORE_READ(cg, level);
	r->id = tt_cgroup_id_of(cg);
	len = bpf_probe_read_kernel_str(r->path, sizeof(r->path), path);
	if (len < 0)
		r->path[0] = '\0';
	/* a path that fills the buffer may have been cut: user space looks it up */
	if (len < 0 || len >= (long)sizeof(r->path))
		r->flags |= TT_CGF_TRUNCATED;
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}
