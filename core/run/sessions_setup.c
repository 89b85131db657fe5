// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval, setup: the sessions opened before tracing, from
 * sock_diag (core/host/sockdiag.c). Setup opens a NETLINK_SOCK_DIAG socket
 * in each network namespace there is (setns: CAP_SYS_ADMIN, then only) and
 * keeps those that have such sessions; each session is known by its socket
 * cookie, which the close event carries too, and owned by the one process
 * holding its fd at start (core/host/fdowners.c). Namespaces created later
 * hold none. Their records and later listings: sessions_pre.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "host/cgroupfs.h"
#include "run/sessions.h"

static bool zero_addr(const uint8_t *a, uint16_t family)
{
	static const uint8_t z[16];

	return !memcmp(a, z, family == AF_INET ? 4 : 16);
}

/* Passive when a listener of this namespace has its local port (and address, or any). */
static uint8_t direction(const struct run_sessions *s, const struct tt_diag_sock *d)
{
	size_t i, len = d->family == AF_INET ? 4 : 16;

	for (i = 0; i < s->nlis; i++)
		if (s->lis[i].family == d->family && s->lis[i].port == d->lport &&
		    (zero_addr(s->lis[i].addr, d->family) || !memcmp(s->lis[i].addr, d->laddr, len)))
			return 2;
	return 1;
}

/* The start listing: listeners first (the kernel lists them first), then sessions. */
static void on_start_sock(const struct tt_diag_sock *d, void *ctx)
{
	struct run_sessions *s = ctx;
	struct pre *p;
	uint32_t *idx, i;
	bool fresh;

	if (d->state == 10 /* TCP_LISTEN */) {
		if (!sessions_grow((void **)&s->lis, &s->lcap, s->nlis, sizeof(*s->lis)))
			return;
		s->lis[s->nlis].family = d->family;
		s->lis[s->nlis].port = d->lport;
		memcpy(s->lis[s->nlis++].addr, d->laddr, 16);
		return;
	}
	if (!d->cookie || !d->has_info || s->npre >= PRE_MAX ||
	    !sessions_grow((void **)&s->pre, &s->cap, s->npre, sizeof(*s->pre)))
		return;
	idx = tt_lru_insert(&s->index, &d->cookie, &fresh);
	if (!idx || !fresh)
		return;
	i = (uint32_t)s->npre++;
	*idx = i + 1;
	p = &s->pre[i];
	memset(p, 0, sizeof(*p));
	p->d = *d;
	p->ns = s->cur_ns;
	p->alive = true;
	p->gen = s->gen;
	s->ns[s->cur_ns].left++;
	if (d->family == AF_INET6)
		s->ns[s->cur_ns].left6++;
}

/* Both families of one namespace through fd, to fn. */
static int list_ns(int fd, uint32_t states, tt_diag_fn fn, struct run_sessions *s)
{
	int err = tt_diag_dump(fd, AF_INET, states, fn, s);

	return err ? err : tt_diag_dump(fd, AF_INET6, states, fn, s);
}

/* The start listing of one namespace: its sessions opened before tracing. */
static int list_start(struct run_sessions *s, uint32_t ns)
{
	size_t first = s->npre, i;
	int err;

	s->cur_ns = ns;
	s->nlis = 0;
	/* listeners first, both families: a v4 session's listener may be v6's */
	err = list_ns(s->ns[ns].fd, TT_DIAG_LISTEN, on_start_sock, s);
	if (!err)
		err = list_ns(s->ns[ns].fd, TT_DIAG_SESSIONS, on_start_sock, s);
	for (i = first; i < s->npre; i++)
		s->pre[i].dir = direction(s, &s->pre[i].d);
	return err;
}

/* This process's network namespace: -1 if it cannot be read. */
static int add_ns(struct run_sessions *s, const char *path, int self, int *refused)
{
	struct stat st;
	uint32_t i;
	int fd, diag;

	if (stat(path, &st))
		return 0;
	for (i = 0; i < s->nns; i++)
		if (s->ns[i].dev == st.st_dev && s->ns[i].ino == st.st_ino)
			return 0;
	if (s->nns == NETNS_MAX)
		return -E2BIG;
	if (self < 0) {
		fd = -1;
		diag = tt_diag_open();
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		if (setns(fd, CLONE_NEWNET)) {
			if (errno == EPERM)
				(*refused)++;
			close(fd);
			return 0;
		}
		diag = tt_diag_open();
		if (setns(self, CLONE_NEWNET)) {
			close(fd);
			return -errno; /* stranded in another namespace: the run must end */
		}
	}
	if (diag < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* the namespace kept open for adopt() */
	s->ns[s->nns++] =
		(struct netns){ .dev = st.st_dev, .ino = st.st_ino, .fd = diag, .nsfd = fd };
	return 0;
}

/* Every network namespace a process is in, or one named in /run/netns. */
static int find_namespaces(struct run_sessions *s, int *refused)
{
	static const char *const named[] = { "/run/netns", "/var/run/netns" };
	char path[300];
	struct dirent *d;
	int self, err;
	size_t i;
	DIR *dir;

	err = add_ns(s, "/proc/self/ns/net", -1, refused);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (err || self < 0)
		return err ? err : -errno;
	dir = opendir("/proc");
	while (dir && !err && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		err = add_ns(s, path, self, refused);
	}
	if (dir)
		closedir(dir);
	for (i = 0; i < 2 && !err; i++) {
		dir = opendir(named[i]);
		while (dir && !err && (d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", named[i], d->d_name);
			err = add_ns(s, path, self, refused);
		}
		if (dir)
			closedir(dir);
	}
	close(self);
	return err;
}

/*
 * --cgroup's directory relative to the hierarchy's root, as /proc/<pid>/cgroup
 * shows paths, into buf: false if it cannot be told.
 */
static bool cgroup_rel(struct run *r, char *buf, size_t size)
{
	struct tt_cgroupfs c;
	char why[128];
	int err;

	if (tt_cgroupfs_open(&c, why, sizeof(why)))
		return false;
	err = tt_cgroupfs_fd_path(&c, r->cgroup_fd, buf, size);
	tt_cgroupfs_close(&c);
	return !err;
}

/* -1 if /proc could not be read, else how many processes' fds were denied. */
static int find_owners(struct run *r, struct run_sessions *s)
{
	char cg[PATH_MAX];
	const char *cgroup = NULL;
	struct tt_lru byino;
	struct tt_fd_owner *o;
	bool fresh;
	size_t i;

	int denied;

	if (!s->npre || tt_lru_init(&byino, sizeof(uint32_t), sizeof(*o), (uint32_t)s->npre,
				    NULL, NULL))
		return 0;
	for (i = 0; i < s->npre; i++)
		if (s->pre[i].d.inode)
			tt_lru_insert(&byino, &s->pre[i].d.inode, &fresh);
	if (r->cgroup_fd >= 0 && cgroup_rel(r, cg, sizeof(cg)))
		cgroup = cg;
	denied = tt_fd_owners("/proc", &byino, cgroup);
	for (i = 0; i < s->npre; i++) {
		o = s->pre[i].d.inode ? tt_lru_find(&byino, &s->pre[i].d.inode) : NULL;
		if (o)
			s->pre[i].owner = *o;
	}
	tt_lru_free(&byino);
	return denied;
}

/* The owners entry of a session opened before tracing: the facts found at start. */
static void adopt_entry(struct run *r, const struct pre *p, struct tt_sock_owner *v)
{
	memset(v, 0, sizeof(*v));
	v->cookie = p->d.cookie;
	v->adopted = 1;
	v->dir = p->dir; /* 1 and 2: TT_DIR_ACTIVE, TT_DIR_PASSIVE */
	if (p->owner.holders != 1) {
		v->how = TT_OWNER_NONE; /* the BPF side gives it the socket's cgroup */
		return;
	}
	v->how = TT_OWNER_FD;
	v->selected = sessions_pre_task_selected(r->o, p);
	v->owner.pid = v->owner.tid = p->owner.pid;
	v->owner.uid = p->owner.uid;
	memcpy(v->owner.comm, p->owner.comm, sizeof(v->owner.comm));
	/* --containers: the socket's own cgroup, as for an unknown owner */
	if (r->o->cfg.containers)
		v->owner.cgroup_id = p->d.cgroup_id;
}

/*
 * One run of s->adopt for the sessions of namespace ns from *k on, up to
 * the next namespace's (the caller is in that namespace): an owners entry
 * for each socket it finds, unless the socket has one already (born
 * since). 0 or -errno.
 */
static int adopt_batch(struct run *r, struct run_sessions *s, uint32_t ns, size_t *k,
		       int owners)
{
	uint8_t pkt[TT_ADOPT_HDR + (TT_ADOPT_BATCH + 1) * sizeof(struct tt_adopt)];
	struct tt_adopt *q = (struct tt_adopt *)(pkt + TT_ADOPT_HDR);
	size_t idx[TT_ADOPT_BATCH], n = 0, i;
	struct tt_sock_owner v;
	struct known *known;
	bool fresh;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_out = pkt);

	memset(pkt, 0, TT_ADOPT_HDR);
	for (; *k < s->npre && s->pre[*k].ns == ns && n < TT_ADOPT_BATCH; (*k)++) {
		if (!s->pre[*k].alive)
			continue;
		tt_diag_adopt(&s->pre[*k].d, &q[n]);
		idx[n++] = *k;
	}
	if (!n)
		return 0;
	memset(&q[n], 0, sizeof(q[n])); /* the end */
	opts.data_size_in = opts.data_size_out =
		(uint32_t)(TT_ADOPT_HDR + (n + 1) * sizeof(struct tt_adopt));
	if (bpf_prog_test_run_opts(bpf_program__fd(s->adopt), &opts))
		return -errno;
	for (i = 0; i < n; i++) {
		struct pre *p = &s->pre[idx[i]];
		uint64_t key = q[i].sk;

		if (!key)
			continue;
		adopt_entry(r, p, &v);
		if (bpf_map_update_elem(owners, &key, &v, BPF_NOEXIST))
			continue;
		p->adopted = true;
		s->ns[ns].left--;
		if (p->d.family == AF_INET6)
			s->ns[ns].left6--;
		/*
		 * Its records carry what the entry says and its deltas are kept
		 * by sock, as a born session's (start unknown): sessions.c tells
		 * it from those opened before tracing by that.
		 */
		sessions_pre_gone(s, p);
		known = tt_lru_insert(&s->known, &key, &fresh);
		if (known)
			memset(known, 0, sizeof(*known));
	}
	return 0;
}

/*
 * The sessions opened before tracing into the owners map, where s->adopt
 * finds them (entering each namespace: setup only). Returns how many, or
 * -errno if it failed (those found until then stay adopted); *stranded if
 * it could not come back to its own namespace.
 */
static int adopt(struct run *r, struct run_sessions *s, bool *stranded)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, "owners");
	int owners = map ? bpf_map__fd(map) : -1, self, err = 0;
	size_t k = 0, before = 0, after = 0;
	uint32_t i;

	if (!s->adopt || owners < 0)
		return 0;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	/* each namespace's sessions follow the one before's (list_start(), in order) */
	for (i = 0; i < s->nns && !err; i++) {
		while (k < s->npre && s->pre[k].ns < i)
			k++;
		before += s->ns[i].left;
		if (!s->ns[i].left)
			continue;
		if (s->ns[i].nsfd >= 0 && setns(s->ns[i].nsfd, CLONE_NEWNET)) {
			err = -errno;
			break;
		}
		while (k < s->npre && s->pre[k].ns == i && !err)
			err = adopt_batch(r, s, i, &k, owners);
		if (s->ns[i].nsfd >= 0 && setns(self, CLONE_NEWNET)) {
			err = -errno;
			close(self);
			*stranded = true;
			return err;
		}
		after += s->ns[i].left;
	}
	close(self);
	return err ? err : (int)(before - after);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Setup, privileged: a sock_diag socket in every network namespace there
 * is, the sessions each lists, their owners. 0, or TT_EXIT_FAIL (said).
 */
int sessions_pre_setup(struct run *r, struct run_sessions *s)
{
	int refused = 0, failed = 0, first = 0, err;
	bool stranded = false;
	uint32_t i;

	raise_nofile();
	err = find_namespaces(s, &refused);
	if (err == -E2BIG)
		tt_warn(&r->w, r->o->mode, "--open", "more than %d network namespaces: the sessions "
			"opened before tracing in the others are reported at their close only",
			NETNS_MAX);
	else if (err) {
		tt_err("--open: entering network namespaces", err);
		return TT_EXIT_FAIL;
	}
	if (refused)
		tt_warn(&r->w, r->o->mode, "--open", "%d network namespaces not entered (it takes "
			"CAP_SYS_ADMIN): their sessions opened before tracing are reported at their "
			"close only", refused);
	s->gen = 1;
	for (i = 0; i < s->nns; i++) {
		err = list_start(s, i);
		if (err) {
			close(s->ns[i].fd);
			s->ns[i].fd = -1;
			if (!failed++)
				first = err;
		}
	}
	/* e.g. tcp_diag a module the kernel could not load */
	if (failed)
		tt_warn(&r->w, r->o->mode, "--open", "sock_diag could not list the TCP sockets of %d "
			"network namespace(s) (%s): their sessions opened before tracing are reported "
			"at their close only", failed, tt_strerror(first));
	free(s->lis);
	s->lis = NULL;
	if (find_owners(r, s) > 0)
		tt_warn(&r->w, r->o->mode, "--open", "file descriptors of other users' processes not "
			"read (it takes CAP_SYS_PTRACE): sessions opened before tracing that they hold "
			"have no owner (null)");
	err = adopt(r, s, &stranded);
	if (stranded) {
		tt_err("--open: back from a network namespace", err);
		return TT_EXIT_FAIL;
	}
	if (err < 0)
		tt_warn(&r->w, r->o->mode, "--open", "the sessions opened before tracing not all "
			"found by tt_life_adopt (%s): sock_diag lists the others at every walk",
			tt_strerror(err));
	else if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: sessions opened before tracing: %zu, walked with "
			"those born while tracing: %d\n", r->o->mode, s->npre, err);
	/* namespaces without a session left to list: never listed again */
	for (i = 0; i < s->nns; i++) {
		if (s->ns[i].nsfd >= 0)
			close(s->ns[i].nsfd);
		s->ns[i].nsfd = -1;
		if (!s->ns[i].left && s->ns[i].fd >= 0) {
			close(s->ns[i].fd);
			s->ns[i].fd = -1;
		}
	}
	return 0;
}
