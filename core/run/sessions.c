// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval: the sessions open at start, every interval and at
 * exit, each an "open" record, and the bytes each moved since its previous
 * record (core/out/fields.c: tx_bytes_delta, rx_bytes_delta).
 *
 * Two walks, neither a BPF iterator (which lockdown may refuse):
 *  - sessions whose birth the tracer saw: the keys of the owners map, each
 *    batch of them the arguments of one run of p->open_run
 *    (BPF_PROG_TEST_RUN), which reads the socket itself and writes the
 *    record to the ring buffer like any event; every network namespace,
 *    those created later too, no privilege kept.
 *  - sessions opened before tracing: sock_diag (core/host/sockdiag.c),
 *    through a netlink socket opened during setup in each network
 *    namespace that exists then (entering one takes CAP_SYS_ADMIN, then
 *    only); each is known by its socket cookie, which the kernel gives out
 *    as it lists it and the close event carries, and its owner is the one
 *    process holding its fd at start (core/host/fdowners.c), if exactly one.
 *    Namespaces created later hold no session opened before tracing.
 * A session is in one walk only: the first drops what the second found
 * that it knows too (a session born between the attach and the listing).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "host/cgroupfs.h"
#include "host/fdowners.h"
#include "host/sockdiag.h"
#include "lru.h"
#include "run/run.h"

#define NETNS_MAX 4096	    /* namespaces read at start; more are left out, said */
#define KNOWN_MAX 262144    /* sessions whose deltas are kept: the owners map's bound */
#define PRE_MAX 262144	    /* sessions opened before tracing, at start */

/* A session seen born: what its previous record said. */
struct known {
	uint64_t start_ns;
	uint64_t tx, rx;
};

/* A session opened before tracing, found by sock_diag. */
struct pre {
	struct tt_diag_sock d; /* as last listed */
	uint64_t tx, rx;       /* what its previous record said (0: none yet) */
	uint32_t ns;	       /* index of its namespace */
	uint32_t gen;	       /* the walk that last listed it */
	uint8_t dir;	       /* 1: this end connected, 2: it accepted */
	bool alive;
	struct tt_fd_owner owner;
	uint64_t cgroup_id;
};

struct netns {
	uint64_t dev, ino;
	int fd;		/* its sock_diag socket, or -1 */
	uint32_t left;	/* its sessions opened before tracing, still open */
	uint32_t left6; /* of which IPv6 (the other family is not listed without) */
	uint32_t gen;	/* the last walk that listed it whole */
};

struct run_sessions {
	struct tt_lru known; /* struct sock address -> struct known */
	struct tt_lru index; /* cookie -> index + 1 in pre */
	struct pre *pre;
	size_t npre, cap;
	struct netns *ns;
	uint32_t nns;
	uint32_t gen;
	struct bpf_program *prog;
	uint64_t *keys;
	size_t nkeys, kcap;
	uint64_t next_ns; /* the next interval walk */
	/* the listing in progress: its namespace, listeners of it */
	uint32_t cur_ns;
	struct { uint16_t family, port; uint8_t addr[16]; } *lis;
	size_t nlis, lcap;
	struct pre *writing; /* the session whose record pre_record() writes */
	bool failed;   /* said once */
	bool no_batch; /* the owners map's keys one at a time */
};

/* The owners map's value (probes/owners.bpf.h): only its size matters here. */
struct tt_sock_owner_v {
	unsigned char bytes[64];
};

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*arr, c * size);
	if (!p)
		return false;
	*arr = p;
	*cap = c;
	return true;
}

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
		if (!grow((void **)&s->lis, &s->lcap, s->nlis, sizeof(*s->lis)))
			return;
		s->lis[s->nlis].family = d->family;
		s->lis[s->nlis].port = d->lport;
		memcpy(s->lis[s->nlis++].addr, d->laddr, 16);
		return;
	}
	if (!d->cookie || !d->has_info || s->npre >= PRE_MAX ||
	    !grow((void **)&s->pre, &s->cap, s->npre, sizeof(*s->pre)))
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
		close(fd);
		if (setns(self, CLONE_NEWNET))
			return -errno; /* stranded in another namespace: the run must end */
	}
	if (diag < 0)
		return 0;
	s->ns[s->nns++] = (struct netns){ .dev = st.st_dev, .ino = st.st_ino, .fd = diag };
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

/* The fd owners of the sessions found (exactly one process, or none known). */
/*
 * --cgroup's directory relative to the hierarchy's root, as /proc/<pid>/cgroup
 * shows paths, into buf: false if it cannot be told.
 */
static bool cgroup_rel(struct run *r, char *buf, size_t size)
{
	char mnt[PATH_MAX], path[PATH_MAX], link[64];
	int mounts, fd = tt_cgroup2_root_open(mnt, sizeof(mnt), &mounts);
	size_t m;
	ssize_t n;

	if (fd < 0)
		return false;
	close(fd);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", r->cgroup_fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return false;
	path[n] = '\0';
	m = strlen(mnt);
	while (m > 1 && mnt[m - 1] == '/')
		m--;
	if (strncmp(path, mnt, m) || (path[m] && path[m] != '/'))
		return false;
	snprintf(buf, size, "%s", path[m] ? path + m : "/");
	return true;
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

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

bool run_is_open_run(const struct run *r, const struct bpf_program *prog)
{
	return r->p->open_run && !strcmp(bpf_program__name(prog), r->p->open_run);
}

int run_try_open_run(struct run *r, struct bpf_program *prog)
{
	uint64_t args[1 + TT_OPEN_BATCH] = { TT_AT_START };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	(void)r;
	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) ? -errno : 0;
}

int run_sessions_setup(struct run *r)
{
	struct run_sessions *s;
	int refused = 0, failed = 0, first = 0, err;
	uint32_t i;

	if (!r->o->open)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->ns = calloc(NETNS_MAX, sizeof(*s->ns))) ||
	    tt_lru_init(&s->known, sizeof(uint64_t), sizeof(struct known), KNOWN_MAX, NULL, NULL) ||
	    tt_lru_init(&s->index, sizeof(uint64_t), sizeof(uint32_t), PRE_MAX, NULL, NULL)) {
		if (s)
			free(s->ns);
		free(s);
		tt_err("--open", -ENOMEM);
		return TT_EXIT_FAIL;
	}
	r->sessions = s;
	if (r->p->open_run)
		s->prog = bpf_object__find_program_by_name(r->skel->obj, r->p->open_run);
	if (s->prog && !bpf_program__autoload(s->prog))
		s->prog = NULL;
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
	/* namespaces without a session opened before tracing: never listed again */
	for (i = 0; i < s->nns; i++)
		if (!s->ns[i].left && s->ns[i].fd >= 0) {
			close(s->ns[i].fd);
			s->ns[i].fd = -1;
		}
	return 0;
}

void run_sessions_free(struct run *r)
{
	struct run_sessions *s = r->sessions;
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nns; i++)
		if (s->ns[i].fd >= 0)
			close(s->ns[i].fd);
	tt_lru_free(&s->known);
	tt_lru_free(&s->index);
	free(s->ns);
	free(s->pre);
	free(s->keys);
	free(s->lis);
	free(s);
	r->sessions = NULL;
}

/* The filters a BPF program applies to an event, for a session found by sock_diag. */
static bool pre_selected(const struct tt_opts *o, const struct pre *p)
{
	const struct tt_config *c = &o->cfg;

	if (c->filter_family && p->d.family != c->filter_family)
		return false;
	if (c->filter_lports && !(o->lports[p->d.lport / 8] & (1u << (p->d.lport % 8))))
		return false;
	if (c->filter_rports && !(o->rports[p->d.rport / 8] & (1u << (p->d.rport % 8))))
		return false;
	if (c->filter_pid && (p->owner.holders != 1 || p->owner.pid != c->filter_pid))
		return false;
	if (c->filter_uid != TT_TASK_UNKNOWN &&
	    (p->owner.holders != 1 || p->owner.uid != c->filter_uid))
		return false;
	/* --cgroup: the one holder's cgroup when the tracer started */
	if (c->filter_cgroup && (p->owner.holders != 1 || !p->owner.in_cgroup))
		return false;
	return true;
}

/* bytes_acked as payload: less the SYN of an active open and a FIN acked. */
static uint64_t pre_tx(const struct pre *p)
{
	uint64_t acked = p->d.bytes_acked;
	uint8_t st = p->d.state;
	bool fin_sent = st == 4 || st == 5 || st == 11 || st == 9;

	if (fin_sent && acked && !p->d.unacked && !p->d.notsent_bytes)
		acked--;
	if (p->dir == 1 && acked)
		acked--;
	return acked;
}

/* bytes_received less the peer's FIN (CLOSE_WAIT, LAST_ACK, CLOSING). */
static uint64_t pre_rx(const struct pre *p)
{
	uint8_t st = p->d.state;
	bool fin_in = st == 8 || st == 9 || st == 11;

	return fin_in && p->d.bytes_received ? p->d.bytes_received - 1 : p->d.bytes_received;
}

/* The owner found at start on an event (open or close) of a session opened before. */
static void pre_owner(const struct pre *p, struct tt_event *e)
{
	if (p->owner.holders == 1) {
		e->pid = e->tid = p->owner.pid;
		e->uid = p->owner.uid;
		memcpy(e->comm, p->owner.comm, sizeof(e->comm));
		e->owner_how = TT_OWNER_FD;
	} else {
		e->pid = e->tid = e->uid = TT_TASK_UNKNOWN;
		memset(e->comm, 0, sizeof(e->comm));
		e->owner_how = TT_OWNER_NONE;
	}
}

/* The open record of a session opened before tracing, as last listed. */
static void pre_record(struct run *r, struct pre *p, uint8_t at)
{
	struct tt_event e;

	if (!pre_selected(r->o, p))
		return;
	memset(&e, 0, sizeof(e));
	e.type = TT_EV_OPEN;
	e.flags = (uint8_t)(at << TT_EVF_AT_SHIFT);
	e.family = p->d.family;
	e.lport = p->d.lport;
	e.rport = p->d.rport;
	memcpy(e.laddr, p->d.laddr, sizeof(e.laddr));
	memcpy(e.raddr, p->d.raddr, sizeof(e.raddr));
	e.ts_ns = tt_now_ns();
	e.start_ns = TT_TS_UNKNOWN;
	e.tx_bytes = pre_tx(p);
	e.rx_bytes = pre_rx(p);
	e.srtt_us = p->d.srtt_us;
	e.min_rtt_us = p->d.min_rtt_us;
	e.retrans_segs = p->d.total_retrans;
	e.segs_out = p->d.segs_out;
	e.segs_in = p->d.segs_in;
	e.oldstate = p->d.state;
	e.cookie = p->d.cookie;
	if (r->o->cfg.containers)
		e.cgroup_id = p->d.cgroup_id; /* the socket's own, as for an unknown owner */
	pre_owner(p, &e);
	r->sessions->writing = p;
	run_handle_event(r, &e);
	r->sessions->writing = NULL;
}

static struct pre *pre_find(struct run_sessions *s, uint64_t cookie)
{
	uint32_t *idx;

	/* the record being written is most often the one just listed */
	if (s->writing && s->writing->d.cookie == cookie)
		return s->writing->alive ? s->writing : NULL;
	idx = cookie ? tt_lru_peek(&s->index, &cookie) : NULL;

	return idx && s->pre[*idx - 1].alive ? &s->pre[*idx - 1] : NULL;
}

static void pre_gone(struct run_sessions *s, struct pre *p)
{
	p->alive = false;
	tt_lru_remove(&s->index, &p->d.cookie);
	if (p->d.family == AF_INET6 && s->ns[p->ns].left6)
		s->ns[p->ns].left6--;
	if (s->ns[p->ns].left && !--s->ns[p->ns].left && s->ns[p->ns].fd >= 0) {
		close(s->ns[p->ns].fd);
		s->ns[p->ns].fd = -1;
	}
}

/*
 * Bytes since the previous record; never negative. A session caught by a
 * walk in the middle of its close may count the peer's FIN as a byte for a
 * moment (the kernel reads the state and the counters apart, as tcp_info
 * does): the previous record's figure is then kept as what was reported.
 */
static uint64_t delta(uint64_t now, uint64_t before)
{
	if (now == TT_BYTES_UNKNOWN)
		return TT_BYTES_UNKNOWN;
	return now > before ? now - before : 0;
}

/* What a record reported, for the next delta: the most reported so far. */
static uint64_t reported(uint64_t now, uint64_t before)
{
	return now == TT_BYTES_UNKNOWN || now < before ? before : now;
}

/*
 * Every open and close record, before enrichment: the owner found at start
 * of a session opened before tracing, TX where its direction is known, and
 * the bytes since the session's previous record.
 */
void run_sessions_event(struct run *r, struct tt_event *e, struct tt_src *src)
{
	struct run_sessions *s = r->sessions;
	bool closing = e->type == TT_EV_CLOSE;
	struct known *k;
	struct pre *p;
	bool fresh;

	if (e->type != TT_EV_OPEN && !closing)
		return;
	if (e->start_ns != TT_TS_UNKNOWN && e->sock) {
		/* born while tracing: the owners walk's, or its close */
		if (e->cookie && (p = pre_find(s, e->cookie)))
			pre_gone(s, p);
		/* first in, first forgotten: a lookup that leaves the order alone */
		k = tt_lru_peek(&s->known, &e->sock);
		if (!k && !closing)
			k = tt_lru_insert(&s->known, &e->sock, &fresh);
		if (k && k->start_ns != e->start_ns)
			memset(k, 0, sizeof(*k));
		src->tx_delta = delta(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
				      k ? k->tx : 0);
		src->rx_delta = delta(e->rx_bytes, k ? k->rx : 0);
		if (closing) {
			tt_lru_remove(&s->known, &e->sock);
		} else if (k) {
			k->start_ns = e->start_ns;
			k->tx = reported(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
					 k->tx);
			k->rx = reported(e->rx_bytes, k->rx);
		}
		return;
	}
	p = pre_find(s, e->cookie);
	if (p && closing) {
		/* the owner and the direction found at start */
		pre_owner(p, e);
		if (e->flags & TT_EVF_TX_RAW) {
			e->flags &= (uint8_t)~TT_EVF_TX_RAW;
			if (p->dir == 1 && e->tx_bytes)
				e->tx_bytes--;
		}
	}
	src->tx_delta = delta(e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes,
			      p ? p->tx : 0);
	src->rx_delta = delta(e->rx_bytes, p ? p->rx : 0);
	if (p && closing) {
		pre_gone(s, p);
	} else if (p) {
		p->tx = reported(e->tx_bytes, p->tx);
		p->rx = reported(e->rx_bytes, p->rx);
	}
}

/* One sock_diag listing of a later walk: the sessions opened before, still open. */
static void on_walk_sock(const struct tt_diag_sock *d, void *ctx)
{
	struct run_sessions *s = ctx;
	struct pre *p = pre_find(s, d->cookie);

	if (!p || p->ns != s->cur_ns || !d->has_info)
		return;
	p->d = *d;
	p->gen = s->gen;
}

#define BATCH_KEYS 4096

/*
 * The owners map's keys in batches (BPF_MAP_LOOKUP_BATCH, v5.6: a bucket at
 * a time, each key once): 0, or -errno (-EINVAL etc. where the kernel has
 * no batch for the map: the caller reads them one by one).
 */
static int keys_batched(struct run_sessions *s, int fd)
{
	uint64_t token = 0;
	void *vals = malloc((size_t)BATCH_KEYS * sizeof(struct tt_sock_owner_v));
	bool first = true;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (;;) {
		__u32 count = BATCH_KEYS;

		while (s->nkeys + BATCH_KEYS > s->kcap)
			if (!grow((void **)&s->keys, &s->kcap, s->kcap, sizeof(*s->keys))) {
				free(vals);
				return -ENOMEM;
			}
		err = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, s->keys + s->nkeys,
					   vals, &count, NULL);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		s->nkeys += count;
		first = false;
		if (err) { /* ENOENT: the last batch */
			err = 0;
			break;
		}
	}
	free(vals);
	return err;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The owners map's keys, each once (a key deleted while the map is read
 * makes the kernel start over from the first), then p->open_run per batch,
 * its records read from the ring buffer as they come.
 */
static int walk_born(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, "owners");
	uint64_t key, *prev = NULL, args[1 + TT_OPEN_BATCH];
	size_t i, j, n = 0;
	int fd, pfd;

	if (!s->prog || !map)
		return 0;
	fd = bpf_map__fd(map);
	pfd = bpf_program__fd(s->prog);
	s->nkeys = 0;
	if (!s->no_batch && bpf_map__value_size(map) == sizeof(struct tt_sock_owner_v)) {
		int err = keys_batched(s, fd);

		if (err == -ENOMEM)
			return err;
		if (err) {
			s->no_batch = true; /* refused: one by one from now on */
			s->nkeys = 0;
		}
	} else {
		s->no_batch = true;
	}
	while (s->no_batch && !bpf_map_get_next_key(fd, prev, &key)) {
		if (!grow((void **)&s->keys, &s->kcap, s->nkeys, sizeof(*s->keys)))
			return -ENOMEM;
		s->keys[s->nkeys++] = key;
		prev = &s->keys[s->nkeys - 1];
	}
	if (s->no_batch && errno != ENOENT)
		return -errno;
	if (s->no_batch) {
		qsort(s->keys, s->nkeys, sizeof(*s->keys), cmp_u64);
		for (i = 0; i < s->nkeys; i++)
			if (!n || s->keys[n - 1] != s->keys[i])
				s->keys[n++] = s->keys[i];
	} else {
		n = s->nkeys; /* a batch gives each key once */
	}
	for (i = 0; i < n; i += TT_OPEN_BATCH) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

		memset(args, 0, sizeof(args));
		args[0] = at;
		for (j = 0; j < TT_OPEN_BATCH && i + j < n; j++)
			args[1 + j] = s->keys[i + j];
		if (bpf_prog_test_run_opts(pfd, &opts))
			return -errno;
		if (opts.retval && r->rb)
			ring_buffer__consume(r->rb);
	}
	return 0;
}

/* The sessions opened before tracing, listed again (but at start) and reported. */
static int walk_pre(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	uint32_t i;
	size_t k;
	int err = 0, e;

	if (at != TT_AT_START) {
		s->gen++;
		for (i = 0; i < s->nns; i++) {
			if (s->ns[i].fd < 0)
				continue;
			s->cur_ns = i;
			/* each listing walks the whole established hash: only those needed */
			e = s->ns[i].left > s->ns[i].left6
				    ? tt_diag_dump(s->ns[i].fd, AF_INET, TT_DIAG_SESSIONS,
						   on_walk_sock, s)
				    : 0;
			if (!e && s->ns[i].left6)
				e = tt_diag_dump(s->ns[i].fd, AF_INET6, TT_DIAG_SESSIONS,
						 on_walk_sock, s);
			if (!e)
				s->ns[i].gen = s->gen;
			else if (!err)
				err = e;
		}
	}
	for (k = 0; k < s->npre; k++) {
		struct pre *p = &s->pre[k];

		if (!p->alive || (at != TT_AT_START && s->ns[p->ns].fd >= 0 &&
				  s->ns[p->ns].gen != s->gen))
			continue; /* its namespace's listing failed: kept for the next walk */
		if (p->gen != s->gen || s->ns[p->ns].fd < 0) {
			pre_gone(s, p); /* closed, its close event read already or coming */
			continue;
		}
		pre_record(r, p, at);
		if (r->out_closed)
			break;
	}
	return err;
}

int run_sessions_walk(struct run *r, uint8_t at)
{
	struct run_sessions *s = r->sessions;
	int err;

	if (!s || r->out_closed)
		return 0;
	/* close events already queued first: a session is never open after its close */
	if (r->rb)
		ring_buffer__consume(r->rb);
	err = walk_born(r, at);
	if (!err)
		err = walk_pre(r, at);
	if (err && !s->failed) {
		s->failed = true;
		tt_warn(&r->w, r->o->mode, r->o->interval ? "--interval" : "--open",
			"listing the open sessions failed (%s): some are missing", tt_strerror(err));
	}
	run_check_output(r);
	return 0;
}

void run_sessions_tick(struct run *r, uint64_t now)
{
	struct run_sessions *s = r->sessions;
	uint64_t every = (uint64_t)(r->o->interval * 1e9);

	if (!s || !every)
		return;
	if (!s->next_ns)
		s->next_ns = now + every;
	if (now < s->next_ns)
		return;
	run_sessions_walk(r, TT_AT_INTERVAL);
	/* on the grid, never a burst after a stall */
	s->next_ns += every;
	if (s->next_ns <= now)
		s->next_ns = now + every;
}
