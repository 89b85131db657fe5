// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The --containers enricher: an event's cgroup v2 id (struct
 * tt_event.cgroup_id, the owner's, recorded by the probes when
 * tt_config.containers is set) to its cgroup path, container, pod and
 * systemd unit; and the --container filter over them.
 *
 * Two bounded LRU caches keep the event path cheap: a storm of connections
 * from one container costs one lookup, then a hash lookup per event.
 *  - cgroups (CGROUPS_MAX): id -> path and what it names. A path comes
 *    from the cgroup_mkdir record of a cgroup created while tracing
 *    (probes/containers.bpf.c; the cgroup may be gone when its events are
 *    read), else from a file handle (core/host/cgroupfs.c).
 *  - containers (CONTAINERS_MAX): container id (or pod uid) -> the names
 *    the runtimes' files give it (core/enrich/containers/ctrlookup.c). Files that are not
 *    there yet are looked for once more, a second later.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf/corebtf.h"
#include "bpf/kernel.h"
#include "bpf/roles.h"
#include "enrich/containers/containers.h"
#include "enrich/containers/ctrlookup.h"
#include "enrich/enrich.h"
#include "host/cgroupfs.h"
#include "host/hostfs.h"
#include "host/privs.h"
#include "lru.h"
#include "mode.h"
#include "containers.skel.h"

#define OPT "--containers"
#define CGROUPS_MAX 4096
#define CONTAINERS_MAX 1024
#define RETRY_NS 1000000000ull /* files not found: look again this much later */
#define LOOKUPS_MAX 2	       /* times the files of one container are looked for */
#define META_KEY_LEN (TT_CTR_ID_MAX + 8) /* a container id, or "pod:<uid>" */

/* The cgroups cache's values, by id. */
struct cg_entry {
	uint64_t id;
	char *path;	   /* NULL: unknown */
	bool filled;	   /* info holds what path names */
	uint64_t retry_ns; /* its container's files were not found: look again then */
	int8_t match;	   /* --container: -1 not decided yet */
	struct tt_ctr_info info; /* strings owned, but runtime (static) and cgroup (path) */
};

/* The containers cache's values, by container id or "pod:<uid>" (NUL-padded). */
struct meta_entry {
	struct tt_ctr_meta m;
	bool found;
	int lookups;
	uint64_t looked_ns;
};

/* Its options (tt_enrich_opts()). */
struct ctr_opts {
	bool on;	       /* --containers, or --container */
	const char *host_root; /* --host-root; NULL: / */
	const char *pats[TT_CTR_PATS_MAX]; /* --container patterns */
	int npats;
};
_Static_assert(sizeof(struct ctr_opts) <= TT_ENRICH_OPTS_MAX, "ctr_opts");

struct ctr_state {
	const struct tt_opts *o;
	const struct ctr_opts *co;
	struct tt_writer *w;
	struct tt_cgroupfs fs;
	int root; /* --host-root */
	bool handles_denied;
	struct tt_lru cgroups, metas;
	struct containers_bpf *skel;
	struct bpf_link *link;
	struct tt_core_btf btf; /* what containers.bpf.c needs of the kernel's BTF */
	struct tt_ctr_info unknown; /* an event without a cgroup id */
	/* counters, at exit (ctr_report()): misses by reason among them */
	uint64_t records, by_handle, handle_denied, handle_failed, lookups, found;
	uint64_t events, no_cgroup_id, no_path;
};

static const char *dup_or_null(const char *s)
{
	return s && s[0] ? strdup(s) : NULL;
}

static void clear_info(struct cg_entry *e)
{
	free((char *)e->info.id);
	free((char *)e->info.name);
	free((char *)e->info.image);
	free((char *)e->info.k8s_namespace);
	free((char *)e->info.k8s_pod);
	free((char *)e->info.k8s_pod_uid);
	free((char *)e->info.k8s_container);
	free((char *)e->info.unit);
	free((char *)e->info.ns_pod);
	memset(&e->info, 0, sizeof(e->info));
	e->info.cgroup_id = e->id;
	e->info.cgroup = e->path;
	e->filled = false;
	e->match = -1;
}

static void evict_cgroup(void *ctx, const void *key, void *val)
{
	struct cg_entry *e = val;

	(void)ctx, (void)key;
	clear_info(e);
	free(e->path);
}

/* What the files say of the container (or pod) of a, looked up at most LOOKUPS_MAX times. */
static const struct meta_entry *meta_for(struct ctr_state *st, const struct tt_cg_attr *a,
					 uint64_t now)
{
	char key[META_KEY_LEN] = "";
	struct meta_entry *me;
	bool fresh;

	if (a->id[0])
		snprintf(key, sizeof(key), "%s", a->id);
	else
		snprintf(key, sizeof(key), "pod:%s", a->pod_uid);
	me = tt_lru_find(&st->metas, key);
	if (me && (me->found || me->lookups >= LOOKUPS_MAX || now < me->looked_ns + RETRY_NS))
		return me;
	if (!me) {
		me = tt_lru_insert(&st->metas, key, &fresh);
		if (!me)
			return NULL;
	}
	me->found = tt_ctr_lookup(st->root, a, &me->m);
	me->lookups++;
	me->looked_ns = now;
	st->lookups++;
	st->found += me->found;
	return me;
}

/* e's info from its path: the parse, then the files. */
static void fill(struct ctr_state *st, struct cg_entry *e, uint64_t now)
{
	const struct meta_entry *me = NULL;
	const struct tt_ctr_meta *m;
	struct tt_cg_attr a;

	clear_info(e);
	e->filled = true;
	e->retry_ns = 0;
	if (!e->path || tt_cg_parse(e->path, strlen(e->path), &a))
		return;
	if (a.id[0] || a.pod_uid[0])
		me = meta_for(st, &a, now);
	m = me ? &me->m : NULL;
	e->info.id = dup_or_null(a.id);
	e->info.runtime = m && m->runtime ? m->runtime : a.runtime;
	e->info.name = dup_or_null(m ? m->name : a.name);
	e->info.unit = dup_or_null(a.unit);
	if (m) {
		e->info.image = dup_or_null(m->image);
		e->info.k8s_namespace = dup_or_null(m->k8s_namespace);
		e->info.k8s_pod = dup_or_null(m->k8s_pod);
		e->info.k8s_pod_uid = dup_or_null(m->k8s_pod_uid);
		e->info.k8s_container = dup_or_null(m->k8s_container);
		if (m->k8s_namespace[0] && m->k8s_pod[0] &&
		    asprintf((char **)&e->info.ns_pod, "%s/%s", m->k8s_namespace, m->k8s_pod) < 0)
			e->info.ns_pod = NULL;
		if (!me->found && me->lookups < LOOKUPS_MAX)
			e->retry_ns = me->looked_ns + RETRY_NS;
	}
}

/* The path of a cgroup created before tracing started, through a file handle. */
static char *path_by_handle(struct ctr_state *st, uint64_t id)
{
	char path[TT_CTR_PATH_MAX + 1];
	int err;

	if (st->fs.fd < 0 || st->handles_denied)
		return NULL;
	err = tt_cgroupfs_path(&st->fs, id, path, sizeof(path));
	if (!err) {
		st->by_handle++;
		return strdup(path);
	}
	if (err == -EPERM || err == -EACCES) {
		st->handle_denied++;
		st->handles_denied = true;
		tt_enrich_warn(st->w, OPT,
			       "opening cgroups by handle needs CAP_DAC_READ_SEARCH (%s): only "
			       "cgroups created from now on are named",
			       strerror(-err));
	} else {
		st->handle_failed++;
	}
	return NULL;
}

/* A new entry: valid until the next insert, so until the next event or record. */
static struct cg_entry *new_entry(struct ctr_state *st, uint64_t id, char *path)
{
	bool fresh;
	struct cg_entry *e = tt_lru_insert(&st->cgroups, &id, &fresh);

	if (!e) {
		free(path);
		return NULL;
	}
	e->id = id;
	e->path = path;
	clear_info(e);
	return e;
}

static struct cg_entry *entry_for(struct ctr_state *st, uint64_t id)
{
	struct cg_entry *e;

	e = tt_lru_find(&st->cgroups, &id);
	if (!e)
		e = new_entry(st, id, path_by_handle(st, id));
	if (!e)
		return NULL;
	if (!e->filled) {
		fill(st, e, tt_now_ns());
	} else if (e->retry_ns) {
		uint64_t now = tt_now_ns();

		if (now >= e->retry_ns)
			fill(st, e, now);
	}
	return e;
}

static bool matches(const struct ctr_state *st, const struct tt_ctr_info *c)
{
	int i;

	for (i = 0; i < st->co->npats; i++)
		if (tt_ctr_pattern_match(st->co->pats[i], c))
			return true;
	return false;
}

static bool ctr_enrich(void *state, const struct tt_event *ev, const void **data)
{
	struct ctr_state *st = state;
	struct cg_entry *e = ev->cgroup_id ? entry_for(st, ev->cgroup_id) : NULL;

	st->events++;
	if (!e) {
		st->no_cgroup_id += !ev->cgroup_id;
		st->no_path += ev->cgroup_id != 0;
		*data = &st->unknown;
		return st->co->npats == 0;
	}
	st->no_path += !e->path;
	*data = &e->info;
	if (!st->co->npats)
		return true;
	if (e->match < 0)
		e->match = matches(st, &e->info);
	return e->match;
}

/* A cgroup created while tracing: its path, before any event of its tasks. */
static void ctr_record(void *state, const void *data, size_t size)
{
	struct ctr_state *st = state;
	const struct tt_cgroup_rec *r = data;
	struct cg_entry *e;
	size_t n;
	char *path;

	if (size < sizeof(*r) || (r->flags & TT_CGF_TRUNCATED))
		return;
	n = strnlen(r->path, sizeof(r->path));
	if (n == 0 || n == sizeof(r->path))
		return;
	st->records++;
	e = tt_lru_find(&st->cgroups, &r->id);
	if (e && e->path)
		return;
	path = strndup(r->path, n);
	if (!path)
		return;
	if (e) {
		e->path = path;
		clear_info(e);
	} else {
		new_entry(st, r->id, path);
	}
}

/*
 * CO-RE for containers.bpf.c: while the kernel's BTF is parsed (until the
 * mode's object loads), a copy cut down to what the program reads, as the
 * runner makes for the mode's object; parsing it again at attach would
 * cost as much CPU and memory as the mode's own start.
 */
static void core_btf(struct ctr_state *st)
{
	struct containers_bpf *skel;

	if (tt_core_btf_acquire(&st->btf, st->o->btf) || st->btf.fd < 0)
		return;
	skel = containers_bpf__open();
	/* else --btf FILE, or libbpf parses the kernel's BTF itself: the same, only slower */
	if (!skel || tt_core_btf_fill(&st->btf, skel->obj, NULL, 0))
		tt_core_btf_release(&st->btf);
	containers_bpf__destroy(skel);
}

static int ctr_init(const struct tt_enrich_ctx *c, void **state)
{
	struct ctr_state *st = calloc(1, sizeof(*st));
	const struct ctr_opts *co = c->opts;
	const char *root = co->host_root ? co->host_root : "/";
	struct tt_opts *o = c->o;
	struct tt_writer *w = c->w;
	char why[256];

	*state = st;
	if (!st)
		return -ENOMEM;
	st->o = o;
	st->co = co;
	st->w = w;
	st->fs.fd = -1;
	st->root = -1;
	st->root = tt_host_root_open(root);
	if (st->root < 0) {
		tt_errf("--host-root: '%s': %s", root, strerror(-st->root));
		return st->root;
	}
	if (tt_lru_init(&st->cgroups, sizeof(uint64_t), sizeof(struct cg_entry), CGROUPS_MAX,
			evict_cgroup, st) ||
	    tt_lru_init(&st->metas, META_KEY_LEN, sizeof(struct meta_entry), CONTAINERS_MAX, NULL,
			NULL))
		return -ENOMEM;
	if (tt_cgroupfs_open(&st->fs, why, sizeof(why))) {
		if (co->npats) {
			tt_errf("--container: %s: no container could be told apart", why);
			return -ENOENT;
		}
		tt_enrich_warn(w, OPT, "%s: only cgroups created from now on are named", why);
	} else if (o->verbose) {
		fprintf(stderr, TT_PROG ": %s: " OPT ": cgroup v2 hierarchy at %s\n", o->mode,
			st->fs.mnt);
	}
	o->cfg.containers = 1;
	core_btf(st);
	return 0;
}

/* The cgroup_mkdir program, on the mode's ring buffer. A failure only degrades. */
static int ctr_attach(void *state, struct bpf_object *mode_obj, int events_fd)
{
	struct ctr_state *st = state;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = st->btf.path);
	const struct bpf_program *refused = NULL;
	int err;

	st->skel = containers_bpf__open_opts(&opts);
	if (!st->skel) {
		err = -errno;
		goto fail;
	}
	err = tt_refuse_env_obj(st->skel->obj, &refused);
	if (err)
		goto fail;
	err = bpf_map__reuse_fd(st->skel->maps.events, events_fd);
	if (err)
		goto fail;
	err = containers_bpf__load(st->skel);
	if (err)
		goto fail;
	st->link = bpf_program__attach(st->skel->progs.tt_cgroup_mkdir);
	if (!st->link) {
		err = -errno;
		goto fail;
	}
	if (st->o->verbose)
		fprintf(stderr, TT_PROG ": %s: " OPT ": new cgroups from raw_tp/cgroup_mkdir\n",
			st->o->mode);
	return 0;
fail:
	if (refused)
		tt_enrich_warn(st->w, OPT, "cgroups created while tracing are not seen (%s (%s) "
			       "refused by the kernel: %s (" TT_REFUSE_ENV ")): a container gone "
			       "before its events are read stays unnamed",
			       bpf_program__name(refused), bpf_program__section_name(refused),
			       strerror(-err));
	else
		tt_enrich_warn(st->w, OPT, "cgroups created while tracing are not seen (%s): a "
			       "container gone before its events are read stays unnamed",
			       strerror(err < 0 ? -err : EINVAL));
	containers_bpf__destroy(st->skel);
	st->skel = NULL;
	return 0;
}

static void ctr_detach(void *state)
{
	struct ctr_state *st = state;

	bpf_link__destroy(st->link);
	st->link = NULL;
}

static void ctr_report(void *state, struct tt_writer *w, int verbose)
{
	struct ctr_state *st = state;
	uint64_t lost = st->skel ? tt_map_percpu_sum(st->skel->maps.lost) : 0;
	const char *const keys[] = {
		"events", "no_cgroup_id", "no_path", "cgroups_created", "lost", "by_handle",
		"handle_denied", "handle_failed", "lookups", "found", "not_found",
		"cache_cgroups", "cache_containers", "cache_cgroups_evicted",
		"cache_containers_evicted",
	};
	const uint64_t vals[] = {
		st->events, st->no_cgroup_id, st->no_path, st->records, lost, st->by_handle,
		st->handle_denied, st->handle_failed, st->lookups, st->found,
		st->lookups - st->found, st->cgroups.n, st->metas.n, st->cgroups.evicted,
		st->metas.evicted,
	};

	tt_write_counters(w, "containers", keys, vals, (int)(sizeof(vals) / sizeof(vals[0])));
	if (lost)
		tt_enrich_warn(w, OPT, "%llu new cgroups not recorded (ring buffer full): their "
			       "containers may be unnamed once gone",
			       (unsigned long long)lost);
	if (verbose)
		fprintf(stderr,
			TT_PROG ": %s: " OPT ": %llu events (%llu without a cgroup id, %llu of a "
			"cgroup whose path is unknown), %llu cgroups created, %llu paths by handle "
			"(%llu failed), %llu containers looked up (%llu found), %llu + %llu cached "
			"(%llu + %llu evicted)\n",
			st->o->mode, (unsigned long long)st->events,
			(unsigned long long)st->no_cgroup_id, (unsigned long long)st->no_path,
			(unsigned long long)st->records, (unsigned long long)st->by_handle,
			(unsigned long long)(st->handle_denied + st->handle_failed),
			(unsigned long long)st->lookups, (unsigned long long)st->found,
			(unsigned long long)st->cgroups.n, (unsigned long long)st->metas.n,
			(unsigned long long)st->cgroups.evicted,
			(unsigned long long)st->metas.evicted);
}

static void ctr_fini(void *state)
{
	struct ctr_state *st = state;

	if (!st)
		return;
	ctr_detach(st);
	containers_bpf__destroy(st->skel);
	tt_lru_free(&st->cgroups);
	tt_lru_free(&st->metas);
	tt_cgroupfs_close(&st->fs);
	if (st->root >= 0)
		close(st->root);
	tt_core_btf_release(&st->btf);
	free(st);
}

extern const struct tt_enricher tt_containers_enricher;

/* --container PATTERN[,PATTERN...]: checked and kept; implies --containers. */
static error_t patterns(const struct tt_opts *o, struct ctr_opts *co, char *arg)
{
	char why[160], *pat = arg, *comma;

	for (;;) {
		comma = strchr(pat, ',');
		if (comma)
			*comma = '\0';
		if (tt_ctr_pattern_check(pat, why, sizeof(why)))
			return tt_usage(o, "--container: '%s': %s", pat, why);
		if (co->npats == TT_CTR_PATS_MAX)
			return tt_usage(o, "--container: more than %d patterns", TT_CTR_PATS_MAX);
		co->pats[co->npats++] = pat;
		if (!comma)
			break;
		pat = comma + 1;
	}
	co->on = true;
	return 0;
}

enum { OPT_CONTAINERS = 0x200, OPT_CONTAINER, OPT_HOST_ROOT };

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Containers (docs/containers.md):", 3 },
	{ "containers", OPT_CONTAINERS, NULL, 0,
	  "Add a CONTAINER column (name, else id, else systemd unit; -w: also POD) and the "
	  "cgroup, container and pod keys in JSON",
	  3 },
	{ "container", OPT_CONTAINER, "PATTERN", 0,
	  "Only containers whose id starts with PATTERN (4+ hex digits) or whose name, pod "
	  "(pod or namespace/pod) or systemd unit is PATTERN; repeatable (implies --containers)",
	  3 },
	{ "host-root", OPT_HOST_ROOT, "DIR", 0,
	  "Where the host's / is (in a container): the runtimes' files are read under DIR", 3 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;
	struct ctr_opts *co;
	struct stat sb;

	if (key != OPT_CONTAINERS && key != OPT_CONTAINER && key != OPT_HOST_ROOT &&
	    key != ARGP_KEY_END)
		return ARGP_ERR_UNKNOWN;
	co = tt_enrich_opts(o, &tt_containers_enricher);
	switch (key) {
	case OPT_CONTAINERS:
		co->on = true;
		break;
	case OPT_CONTAINER:
		return patterns(o, co, arg);
	case OPT_HOST_ROOT:
		co->host_root = arg;
		break;
	case ARGP_KEY_END:
		if (co->host_root && !co->on)
			return tt_usage(o, "--host-root: only with --containers or --container");
		if (co->host_root && stat(co->host_root, &sb))
			return tt_usage(o, "--host-root: '%s': %s", co->host_root, strerror(errno));
		if (co->host_root && !S_ISDIR(sb.st_mode))
			return tt_usage(o, "--host-root: '%s': not a directory", co->host_root);
		break;
	}
	return 0;
}

static const struct argp ctr_argp = { .options = options, .parser = parse_opt };

static bool ctr_enabled(const void *opts)
{
	const struct ctr_opts *co = opts;

	return co && co->on;
}

/* Its fields (struct tt_col.field of its columns). */
enum {
	F_CONTAINER, /* table: name, else 12 digits of the id, else unit, else - */
	F_POD,	     /* table: namespace/pod, else - */
	F_CGROUP,
	F_CGROUP_ID,
	F_CONTAINER_ID,
	F_CONTAINER_RUNTIME,
	F_CONTAINER_NAME,
	F_CONTAINER_IMAGE,
	F_K8S_NAMESPACE,
	F_K8S_POD,
	F_K8S_POD_UID,
	F_K8S_CONTAINER,
	F_SYSTEMD_UNIT,
};

/* The table's CONTAINER (and POD with -w) at the mode's mark; the JSON keys last. */
static int ctr_cols(const struct tt_opts *o, const void *opts, enum tt_enrich_place at,
		    bool count, struct tt_col *c)
{
	static const struct tt_col keys[] = {
		{ NULL, "cgroup", F_CGROUP },
		{ NULL, "cgroup_id", F_CGROUP_ID },
		{ NULL, "container_id", F_CONTAINER_ID },
		{ NULL, "container_runtime", F_CONTAINER_RUNTIME },
		{ NULL, "container_name", F_CONTAINER_NAME },
		{ NULL, "container_image", F_CONTAINER_IMAGE },
		{ NULL, "k8s_namespace", F_K8S_NAMESPACE },
		{ NULL, "k8s_pod", F_K8S_POD },
		{ NULL, "k8s_pod_uid", F_K8S_POD_UID },
		{ NULL, "k8s_container", F_K8S_CONTAINER },
		{ NULL, "systemd_unit", F_SYSTEMD_UNIT },
	};
	int n = 0, w = o->wide ? 32 : 16;

	(void)opts, (void)count;
	if (at == TT_PLACE_MARK) {
		c[n++] = (struct tt_col){ "CONTAINER", NULL, F_CONTAINER, w, w };
		if (o->wide)
			c[n++] = (struct tt_col){ "POD", NULL, F_POD, 40, 40 };
		return n;
	}
	for (; n < (int)(sizeof(keys) / sizeof(keys[0])); n++)
		c[n] = keys[n];
	return n;
}

static void ctr_format(int field, const void *data, struct tt_val *v)
{
	static const struct tt_ctr_info none;
	const struct tt_ctr_info *ci = data ? data : &none;

	switch (field) {
	case F_CONTAINER:
		if (ci->name)
			tt_val_set_text(v, ci->name);
		else if (ci->id)
			snprintf(v->text, sizeof(v->text), "%.12s", ci->id), v->kind = TT_J_STR;
		else
			tt_val_set_text(v, ci->unit ? ci->unit : "-");
		return;
	case F_POD:
		tt_val_set_text(v, ci->ns_pod ? ci->ns_pod : ci->k8s_pod ? ci->k8s_pod : "-");
		return;
	case F_CGROUP_ID:
		if (ci->cgroup_id)
			tt_val_set_num(v, ci->cgroup_id);
		else
			tt_val_set_null(v);
		return;
	case F_CGROUP:
		tt_val_set_text(v, ci->cgroup);
		return;
	case F_CONTAINER_ID:
		tt_val_set_text(v, ci->id);
		return;
	case F_CONTAINER_RUNTIME:
		tt_val_set_text(v, ci->runtime);
		return;
	case F_CONTAINER_NAME:
		tt_val_set_text(v, ci->name);
		return;
	case F_CONTAINER_IMAGE:
		tt_val_set_text(v, ci->image);
		return;
	case F_K8S_NAMESPACE:
		tt_val_set_text(v, ci->k8s_namespace);
		return;
	case F_K8S_POD:
		tt_val_set_text(v, ci->k8s_pod);
		return;
	case F_K8S_POD_UID:
		tt_val_set_text(v, ci->k8s_pod_uid);
		return;
	case F_K8S_CONTAINER:
		tt_val_set_text(v, ci->k8s_container);
		return;
	case F_SYSTEMD_UNIT:
		tt_val_set_text(v, ci->unit);
		return;
	}
	tt_val_set_null(v);
}

/*
 * During setup a cgroup2 mount is found (/proc/self/mountinfo,
 * name_to_handle_at) and its cgroup_mkdir program loaded and attached like
 * the mode's. Afterwards, per cgroup or container not yet cached:
 * open_by_handle_at(2) opens a cgroup that existed before tracing by its
 * id, which needs CAP_DAC_READ_SEARCH (kept; without it only cgroups
 * created while tracing are named, said once), readlink(2) of
 * /proc/self/fd/N gives its path; the runtimes' state files are opened
 * under --host-root with openat2(2) (openat(2) before Linux 5.6), checked
 * with fstat, read, and kubelet's directories listed (fcntl, getdents64,
 * lseek); json-c seeds its hash once (getrandom). Seen with strace on 6.18.
 */
static const struct tt_priv_entry privs[] = {
	{ "--containers", 0, TT_CAP(DAC_READ_SEARCH), 0,
	  "open_by_handle_at readlink readlinkat openat2 openat newfstatat fstat read fcntl lseek "
	  "getdents64 close getrandom",
	  0, NULL },
};

const struct tt_enricher tt_containers_enricher = {
	.name = OPT,
	.events = TT_EVBIT(TT_EV_CONNECT) | TT_EVBIT(TT_EV_ACCEPT) | TT_EVBIT(TT_EV_CLOSE),
	.argp = &ctr_argp,
	.opts_size = sizeof(struct ctr_opts),
	.enabled = ctr_enabled,
	.cols = ctr_cols,
	.format = ctr_format,
	.privs = privs,
	.nprivs = sizeof(privs) / sizeof(privs[0]),
	.init = ctr_init,
	.attach = ctr_attach,
	.rec_type = TT_REC_CGROUP,
	.record = ctr_record,
	.enrich = ctr_enrich,
	.detach = ctr_detach,
	.report = ctr_report,
	.fini = ctr_fini,
};
