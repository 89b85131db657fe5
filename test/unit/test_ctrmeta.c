// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/enrich/containers/ctrmeta.c: the runtimes' state files, as they write them, then cut
 * short and made hostile: never a crash, never a value that is not the
 * file's, only what fits.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "enrich/containers/containers.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b"

/* containerd 1.7 CRI, abridged (a real file has process, root, mounts, linux...). */
static const char containerd_cfg[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{\"args\":[\"nginx\",\"-g\",\"daemon off;\"],"
	"\"env\":[\"PATH=/usr/bin\"]},\"root\":{\"path\":\"rootfs\"},"
	"\"annotations\":{\"io.kubernetes.cri.container-name\":\"web\","
	"\"io.kubernetes.cri.container-type\":\"container\","
	"\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.25\","
	"\"io.kubernetes.cri.sandbox-id\":\"" ID "\","
	"\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9c8f5-x2x9z\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"},"
	"\"linux\":{\"cgroupsPath\":\"kubepods-besteffort-pod5f2e1c3a_8d4b.slice:cri-containerd:" ID
	"\"}}";

static const char containerd_sandbox[] =
	"{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
	"\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9c8f5-x2x9z\","
	"\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
	"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}}";

static const char crio_cfg[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
	"\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.name\":\"api\","
	"\"io.kubernetes.cri-o.ContainerType\":\"container\","
	"\"io.kubernetes.cri-o.ImageName\":\"quay.io/acme/api:v2\","
	"\"io.kubernetes.pod.name\":\"api-0\","
	"\"io.kubernetes.pod.namespace\":\"prod\","
	"\"io.kubernetes.pod.uid\":\"" UID "\"}}";

static const char crio_infra[] =
	"{\"annotations\":{\"io.container.manager\":\"cri-o\","
	"\"io.kubernetes.container.name\":\"POD\","
	"\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
	"\"io.kubernetes.pod.name\":\"api-0\",\"io.kubernetes.pod.namespace\":\"prod\"}}";

static const char nerdctl_cfg[] = "{\"annotations\":{\"nerdctl/name\":\"cache\"}}";

/* Docker 24: one line; the name keeps Docker's leading slash. */
static const char docker_cfg[] =
	"{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Pid\":4242},\"ID\":\"" ID "\","
	"\"Created\":\"2026-11-20T10:00:00Z\",\"Path\":\"nginx\",\"Args\":[],"
	"\"Config\":{\"Hostname\":\"0123456789ab\",\"Image\":\"nginx:1.25\",\"Labels\":{}},"
	"\"Image\":\"sha256:" ID "\",\"Name\":\"/web\",\"RestartCount\":0,\"Driver\":\"overlay2\"}\n";

/* cri-dockerd: Kubernetes names in the labels. */
static const char dockershim_cfg[] =
	"{\"ID\":\"" ID "\",\"Name\":\"/k8s_api_api-0_prod_" UID "_0\","
	"\"Config\":{\"Image\":\"acme/api@sha256:" ID "\",\"Labels\":{"
	"\"io.kubernetes.container.name\":\"api\",\"io.kubernetes.docker.type\":\"container\","
	"\"io.kubernetes.pod.name\":\"api-0\",\"io.kubernetes.pod.namespace\":\"prod\","
	"\"io.kubernetes.pod.uid\":\"" UID "\"}}}";

/* containers/storage: libpod's metadata is JSON in a string. */
static const char podman_list[] =
	"[{\"id\":\"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\","
	"\"names\":[\"other\"],\"image\":\"" ID "\",\"layer\":\"" ID "\"},"
	"{\"id\":\"" ID "\",\"names\":[\"db\",\"db-alias\"],\"image\":\"" ID "\","
	"\"layer\":\"" ID "\",\"metadata\":\"{\\\"image-name\\\":"
	"\\\"docker.io/library/postgres:16\\\",\\\"image-id\\\":\\\"" ID "\\\","
	"\\\"name\\\":\\\"db\\\",\\\"created-at\\\":1700000000}\","
	"\"created\":\"2026-11-20T10:00:00Z\"}]";

static void empty(struct tt_ctr_meta *m)
{
	memset(m, 0, sizeof(*m));
}

static void well_formed(void)
{
	struct tt_ctr_meta m;

	empty(&m);
	CHECK(tt_meta_oci_config(containerd_cfg, strlen(containerd_cfg), &m) == 0);
	CHECK_STR(m.runtime ? m.runtime : "", "containerd");
	CHECK_STR(m.name, "web");
	CHECK_STR(m.k8s_container, "web");
	CHECK_STR(m.image, "docker.io/library/nginx:1.25");
	CHECK_STR(m.k8s_namespace, "shop");
	CHECK_STR(m.k8s_pod, "web-7d4b9c8f5-x2x9z");
	CHECK_STR(m.k8s_pod_uid, UID);

	empty(&m);
	CHECK(tt_meta_oci_config(containerd_sandbox, strlen(containerd_sandbox), &m) == 0);
	CHECK_STR(m.name, "");
	CHECK_STR(m.k8s_container, "");
	CHECK_STR(m.k8s_pod, "web-7d4b9c8f5-x2x9z");

	empty(&m);
	CHECK(tt_meta_oci_config(crio_cfg, strlen(crio_cfg), &m) == 0);
	CHECK_STR(m.runtime ? m.runtime : "", "cri-o");
	CHECK_STR(m.name, "api");
	CHECK_STR(m.k8s_container, "api");
	CHECK_STR(m.image, "quay.io/acme/api:v2");
	CHECK_STR(m.k8s_namespace, "prod");
	CHECK_STR(m.k8s_pod, "api-0");
	CHECK_STR(m.k8s_pod_uid, UID);

	empty(&m);
	CHECK(tt_meta_oci_config(crio_infra, strlen(crio_infra), &m) == 0);
	CHECK_STR(m.k8s_container, "");
	CHECK_STR(m.k8s_pod, "api-0");
	CHECK_STR(m.k8s_pod_uid, "");

	empty(&m);
	CHECK(tt_meta_oci_config(nerdctl_cfg, strlen(nerdctl_cfg), &m) == 0);
	CHECK(m.runtime == NULL);
	CHECK_STR(m.name, "cache");

	empty(&m);
	CHECK(tt_meta_docker(docker_cfg, strlen(docker_cfg), &m) == 0);
	CHECK_STR(m.runtime ? m.runtime : "", "docker");
	CHECK_STR(m.name, "web");
	CHECK_STR(m.image, "nginx:1.25");
	CHECK_STR(m.k8s_pod, "");

	empty(&m);
	CHECK(tt_meta_docker(dockershim_cfg, strlen(dockershim_cfg), &m) == 0);
	CHECK_STR(m.name, "k8s_api_api-0_prod_" UID "_0");
	CHECK_STR(m.k8s_container, "api");
	CHECK_STR(m.k8s_pod, "api-0");
	CHECK_STR(m.k8s_namespace, "prod");
	CHECK_STR(m.k8s_pod_uid, UID);

	empty(&m);
	CHECK(tt_meta_podman(podman_list, strlen(podman_list), ID, &m) == 0);
	CHECK_STR(m.runtime ? m.runtime : "", "podman");
	CHECK_STR(m.name, "db");
	CHECK_STR(m.image, "docker.io/library/postgres:16");
	empty(&m);
	CHECK(tt_meta_podman(podman_list, strlen(podman_list), "0123", &m) == -ENOENT);
	CHECK(tt_meta_podman("[]", 2, ID, &m) == -ENOENT);

	/* what is already known is kept */
	empty(&m);
	memcpy(m.name, "first", 6);
	CHECK(tt_meta_docker(docker_cfg, strlen(docker_cfg), &m) == 0);
	CHECK_STR(m.name, "first");
	CHECK_STR(m.image, "nginx:1.25");
}

/* Every prefix of a good file: a clean error or a partial answer, never a crash. */
static void truncated(const char *doc, int (*fn)(const char *, size_t, struct tt_ctr_meta *))
{
	struct tt_ctr_meta m;
	size_t n, len = strlen(doc);
	int ok = 0;

	for (n = 0; n < len; n++) {
		char *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overread */

		memcpy(copy, doc, n);
		empty(&m);
		if (fn(copy, n, &m) == 0)
			ok++;
		free(copy);
	}
	/* only a prefix that ends after the last brace can parse (trailing newline) */
	CHECK(ok <= 1);
}

static int podman_fn(const char *buf, size_t len, struct tt_ctr_meta *m)
{
	return tt_meta_podman(buf, len, ID, m);
}

static void hostile(void)
{
	static const char *const bad[] = {
		"", "null", "[]", "42", "\"x\"", "{", "{\"annotations\":", "{]", "\x01\x02",
		"{\"annotations\":[]}",
		"{\"annotations\":{\"io.kubernetes.cri.container-name\":42}}",
	};
	struct tt_ctr_meta m;
	const char *doc;
	char *deep;
	size_t i;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		empty(&m);
		err = tt_meta_oci_config(bad[i], strlen(bad[i]), &m);
		CHECK(err == 0 || err == -EINVAL);
		CHECK_STR(m.name, "");
		empty(&m);
		err = tt_meta_docker(bad[i], strlen(bad[i]), &m);
		CHECK(err == 0 || err == -EINVAL);
		CHECK_STR(m.name, "");
		err = tt_meta_podman(bad[i], strlen(bad[i]), ID, &m);
		CHECK(err == -ENOENT || err == -EINVAL);
	}
	/* control characters (a fake second line in a table), NUL, too long: left out */
	empty(&m);
	doc = "{\"Name\":\"/web\\nPID 1 evil\",\"Config\":{\"Image\":\"a\\u0000b\"}}";
	CHECK(tt_meta_docker(doc, strlen(doc), &m) == 0);
	CHECK_STR(m.name, "");
	CHECK_STR(m.image, "");
	deep = malloc(4096);
	memset(deep, 'n', 4096);
	memcpy(deep, "{\"Name\":\"/", 10);
	memcpy(deep + 4090, "\"}", 3);
	empty(&m);
	CHECK(tt_meta_docker(deep, 4092, &m) == 0);
	CHECK_STR(m.name, "");
	/* a uid that is not one */
	empty(&m);
	doc = "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"p\","
	      "\"io.kubernetes.cri.sandbox-uid\":\"../../etc\"}}";
	CHECK(tt_meta_oci_config(doc, strlen(doc), &m) == 0);
	CHECK_STR(m.k8s_pod, "p");
	CHECK_STR(m.k8s_pod_uid, "");
	/* nesting deeper than any state file: refused, not recursed into */
	memset(deep, '[', 4096);
	empty(&m);
	CHECK(tt_meta_podman(deep, 4096, ID, &m) == -EINVAL);
	free(deep);

	truncated(containerd_cfg, tt_meta_oci_config);
	truncated(docker_cfg, tt_meta_docker);
	truncated(podman_list, podman_fn);
}

static void kubelet(void)
{
	struct tt_ctr_meta m;

	empty(&m);
	CHECK(tt_kubelet_pod_dir("shop_web-7d4b9c8f5-x2x9z_" UID, &m));
	CHECK_STR(m.k8s_namespace, "shop");
	CHECK_STR(m.k8s_pod, "web-7d4b9c8f5-x2x9z");
	CHECK_STR(m.k8s_pod_uid, UID);
	empty(&m);
	CHECK(tt_kubelet_pod_dir("kube-system_kube-apiserver-node1_0123456789abcdef0123456789abcdef",
				 &m));
	CHECK_STR(m.k8s_pod, "kube-apiserver-node1");
	CHECK(!tt_kubelet_pod_dir("shop_" UID, &m));
	CHECK(!tt_kubelet_pod_dir("shop_web_notauid", &m));
	CHECK(!tt_kubelet_pod_dir("Shop_web_" UID, &m));
	CHECK(!tt_kubelet_pod_dir("_web_" UID, &m));
	CHECK(!tt_kubelet_pod_dir("", &m));

	empty(&m);
	CHECK(tt_kubelet_container_log("web-7d4b9c8f5-x2x9z_shop_nginx-" ID ".log", ID, &m));
	CHECK_STR(m.k8s_pod, "web-7d4b9c8f5-x2x9z");
	CHECK_STR(m.k8s_namespace, "shop");
	CHECK_STR(m.k8s_container, "nginx");
	empty(&m);
	CHECK(tt_kubelet_container_log("p_ns_side-car-" ID ".log", ID, &m));
	CHECK_STR(m.k8s_container, "side-car");
	CHECK(!tt_kubelet_container_log("p_ns_c-" ID ".log", "fedcba", &m));
	CHECK(!tt_kubelet_container_log("p_ns-" ID ".log", ID, &m));
	CHECK(!tt_kubelet_container_log("p_ns_c-" ID ".txt", ID, &m));
	CHECK(!tt_kubelet_container_log("p_ns_-" ID ".log", ID, &m));
	CHECK(!tt_kubelet_container_log(ID ".log", ID, &m));
	CHECK(!tt_kubelet_container_log("-" ID ".log", ID, &m));
	CHECK(!tt_kubelet_container_log("x", ID, &m));
}

int main(void)
{
	well_formed();
	hostile();
	kubelet();
	return tt_test_done("ctrmeta");
}
