// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/enrich/containers/cgpath.c: every runtime's cgroup layout to its container, pod and unit. */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "enrich/containers/containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b"
#define UID_ "5f2e1c3a_8d4b_4e6f_9a7b_1c2d3e4f5a6b"

struct want {
	const char *path;
	const char *runtime, *id, *name, *pod_uid, *unit, *parent;
};

static const struct want table[] = {
	/* Docker, systemd driver; systemd inside the container adds units below */
	{ "/system.slice/docker-" ID ".scope", "docker", ID, "", "", "docker-" ID ".scope", "" },
	{ "/system.slice/docker-" ID ".scope/init.scope", "docker", ID, "", "", "init.scope", "" },
	{ "/system.slice/docker-" ID ".scope/system.slice/nginx.service", "docker", ID, "", "",
	  "nginx.service", "" },
	/* Docker, cgroupfs driver; Docker in Docker: the inner one */
	{ "/docker/" ID, "docker", ID, "", "", "", "" },
	{ "/docker/" ID2 "/docker/" ID, "docker", ID, "", "", "", "" },
	{ "/actions_job/" ID, "docker", ID, "", "", "", "" },
	/* containerd CRI, systemd driver: Burstable, BestEffort, Guaranteed (no QoS level) */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  "containerd", ID, "", UID, "cri-containerd-" ID ".scope", "" },
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  "containerd", ID, "", UID, "cri-containerd-" ID ".scope", "" },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope", "containerd",
	  ID, "", UID, "cri-containerd-" ID ".scope", "" },
	/* kind: a node in a container, its kubelet under kubelet.slice */
	{ "/docker/" ID2 "/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	  "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  "containerd", ID, "", UID, "cri-containerd-" ID ".scope", "" },
	/* CRI, cgroupfs driver: the runtime is not in the path */
	{ "/kubepods/besteffort/pod" UID "/" ID, NULL, ID, "", UID, "", "pod" UID },
	{ "/kubepods/burstable/pod" UID "/" ID, NULL, ID, "", UID, "", "pod" UID },
	{ "/kubepods/pod" UID "/" ID, NULL, ID, "", UID, "", "pod" UID },
	/* static pods: the uid is a hash of the manifest */
	{ "/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID, NULL, ID, "",
	  "0123456789abcdef0123456789abcdef", "", "pod0123456789abcdef0123456789abcdef" },
	/* containerd with a systemd-style parent but the cgroupfs driver */
	{ "/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID, "containerd", ID, "", UID,
	  "", "" },
	{ "/kubepods-burstable-pod" UID_ ".slice:crio:" ID, "cri-o", ID, "", UID, "", "" },
	{ "/kubepods-burstable-pod" UID_ ".slice:other:" ID, NULL, ID, "", UID, "", "" },
	/* containerd without Kubernetes */
	{ "/default/" ID, NULL, ID, "", "", "", "default" },
	{ "/system.slice/nerdctl-" ID ".scope", "containerd", ID, "", "", "nerdctl-" ID ".scope",
	  "" },
	/* CRI-O: the container, and its monitor conmon, which is not the container */
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-" ID ".scope",
	  "cri-o", ID, "", UID, "crio-" ID ".scope", "" },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	  ".slice/crio-conmon-" ID ".scope",
	  NULL, "", "", UID, "crio-conmon-" ID ".scope", "" },
	{ "/kubepods/burstable/pod" UID "/crio-" ID, "cri-o", ID, "", UID, "", "" },
	{ "/kubepods/burstable/pod" UID "/crio-conmon-" ID, NULL, "", "", UID, "", "" },
	/* Podman, systemd (machine.slice) and cgroupfs; conmon again */
	{ "/machine.slice/libpod-" ID ".scope", "podman", ID, "", "", "libpod-" ID ".scope", "" },
	{ "/machine.slice/libpod-" ID ".scope/container", "podman", ID, "", "",
	  "libpod-" ID ".scope", "" },
	{ "/machine.slice/libpod-conmon-" ID ".scope", NULL, "", "", "", "libpod-conmon-" ID ".scope",
	  "" },
	{ "/libpod_parent/libpod-" ID, "podman", ID, "", "", "", "" },
	{ "/libpod_parent/libpod-payload-" ID, "podman", ID, "", "", "", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope/container",
	  "podman", ID, "", "", "libpod-" ID ".scope", "" },
	/* LXC, libvirt LXC */
	{ "/lxc/web1", "lxc", "", "web1", "", "", "" },
	{ "/lxc.payload/web1", "lxc", "", "web1", "", "", "" },
	{ "/lxc.payload.web1", "lxc", "", "web1", "", "", "" },
	{ "/lxc.payload.web1/system.slice/sshd.service", "lxc", "", "web1", "", "sshd.service", "" },
	{ "/lxc.monitor.web1", NULL, "", "", "", "", "" },
	{ "/machine.slice/machine-lxc\\x2d4242\\x2dweb1.scope", "libvirt-lxc", "", "4242-web1", "",
	  "machine-lxc\\x2d4242\\x2dweb1.scope", "" },
	{ "/machine/web1.libvirt-lxc", "libvirt-lxc", "", "web1", "", "", "" },
	/* Cloud Foundry Garden, AWS ECS (Fargate), BOSH bpm */
	{ "/garden/01234567-89ab-cdef-0123-4567", "garden", "01234567-89ab-cdef-0123-4567",
	  "", "", "", "" },
	{ "/ecs/0123456789abcdef0123456789abcdef/0123456789abcdef0123456789abcdef-3659235436", "ecs",
	  "0123456789abcdef0123456789abcdef-3659235436", "", "", "", "" },
	{ "/system.slice/bpm-web.api_1.scope", "bpm", "web.api_1", "", "", "bpm-web.api_1.scope",
	  "" },
	/* systemd units and user sessions, escapes kept as systemd names them */
	{ "/system.slice/nginx.service", NULL, "", "", "", "nginx.service", "" },
	{ "/system.slice/system-getty.slice/getty@tty1.service", NULL, "", "", "", "getty@tty1.service",
	  "" },
	{ "/system.slice/system-openvpn.slice/openvpn@my\\x2dvpn.service", NULL, "", "", "",
	  "openvpn@my\\x2dvpn.service", "" },
	{ "/user.slice/user-1000.slice/session-3.scope", NULL, "", "", "", "session-3.scope", "" },
	{ "/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.scope", NULL, "", "", "",
	  "app-foo.scope", "" },
	{ "/system.slice/containerd.service", NULL, "", "", "", "containerd.service", "" },
	/* a unit above a container is not the container's */
	{ "/system.slice/containerd.service/kubepods-besteffort-pod" UID_ ".slice:cri-containerd:" ID,
	  "containerd", ID, "", UID, "", "" },
	/* nothing: the root, slices, test prefixes, near misses */
	{ "/", NULL, "", "", "", "", "" },
	{ "/system.slice", NULL, "", "", "", "", "" },
	{ "/kubepods/besteffort/pod" UID, NULL, "", "", UID, "", "" },
	{ "/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL, "", "", "",
	  "", "" },
	{ "/docker/0123456789abcdef", NULL, "", "", "", "", "" },
	{ "/system.slice/docker-0123.scope", NULL, "", "", "", "docker-0123.scope", "" },
	{ "/kubepods/besteffort/podnot-a-uid/" ID, NULL, ID, "", "", "", "podnot-a-uid" },
	{ ".scope", NULL, "", "", "", "", "" },
	{ "/tt-4242/system.slice/docker-" ID ".scope", "docker", ID, "", "", "docker-" ID ".scope",
	  "" },
	{ "//system.slice//docker-" ID ".scope//", "docker", ID, "", "", "docker-" ID ".scope", "" },
};

static void check_one(const struct want *w)
{
	struct tt_cg_attr a;
	int err = tt_cg_parse(w->path, strlen(w->path), &a);

	CHECK(err == 0);
	if (err || (w->runtime ? !a.runtime || strcmp(a.runtime, w->runtime) : a.runtime != NULL) ||
	    strcmp(a.id, w->id) || strcmp(a.name, w->name) || strcmp(a.pod_uid, w->pod_uid) ||
	    strcmp(a.unit, w->unit) || strcmp(a.parent, w->parent)) {
		tt_failures++;
		fprintf(stderr, "%s:\n  runtime %s id '%s' name '%s' pod '%s' unit '%s' parent '%s'\n",
			w->path, a.runtime ? a.runtime : "(null)", a.id, a.name, a.pod_uid, a.unit,
			a.parent);
	}
}

int main(void)
{
	struct tt_cg_attr a;
	char out[64], *big;
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		check_one(&table[i]);
	CHECK(sizeof(table) / sizeof(table[0]) >= 30);

	/* not paths */
	CHECK(tt_cg_parse("", 0, &a) == -EINVAL);
	CHECK(tt_cg_parse("/a\0b", 4, &a) == -EINVAL);
	big = malloc(TT_CTR_PATH_MAX + 2);
	memset(big, 'a', TT_CTR_PATH_MAX + 1);
	big[TT_CTR_PATH_MAX + 1] = '\0';
	CHECK(tt_cg_parse(big, TT_CTR_PATH_MAX + 1, &a) == -EINVAL);
	/* the length bounds the parse: no NUL needed */
	memcpy(big, "/docker/" ID, strlen("/docker/" ID));
	CHECK(tt_cg_parse(big, strlen("/docker/" ID), &a) == 0);
	CHECK_STR(a.id, ID);
	/* a component too long for a field is not a unit */
	memset(big, 'x', TT_CTR_PATH_MAX);
	memcpy(big, "/", 1);
	memcpy(big + 400, ".service", 8);
	CHECK(tt_cg_parse(big, 408, &a) == 0);
	CHECK_STR(a.unit, "");
	free(big);

	CHECK(tt_unit_unescape("openvpn@my\\x2dvpn.service", out, sizeof(out)));
	CHECK_STR(out, "openvpn@my-vpn.service");
	CHECK(!tt_unit_unescape("bad\\x2", out, sizeof(out)));
	CHECK(!tt_unit_unescape("bad\\xzz", out, sizeof(out)));
	CHECK(!tt_unit_unescape("nul\\x00", out, sizeof(out)));
	CHECK(!tt_unit_unescape("toolong.service", out, 8));
	return tt_test_done("cgpath");
}
