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
 *    read), else from a file handle (core/cgroupfs.c).
 *  - containers (CONTAINERS_MAX): container id (or pod uid) -> the names
 *    the runtimes' files give it (core/ctrlookup.c). Files that are not
 *    there yet are looked for once more, a second later.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "attach.h"
#include "corebtf.h"
#include "ctrlookup.h"
#include "roles.h"
#include "tcptrace/cgroupfs.h"
#include "tcptrace/containers.h"
#include "tcptrace/enrich.h"
#include "tcptrace/hostfs.h"
#include "tcptrace/lru.h"
#include "tcptrace/mode.h"
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

struct ctr_state {
	const struct tt_opts *o;
	struct tt_writer *w;
	struct tt_cgroupfs fs;
	int root; /* --host-root */
	bool handles_denied;
	struct tt_lru cgroups, metas;
	struct containers_bpf *skel;
	struct bpf_link *link;
	struct tt_core_btf btf; /* what containers.bpf.c needs of the kernel's BTF */
	struct tt_ctr_info unknown; /* an event without a cgroup id */
	/* for -v at exit */
	uint64_t records, by_handle, handle_failed, lookups, found;
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
	st->handle_failed++;
	if (err == -EPERM || err == -EACCES) {
		st->handles_denied = true;
		tt_enrich_warn(st->w, OPT,
			       "opening cgroups by handle needs CAP_DAC_READ_SEARCH (%s): only "
			       "cgroups created from now on are named",
			       strerror(-err));
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

	for (i = 0; i < st->o->nctr_pats; i++)
		if (tt_ctr_pattern_match(st->o->ctr_pats[i], c))
			return true;
	return false;
}

static bool ctr_enrich(void *state, const struct tt_event *ev, struct tt_extra *x)
{
	struct ctr_state *st = state;
	struct cg_entry *e = ev->cgroup_id ? entry_for(st, ev->cgroup_id) : NULL;

	if (!e) {
		x->ctr = &st->unknown;
		return st->o->nctr_pats == 0;
	}
	x->ctr = &e->info;
	if (!st->o->nctr_pats)
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

static bool ctr_enabled(const struct tt_opts *o)
{
	return o->containers;
}

static int ctr_init(struct tt_opts *o, struct tt_writer *w, void **state)
{
	struct ctr_state *st = calloc(1, sizeof(*st));
	const char *root = o->host_root ? o->host_root : "/";
	char why[256];

	*state = st;
	if (!st)
		return -ENOMEM;
	st->o = o;
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
		if (o->nctr_pats) {
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

	if (lost)
		tt_enrich_warn(w, OPT, "%llu new cgroups not recorded (ring buffer full): their "
			       "containers may be unnamed once gone",
			       (unsigned long long)lost);
	if (verbose)
		fprintf(stderr,
			TT_PROG ": %s: " OPT ": %llu cgroups created, %llu paths by handle (%llu "
			"failed), %llu containers looked up (%llu found), %llu + %llu cached "
			"(%llu + %llu evicted)\n",
			st->o->mode, (unsigned long long)st->records,
			(unsigned long long)st->by_handle, (unsigned long long)st->handle_failed,
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

const struct tt_enricher tt_containers_enricher = {
	.name = OPT,
	.enabled = ctr_enabled,
	.init = ctr_init,
	.attach = ctr_attach,
	.rec_type = TT_REC_CGROUP,
	.record = ctr_record,
	.enrich = ctr_enrich,
	.detach = ctr_detach,
	.report = ctr_report,
	.fini = ctr_fini,
};
