// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The runtimes' own state files, read for the names they give a container:
 * pure functions over a file's text, parsed with json-c (bounded depth),
 * never trusting a value's type, length or bytes. No runtime socket, no
 * API server: the files are what the runtimes already write.
 *
 *  containerd CRI	OCI config.json annotations io.kubernetes.cri.*
 *  CRI-O		OCI config.json annotations io.kubernetes.{pod,container}.*
 *  nerdctl		OCI config.json annotation nerdctl/name
 *  Docker		config.v2.json: Name, Config.Image, Config.Labels (cri-dockerd)
 *  Podman		containers.json: names[0], metadata's image-name
 *  kubelet		/var/log/pods/<ns>_<pod>_<uid>,
 *			/var/log/containers/<pod>_<ns>_<container>-<id>.log
 */
#include <errno.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

#include "enrich/containers/containers.h"

/* Deeper than any of the files nests (OCI config.json: 6 levels). */
#define JSON_DEPTH 32

static struct json_object *parse(const char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len == 0 || len > TT_CTR_LIST_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static struct json_object *member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A string value fit to print: no control bytes, no NUL, not empty, not too long. */
static const char *text(struct json_object *v, size_t max)
{
	const char *s;
	size_t n, i;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!s || n == 0 || n > max || strlen(s) != n)
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

/* Sets dst (size max + 1) from a valid value unless it is already set. */
static void fill(char *dst, size_t max, const char *s)
{
	if (dst[0] || !s || strlen(s) > max)
		return;
	memcpy(dst, s, strlen(s) + 1);
}

#define FILL(dst, v) fill(dst, sizeof(dst) - 1, text(v, sizeof(dst) - 1))

static bool is_uid(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 32) {
		for (i = 0; i < n; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
				return false;
		return true;
	}
	if (n != 36)
		return false;
	for (i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-'
			 : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

static void fill_uid(struct tt_ctr_meta *m, struct json_object *v)
{
	const char *s = text(v, TT_CTR_UID_MAX);

	if (is_uid(s))
		fill(m->k8s_pod_uid, TT_CTR_UID_MAX, s);
}

static bool equals(struct json_object *v, const char *want)
{
	const char *s = text(v, 64);

	return s && !strcmp(s, want);
}

/*
 * Kubernetes names in annotations (containerd, CRI-O) or Docker labels
 * (cri-dockerd): the keys of each, in a table.
 */
struct k8s_keys {
	const char *container_type, *sandbox; /* the pod's sandbox (pause) has no container name */
	const char *ns, *pod, *uid, *container, *image;
};

static const struct k8s_keys containerd_keys = {
	"io.kubernetes.cri.container-type", "sandbox",
	"io.kubernetes.cri.sandbox-namespace", "io.kubernetes.cri.sandbox-name",
	"io.kubernetes.cri.sandbox-uid", "io.kubernetes.cri.container-name",
	"io.kubernetes.cri.image-name",
};

static const struct k8s_keys crio_keys = {
	"io.kubernetes.cri-o.ContainerType", "sandbox",
	"io.kubernetes.pod.namespace", "io.kubernetes.pod.name",
	"io.kubernetes.pod.uid", "io.kubernetes.container.name",
	"io.kubernetes.cri-o.ImageName",
};

static const struct k8s_keys dockershim_keys = {
	"io.kubernetes.docker.type", "podsandbox",
	"io.kubernetes.pod.namespace", "io.kubernetes.pod.name",
	"io.kubernetes.pod.uid", "io.kubernetes.container.name",
	NULL,
};

/* Fills m from map (an object of strings) by keys k; true if it named a pod. */
static bool k8s_names(struct json_object *map, const struct k8s_keys *k, struct tt_ctr_meta *m)
{
	struct json_object *v;
	bool sandbox = json_object_object_get_ex(map, k->container_type, &v) &&
		       equals(v, k->sandbox);

	FILL(m->k8s_namespace, member(map, k->ns, json_type_string));
	FILL(m->k8s_pod, member(map, k->pod, json_type_string));
	fill_uid(m, member(map, k->uid, json_type_string));
	if (!sandbox)
		FILL(m->k8s_container, member(map, k->container, json_type_string));
	if (k->image)
		FILL(m->image, member(map, k->image, json_type_string));
	return member(map, k->pod, json_type_string) != NULL;
}

int tt_meta_oci_config(const char *buf, size_t len, struct tt_ctr_meta *m)
{
	struct json_object *root = parse(buf, len), *ann;

	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	ann = member(root, "annotations", json_type_object);
	if (ann) {
		if (k8s_names(ann, &containerd_keys, m) && !m->runtime)
			m->runtime = "containerd";
		if (equals(member(ann, "io.container.manager", json_type_string), "cri-o")) {
			m->runtime = "cri-o";
			k8s_names(ann, &crio_keys, m);
		}
		FILL(m->name, member(ann, "nerdctl/name", json_type_string));
		/* Kubernetes' container name is the name the runtime shows (crictl ps) */
		fill(m->name, sizeof(m->name) - 1, m->k8s_container[0] ? m->k8s_container : NULL);
	}
	json_object_put(root);
	return 0;
}

int tt_meta_docker(const char *buf, size_t len, struct tt_ctr_meta *m)
{
	struct json_object *root = parse(buf, len), *config, *labels;
	const char *name;

	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return -EINVAL;
	}
	m->runtime = "docker";
	/* "/web": Docker keeps its names with a leading slash */
	name = text(member(root, "Name", json_type_string), TT_CTR_NAME_MAX + 1);
	if (name && name[0] == '/')
		name++;
	fill(m->name, TT_CTR_NAME_MAX, name && name[0] ? name : NULL);
	config = member(root, "Config", json_type_object);
	FILL(m->image, member(config, "Image", json_type_string));
	labels = member(config, "Labels", json_type_object);
	if (labels)
		k8s_names(labels, &dockershim_keys, m);
	json_object_put(root);
	return 0;
}

int tt_meta_podman(const char *buf, size_t len, const char *id, struct tt_ctr_meta *m)
{
	struct json_object *root = parse(buf, len), *ctr = NULL, *names, *meta;
	size_t i, n;
	const char *s;

	if (!root || !json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EINVAL;
	}
	n = json_object_array_length(root);
	for (i = 0; i < n && !ctr; i++) {
		struct json_object *c = json_object_array_get_idx(root, i);

		s = text(member(c, "id", json_type_string), TT_CTR_ID_MAX);
		if (s && !strcmp(s, id))
			ctr = c;
	}
	if (!ctr) {
		json_object_put(root);
		return -ENOENT;
	}
	m->runtime = "podman";
	names = member(ctr, "names", json_type_array);
	if (names && json_object_array_length(names) > 0)
		FILL(m->name, json_object_array_get_idx(names, 0));
	/* libpod's own metadata, a JSON document in a string */
	s = text(member(ctr, "metadata", json_type_string), TT_CTR_FILE_MAX);
	meta = s ? parse(s, strlen(s)) : NULL;
	FILL(m->image, member(meta, "image-name", json_type_string));
	json_object_put(meta);
	json_object_put(root);
	return 0;
}

/* A DNS label or subdomain as Kubernetes allows in names: [a-z0-9.-], max bytes. */
static bool k8s_name(const char *s, size_t n, size_t max, bool dots)
{
	size_t i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || (dots && s[i] == '.')))
			return false;
	return true;
}

static void put(char *dst, const char *s, size_t n)
{
	memcpy(dst, s, n);
	dst[n] = '\0';
}

bool tt_kubelet_pod_dir(const char *name, struct tt_ctr_meta *m)
{
	const char *a = strchr(name, '_'), *b = strrchr(name, '_');
	char uid[TT_CTR_UID_MAX + 2];
	size_t n;

	if (!a || a == b)
		return false;
	n = strlen(b + 1);
	if (n >= sizeof(uid))
		return false;
	put(uid, b + 1, n);
	if (!is_uid(uid) || !k8s_name(name, (size_t)(a - name), TT_CTR_NS_MAX, false) ||
	    !k8s_name(a + 1, (size_t)(b - a - 1), TT_CTR_NAME_MAX, true))
		return false;
	put(m->k8s_namespace, name, (size_t)(a - name));
	put(m->k8s_pod, a + 1, (size_t)(b - a - 1));
	put(m->k8s_pod_uid, uid, n);
	return true;
}

bool tt_kubelet_container_log(const char *name, const char *id, struct tt_ctr_meta *m)
{
	size_t n = strlen(name), idn = strlen(id), rest;
	const char *a = strchr(name, '_'), *b;

	/* <pod>_<ns>_<container>-<id>.log */
	if (idn == 0 || n < idn + 6 || strcmp(name + n - 4, ".log") ||
	    memcmp(name + n - 4 - idn, id, idn) || name[n - 5 - idn] != '-' || !a)
		return false;
	b = strchr(a + 1, '_');
	if (!b)
		return false;
	rest = n - 5 - idn; /* up to the '-' before the id */
	if (b >= name + rest ||
	    !k8s_name(name, (size_t)(a - name), TT_CTR_NAME_MAX, true) ||
	    !k8s_name(a + 1, (size_t)(b - a - 1), TT_CTR_NS_MAX, false) ||
	    !k8s_name(b + 1, (size_t)(name + rest - b - 1), TT_CTR_NAME_MAX, false))
		return false;
	put(m->k8s_pod, name, (size_t)(a - name));
	put(m->k8s_namespace, a + 1, (size_t)(b - a - 1));
	put(m->k8s_container, b + 1, (size_t)(name + rest - b - 1));
	return true;
}
