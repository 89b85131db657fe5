/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroup v2 ids read from kernel objects (--containers): a struct cgroup's
 * id, and the cgroup a socket was created in. Both read through
 * bpf_probe_read_kernel(): their callers run once per new cgroup or per
 * session whose owner was never seen, never per packet.
 *
 * Needs vmlinux.h and the libbpf headers; no maps.
 */
#ifndef TCPTRACE_CGROUP_BPF_H
#define TCPTRACE_CGROUP_BPF_H

#include <bpf/bpf_core_read.h>

/*
 * Before v5.5 the id was a union of {ino, generation} and the u64 of both
 * (commit 67c0496e87d1, "kernfs: convert kernfs_node->id from union
 * kernfs_node_id to u64"); bpf_get_current_cgroup_id() returned that u64
 * there too, so the two agree on every kernel.
 */
union kernfs_node_id {
	struct {
		u32 ino;
		u32 generation;
	};
	u64 id;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	union kernfs_node_id id;
} __attribute__((preserve_access_index));

/* A cgroup's id, as bpf_get_current_cgroup_id() gives it; 0 if cg is NULL. */
static __always_inline __u64 tt_cgroup_id_of(const struct cgroup *cg)
{
	struct kernfs_node *kn;

	if (!cg)
		return 0;
	kn = BPF_CORE_READ(cg, kn);
	if (!kn)
		return 0;
	if (bpf_core_type_exists(union kernfs_node_id))
		return BPF_CORE_READ((struct kernfs_node___old *)kn, id.id);
	return BPF_CORE_READ(kn, id);
}

/*
 * Before v5.15 (commit 8520e224f547) sock_cgroup_data was a u64 that held
 * either the cgroup pointer or, once net_prio or net_cls had been used on
 * the socket, their ids with bit 0 or 1 set; the kernel then took the
 * socket to be in the root cgroup, which is not where its creator was.
 */
struct sock_cgroup_data___old {
	__u64 val;
} __attribute__((preserve_access_index));

struct sock___old_cgrp {
	struct sock_cgroup_data___old sk_cgrp_data;
} __attribute__((preserve_access_index));

/*
 * The cgroup v2 id of the task that created sk (sk_alloc(); an accepted
 * socket inherits its listener's, cgroup_sk_clone()), or 0 when the kernel
 * does not know it: only for sessions whose owner was never seen.
 */
static __always_inline __u64 tt_sk_cgroup_id(const struct sock *sk)
{
	__u64 val;

	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup))
		return tt_cgroup_id_of(BPF_CORE_READ(sk, sk_cgrp_data.cgroup));
	val = BPF_CORE_READ((const struct sock___old_cgrp *)sk, sk_cgrp_data.val);
	if (!val || (val & 3))
		return 0;
	return tt_cgroup_id_of((const struct cgroup *)val);
}

#endif /* TCPTRACE_CGROUP_BPF_H */
