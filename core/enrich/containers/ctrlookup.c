// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where each runtime keeps the state of a container, under --host-root,
 * and what to read for the container (or pod) a cgroup path names. The
 * reading is core/host/hostfs.c, bounded; the parsing core/enrich/containers/ctrmeta.c, pure.
 *
 *  Docker	/var/lib/docker/containers/<id>/config.v2.json
 *  containerd	/run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json
 *		(k3s: /run/k3s/containerd/...; containerd 1.x shim v1: .../io.containerd.runtime.v1.linux/...)
 *  CRI-O	{/run,/var/lib}/containers/storage/overlay-containers/<id>/userdata/config.json
 *  Podman	{/var/lib,/run}/containers/storage/overlay-containers/{,volatile-}containers.json
 *  kubelet	/var/log/containers/<pod>_<ns>_<container>-<id>.log, /var/log/pods/<ns>_<pod>_<uid>
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich/containers/ctrlookup.h"
#include "host/hostfs.h"

typedef int (*reader_fn)(const char *buf, size_t len, const char *id, struct tt_ctr_meta *m);

static int read_oci(const char *buf, size_t len, const char *id, struct tt_ctr_meta *m)
{
	return tt_meta_oci_config(buf, len, m);
}

static int read_docker(const char *buf, size_t len, const char *id, struct tt_ctr_meta *m)
{
	return tt_meta_docker(buf, len, m);
}

/* Reads one file with reader; 0 if it held the container, else -errno. */
static int read_one(int root, const char *path, size_t max, reader_fn reader, const char *id,
		    struct tt_ctr_meta *m)
{
	char *buf;
	size_t len;
	int err = tt_host_read(root, path, max, &buf, &len);

	if (err)
		return err;
	err = reader(buf, len, id, m);
	free(buf);
	return err;
}

static int docker(int root, const char *id, struct tt_ctr_meta *m)
{
	char path[160];

	snprintf(path, sizeof(path), "/var/lib/docker/containers/%s/config.v2.json", id);
	return read_one(root, path, TT_CTR_FILE_MAX, read_docker, id, m);
}

/* A containerd namespace as the path's parent may hold one (ctr, nerdctl: /<ns>/<id>). */
static bool namespace_like(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 76 || !strncmp(s, "pod", 3) || !strcmp(s, "docker"))
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return false;
	return true;
}

static int containerd(int root, const char *id, const char *parent, struct tt_ctr_meta *m)
{
	static const char *const fmt[] = {
		"/run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
		"/run/k3s/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
		"/run/containerd/io.containerd.runtime.v1.linux/%s/%s/config.json",
	};
	const char *nss[] = { "k8s.io", namespace_like(parent) ? parent : NULL, "default" };
	char path[256];
	size_t i, j;
	int err = -ENOENT;

	for (j = 0; j < sizeof(nss) / sizeof(nss[0]); j++) {
		for (i = 0; nss[j] && i < sizeof(fmt) / sizeof(fmt[0]); i++) {
			snprintf(path, sizeof(path), fmt[i], nss[j], id);
			err = read_one(root, path, TT_CTR_FILE_MAX, read_oci, id, m);
			if (err != -ENOENT)
				break;
		}
		if (err != -ENOENT)
			break;
	}
	if (!err && !m->runtime)
		m->runtime = "containerd";
	return err;
}

static int crio(int root, const char *id, struct tt_ctr_meta *m)
{
	static const char *const fmt[] = {
		"/run/containers/storage/overlay-containers/%s/userdata/config.json",
		"/var/lib/containers/storage/overlay-containers/%s/userdata/config.json",
	};
	char path[256];
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]) && err == -ENOENT; i++) {
		snprintf(path, sizeof(path), fmt[i], id);
		err = read_one(root, path, TT_CTR_FILE_MAX, read_oci, id, m);
	}
	if (!err && !m->runtime)
		m->runtime = "cri-o";
	return err;
}

static int podman(int root, const char *id, struct tt_ctr_meta *m)
{
	static const char *const lists[] = {
		"/var/lib/containers/storage/overlay-containers/containers.json",
		"/var/lib/containers/storage/overlay-containers/volatile-containers.json",
		"/run/containers/storage/overlay-containers/containers.json",
		"/run/containers/storage/overlay-containers/volatile-containers.json",
	};
	size_t i;
	int err = -ENOENT;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		err = read_one(root, lists[i], TT_CTR_LIST_MAX, tt_meta_podman, id, m);
		if (!err)
			break;
	}
	return err;
}

struct scan {
	const char *id;
	struct tt_ctr_meta m;
};

static bool container_log(const char *name, void *ctx)
{
	struct scan *s = ctx;

	return tt_kubelet_container_log(name, s->id, &s->m);
}

/* A pod directory "<ns>_<pod>_<uid>" with this uid. */
static bool pod_dir(const char *name, void *ctx)
{
	struct scan *s = ctx;
	size_t n = strlen(name), u = strlen(s->id);

	return n > u && name[n - u - 1] == '_' && !strcmp(name + n - u, s->id) &&
	       tt_kubelet_pod_dir(name, &s->m);
}

/* Copies what from has and to lacks. */
static void merge(struct tt_ctr_meta *to, const struct tt_ctr_meta *from)
{
#define MERGE(f)                                                  \
	do {                                                      \
		if (!to->f[0])                                    \
			memcpy(to->f, from->f, sizeof(to->f));    \
	} while (0)
	MERGE(name);
	MERGE(image);
	MERGE(k8s_namespace);
	MERGE(k8s_pod);
	MERGE(k8s_pod_uid);
	MERGE(k8s_container);
#undef MERGE
}

/* kubelet's log directories, for what the runtime's files did not say. */
static bool kubelet(int root, const char *id, const char *uid, struct tt_ctr_meta *m)
{
	struct scan s = { 0 };
	bool found = false;

	if (id[0] && !m->k8s_container[0]) {
		s.id = id;
		if (tt_host_scan(root, "/var/log/containers", container_log, &s) == 1) {
			merge(m, &s.m);
			found = true;
		}
	}
	if (uid[0] && (!m->k8s_namespace[0] || !m->k8s_pod[0])) {
		memset(&s, 0, sizeof(s));
		s.id = uid;
		if (tt_host_scan(root, "/var/log/pods", pod_dir, &s) == 1) {
			merge(m, &s.m);
			found = true;
		}
	}
	return found;
}

bool tt_ctr_lookup(int root, const struct tt_cg_attr *a, struct tt_ctr_meta *m)
{
	const char *rt = a->runtime;
	bool found = false;
	int err = -ENOENT;

	memset(m, 0, sizeof(*m));
	m->runtime = rt;
	if (a->id[0]) {
		if (!rt || !strcmp(rt, "docker"))
			err = docker(root, a->id, m);
		if (err && (!rt || !strcmp(rt, "containerd")))
			err = containerd(root, a->id, a->parent, m);
		if (err && (!rt || !strcmp(rt, "cri-o")))
			err = crio(root, a->id, m);
		if (err && rt && !strcmp(rt, "podman"))
			err = podman(root, a->id, m);
		found = !err;
	}
	if (!m->k8s_pod_uid[0] && a->pod_uid[0])
		memcpy(m->k8s_pod_uid, a->pod_uid, sizeof(m->k8s_pod_uid));
	if (m->k8s_pod_uid[0] && kubelet(root, a->id, m->k8s_pod_uid, m))
		found = true;
	/* what the path says where no file did */
	if (!m->name[0] && a->name[0])
		memcpy(m->name, a->name, sizeof(m->name));
	return found;
}
