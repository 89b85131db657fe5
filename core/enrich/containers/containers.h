/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * --containers: which container, pod or systemd unit an event's task
 * belongs to, from the cgroup v2 id the probes record (docs/containers.md).
 *
 * The pure parts, each over a buffer with explicit bounds (unit-tested and
 * fuzzed), in core/enrich/containers/: the cgroup path parser (cgpath.c),
 * the readers of the runtimes' state files (ctrmeta.c) and the --container
 * patterns (ctrmatch.c). The enricher that drives them is containers.c.
 */
#ifndef TCPTRACE_CONTAINERS_H
#define TCPTRACE_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest values kept; a longer one is unknown (null), never cut. */
#define TT_CTR_ID_MAX 64      /* a container id: 64 hex digits for OCI runtimes */
#define TT_CTR_NAME_MAX 255   /* container, image, pod names */
#define TT_CTR_NS_MAX 63      /* a Kubernetes namespace (a DNS label) */
#define TT_CTR_UID_MAX 36     /* a pod uid with dashes */
#define TT_CTR_UNIT_MAX 255   /* a systemd unit name */
#define TT_CTR_PATH_MAX 4096  /* a cgroup path given to the parser */

/* What one event's cgroup says, for the output fields (core/out/fields.c). NULL: unknown. */
struct tt_ctr_info {
	uint64_t cgroup_id; /* 0: unknown */
	const char *cgroup; /* path relative to the cgroup v2 root */
	const char *id;	    /* container id */
	const char *runtime; /* docker, containerd, cri-o, podman, lxc, ... */
	const char *name;
	const char *image;
	const char *k8s_namespace;
	const char *k8s_pod;
	const char *k8s_pod_uid;
	const char *k8s_container;
	const char *unit;   /* systemd unit */
	const char *ns_pod; /* "namespace/pod", for the table */
};

/* ---- cgroup paths (core/enrich/containers/cgpath.c) ---- */

/* What a cgroup path shows: "" / NULL when it does not. */
struct tt_cg_attr {
	const char *runtime;		    /* a static string, or NULL: not known from the path */
	char id[TT_CTR_ID_MAX + 1];	    /* the container's id */
	char name[TT_CTR_NAME_MAX + 1];	    /* the container's name, where the path holds it (LXC) */
	char pod_uid[TT_CTR_UID_MAX + 1];   /* Kubernetes pod uid, with dashes */
	char unit[TT_CTR_UNIT_MAX + 1];	    /* innermost systemd unit (.service, .scope, ...) */
	char parent[TT_CTR_NAME_MAX + 1];   /* for a bare id: the directory it is in */
};

/*
 * Parses a cgroup v2 path ("/kubepods.slice/.../cri-containerd-<id>.scope",
 * len bytes, NUL not needed) into a. Components are read leaf to root: the
 * innermost container wins (Docker in Docker), runtime monitors
 * (crio-conmon-, libpod-conmon-, lxc.monitor.) are not containers, the pod
 * is the innermost pod component. Returns 0, or -EINVAL for a path that is
 * not one (empty, too long, a NUL byte); a is then empty.
 */
int tt_cg_parse(const char *path, size_t len, struct tt_cg_attr *a);

/*
 * Unescapes systemd's "\xNN" in a unit name into out (size bytes); false if
 * it does not fit or an escape is malformed.
 */
bool tt_unit_unescape(const char *unit, char *out, size_t size);

/* ---- runtime state files (core/enrich/containers/ctrmeta.c) ---- */

/* Names a runtime's files give a container; "" when they do not. */
struct tt_ctr_meta {
	const char *runtime; /* static string, or NULL when the file does not say */
	char name[TT_CTR_NAME_MAX + 1];
	char image[TT_CTR_NAME_MAX + 1];
	char k8s_namespace[TT_CTR_NS_MAX + 1];
	char k8s_pod[TT_CTR_NAME_MAX + 1];
	char k8s_pod_uid[TT_CTR_UID_MAX + 1];
	char k8s_container[TT_CTR_NAME_MAX + 1];
};

/* Largest state file read (containerd/CRI-O config.json, Docker config.v2.json). */
#define TT_CTR_FILE_MAX (1u << 20)
/* Largest Podman containers.json (one entry per container on the host). */
#define TT_CTR_LIST_MAX (8u << 20)

/*
 * Each reads one file's text (len bytes) into m, filling only what it
 * finds (call with m zeroed, or with what another file gave, which it
 * keeps). 0 when the file was read; -EINVAL when it is not what it should
 * be (not JSON, the wrong shape, nested too deep); -ENOENT when it does not
 * hold the container. Values with control characters, or longer than their
 * field, are left out.
 */
/* An OCI bundle's config.json: containerd CRI and CRI-O annotations, nerdctl's name. */
int tt_meta_oci_config(const char *buf, size_t len, struct tt_ctr_meta *m);
/* Docker's /var/lib/docker/containers/<id>/config.v2.json. */
int tt_meta_docker(const char *buf, size_t len, struct tt_ctr_meta *m);
/* containers/storage's containers.json or volatile-containers.json (Podman): entry id. */
int tt_meta_podman(const char *buf, size_t len, const char *id, struct tt_ctr_meta *m);

/*
 * Names of kubelet's log directories: /var/log/pods/<ns>_<pod>_<uid> and
 * /var/log/containers/<pod>_<ns>_<container>-<id>.log. Each returns true
 * and fills m (namespace, pod, and uid or container) if name is one.
 */
bool tt_kubelet_pod_dir(const char *name, struct tt_ctr_meta *m);
bool tt_kubelet_container_log(const char *name, const char *id, struct tt_ctr_meta *m);

/* ---- --container patterns (core/enrich/containers/ctrmatch.c) ---- */

#define TT_CTR_PATS_MAX 16

/*
 * Checks one --container pattern: a container id prefix (4 to 64 hex
 * digits), a container name, a pod (pod or namespace/pod) or a systemd
 * unit. 0, or -EINVAL with why (why_len bytes) saying what is wrong.
 */
int tt_ctr_pattern_check(const char *pat, char *why, size_t why_len);

/* Whether the cgroup described by c matches pattern pat (checked before). */
bool tt_ctr_pattern_match(const char *pat, const struct tt_ctr_info *c);

#endif /* TCPTRACE_CONTAINERS_H */
