// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The --dns enricher: loads probes/dns.bpf.c onto the cgroup v2 root, its
 * replies arriving in the mode's ring buffer ahead of the connections they
 * name; parses them (core/enrich/dns/dnsparse.c) into the name cache (core/enrich/dns/dnscache.c);
 * and gives each connect event, and each life session this host opened,
 * the name its destination was resolved from.
 *
 * Where cgroup BPF cannot be used (a private cgroup namespace, no cgroup v2,
 * load or attach refused) it says why once and the run goes on, QUERY
 * unknown: the columns stay, so that what reads the output sees the same
 * layout either way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "bpf/roles.h"
#include "enrich/dns/dns.h"
#include "enrich/enrich.h"
#include "host/cgroupfs.h"
#include "host/fsmount.h"
#include "host/privs.h"
#include "mode.h"
#include "out/output.h"
/* The skeleton refers to the types of event.h: include it after. */
#include "dns.skel.h"

#define OPT "--dns"
#define NPROGS 5

struct dns {
	struct tt_opts *o;
	unsigned events; /* the mode's (TT_EVBIT): life's TT_EV_CLOSE has opens */
	struct tt_writer *w;
	bool on; /* the programs are (to be) attached */
	int cgroup_fd;
	char root[256]; /* where the cgroup v2 root was found, for messages */
	struct dns_bpf *skel;
	struct bpf_link *links[NPROGS];
	struct tt_dns_cache *cache;
	struct tt_dns_reply *reply;
	struct tt_dns_info info;
	/* counters, reported at exit (report()) */
	uint64_t replies, status[TT_DNS_NSTATUS], addresses, tc, truncated, dropped;
	uint64_t opens, opens_named;
};

/*
 * The cgroup v2 root, opened: where it is mounted (core/host/cgroupfs.c), else a
 * mount of our own that no path leads to (fsopen(), v5.2), gone when the
 * fd closes.
 */
static int open_root(struct dns *d, int *err)
{
	int fd, mfd, mounts;

	fd = tt_cgroup2_root_open(d->root, sizeof(d->root), &mounts);
	if (fd >= 0)
		return fd;
	snprintf(d->root, sizeof(d->root), "a cgroup2 mount of its own");
	mfd = tt_fsmount_private("cgroup2", 0);
	if (mfd < 0) {
		*err = -mfd;
		return -1;
	}
	fd = openat(mfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*err = errno;
	close(mfd);
	return fd;
}

/* The one line that says why QUERY is unknown in this run. */
static void __attribute__((format(printf, 2, 3))) disable(struct dns *d, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tt_enrich_warn(d->w, OPT, "%s: QUERY disabled", why);
	d->on = false;
}

static int init(const struct tt_enrich_ctx *c, void **state)
{
	struct dns *d = calloc(1, sizeof(*d));
	struct tt_opts *o = c->o;
	int err = 0;

	*state = d;
	if (!d)
		return -ENOMEM;
	d->o = o;
	d->events = c->events;
	d->w = c->w;
	d->cgroup_fd = -1;
	d->cache = tt_dns_cache_new(0, 0);
	d->reply = malloc(sizeof(*d->reply));
	if (!d->cache || !d->reply) {
		tt_err(OPT, -ENOMEM);
		return -ENOMEM;
	}
	d->on = true;
	if (tt_cgroup_ns_own()) {
		disable(d, "tcptrace runs in a cgroup namespace of its own, where the host's cgroup "
			   "v2 root is out of reach (run it in the host's)");
	} else {
		d->cgroup_fd = open_root(d, &err);
		if (d->cgroup_fd < 0)
			disable(d, "no cgroup v2 hierarchy to attach to (mounting one: %s)",
				strerror(err));
	}
	/* the probes read the namespace cookies (and life writes opens) only if it works */
	o->cfg.dns = d->on;
	return 0;
}

static void detach(void *state)
{
	struct dns *d = state;
	int i;

	for (i = 0; i < NPROGS; i++) {
		bpf_link__destroy(d->links[i]);
		d->links[i] = NULL;
	}
}

static int attach(void *state, struct bpf_object *mode_obj, int events_fd)
{
	struct dns *d = state;
	struct bpf_program *progs[NPROGS];
	const struct bpf_program *refused;
	int i, err;

	if (!d->on)
		return 0;
	d->skel = dns_bpf__open();
	if (!d->skel) {
		disable(d, "opening its BPF object: %s", tt_strerror(errno));
		goto out;
	}
	d->skel->rodata->tt_wakeup_bytes = d->o->cfg.wakeup_bytes;
	err = tt_refuse_env_obj(d->skel->obj, &refused);
	if (err) {
		disable(d, "%s (%s) refused by the kernel (%s (" TT_REFUSE_ENV "))",
			bpf_program__name(refused), bpf_program__section_name(refused),
			strerror(-err));
		dns_bpf__destroy(d->skel);
		d->skel = NULL;
		goto out;
	}
	err = bpf_map__reuse_fd(d->skel->maps.events, events_fd);
	if (!err)
		err = dns_bpf__load(d->skel);
	if (err) {
		dns_bpf__destroy(d->skel);
		d->skel = NULL;
		/* cgroup_skb and sock_addr programs load only with CAP_NET_ADMIN */
		if ((err == -EPERM || err == -EACCES) &&
		    !(tt_priv_effective() & (1ull << CAP_NET_ADMIN)))
			disable(d, "loading its BPF programs: %s (needs CAP_NET_ADMIN)",
				tt_strerror(err));
		else
			disable(d, "loading its BPF programs: %s", tt_strerror(err));
		goto out;
	}
	progs[0] = d->skel->progs.tt_dns_connect4;
	progs[1] = d->skel->progs.tt_dns_connect6;
	progs[2] = d->skel->progs.tt_dns_sendmsg4;
	progs[3] = d->skel->progs.tt_dns_sendmsg6;
	progs[4] = d->skel->progs.tt_dns_ingress;
	for (i = 0; i < NPROGS; i++) {
		d->links[i] = bpf_program__attach_cgroup(progs[i], d->cgroup_fd);
		if (!d->links[i]) {
			err = errno;
			detach(d);
			dns_bpf__destroy(d->skel);
			d->skel = NULL;
			disable(d, "attaching to the cgroup v2 root (%s) was refused: %s", d->root,
				tt_strerror(err));
			goto out;
		}
	}
	if (d->o->verbose)
		fprintf(stderr, TT_PROG ": %s: DNS replies from the cgroup v2 root (%s)\n",
			d->o->mode, d->root);
out:
	close(d->cgroup_fd);
	d->cgroup_fd = -1;
	return 0;
}

static void conn_of(struct tt_dns_conn *c, uint64_t netns, uint16_t family, uint16_t lport,
		    uint16_t rport, const uint8_t *laddr, const uint8_t *raddr)
{
	memset(c, 0, sizeof(*c));
	c->netns = netns;
	c->family = family;
	c->lport = lport;
	c->rport = rport;
	tt_addr_canon(family, laddr, c->laddr, false);
	tt_addr_canon(family, raddr, c->raddr, false);
}

static void on_reply(struct dns *d, const struct tt_dns_rec *h, const uint8_t *payload)
{
	struct tt_dns_reply *r = d->reply;
	enum tt_dns_status st;
	unsigned i;

	d->replies++;
	st = tt_dns_parse_payload(h->proto == IPPROTO_TCP, payload, h->len, h->wire_len, r);
	d->status[st]++;
	if (st != TT_DNS_OK)
		return;
	d->tc += r->tc;
	d->truncated += r->truncated;
	d->dropped += r->dropped;
	for (i = 0; i < r->naddrs; i++)
		if (!tt_dns_cache_put(d->cache, h->netns, r->addrs[i].addr, h->pid, r->qname,
				      r->cname[0] ? r->cname : NULL, h->ts_ns, r->addrs[i].ttl))
			d->addresses++;
}

/* life: a session this host opened; its name is looked up now and kept until it closes. */
static void on_open(struct dns *d, const struct tt_dns_open *op)
{
	struct tt_dns_conn c;
	struct tt_dns_info info;
	uint8_t raddr[16];

	d->opens++;
	tt_addr_canon(op->family, op->raddr, raddr, true);
	if (!tt_dns_cache_get(d->cache, op->netns, raddr, op->pid, op->start_ns, &info))
		return;
	conn_of(&c, op->netns, op->family, op->lport, op->rport, op->laddr, op->raddr);
	if (!tt_dns_open_put(d->cache, &c, &info))
		d->opens_named++;
}

/* Records come from probes/dns.bpf.c and life.bpf.c, of this very build. */
static void record(void *state, const void *data, size_t size)
{
	struct dns *d = state;
	const uint8_t *p = data;

	if (size >= sizeof(struct tt_dns_rec) && p[1] == TT_DNS_REPLY &&
	    ((const struct tt_dns_rec *)data)->len <= size - sizeof(struct tt_dns_rec))
		on_reply(d, data, p + sizeof(struct tt_dns_rec));
	else if (size >= sizeof(struct tt_dns_open) && p[1] == TT_DNS_OPEN)
		on_open(d, data);
}

static bool enrich(void *state, const struct tt_event *e, const void **data)
{
	struct dns *d = state;
	struct tt_dns_conn c;
	uint8_t raddr[16];

	if (!d->on)
		return true;
	memset(&d->info, 0, sizeof(d->info));
	*data = &d->info;
	if (e->type == TT_EV_CONNECT) {
		tt_addr_canon(e->family, e->raddr, raddr, true);
		tt_dns_cache_get(d->cache, e->netns, raddr, e->pid,
				 e->start_ns ? e->start_ns : e->ts_ns, &d->info);
	} else if (e->type == TT_EV_CLOSE || e->type == TT_EV_OPEN) {
		conn_of(&c, e->netns, e->family, e->lport, e->rport, e->laddr, e->raddr);
		/* an open record's session goes on: its name is kept for its close */
		if (e->type == TT_EV_OPEN)
			tt_dns_open_peek(d->cache, &c, &d->info);
		else
			tt_dns_open_take(d->cache, &c, &d->info);
	} else {
		*data = NULL;
	}
	return true;
}

static uint64_t lost(const struct dns *d)
{
	return d->skel ? tt_map_percpu_sum(d->skel->maps.lost) : 0;
}

static void report(void *state, struct tt_writer *w, int verbose)
{
	struct dns *d = state;
	struct tt_dns_cache_stats s;
	const char *keys[32];
	uint64_t vals[32], malformed = 0;
	int n = 0, i;

	if (!d->on)
		return;
	tt_dns_cache_stats(d->cache, &s);
	for (i = TT_DNS_E_NAME; i <= TT_DNS_E_CNAME; i++)
		malformed += d->status[i];
#define KV(k, v) (keys[n] = (k), vals[n++] = (v))
	KV("replies", d->replies);
	KV("lost", lost(d));
	for (i = 0; i < TT_DNS_NSTATUS; i++)
		KV(tt_dns_status_names[i], d->status[i]);
	KV("tc", d->tc);
	KV("truncated", d->truncated);
	KV("addresses", d->addresses);
	KV("addresses_dropped", d->dropped);
	KV("cache_entries", s.entries);
	KV("cache_names", s.names);
	KV("cache_name_bytes", s.name_bytes);
	KV("cache_evicted", s.evicted);
	KV("cache_refused", s.refused);
	if (d->events & TT_EVBIT(TT_EV_CLOSE)) {
		KV("opens", d->opens);
		KV("opens_named", d->opens_named);
		KV("opens_evicted", s.open_evicted);
	}
#undef KV
	tt_write_counters(w, "dns", keys, vals, n);
	if (vals[1])
		tt_errf("%s: %s: %llu DNS replies lost (ring buffer full): names may be missing",
			d->o->mode, OPT, (unsigned long long)vals[1]);
	if (!verbose)
		return;
	fprintf(stderr, TT_PROG ": %s: %s: %llu replies: %llu parsed, %llu malformed, %llu "
		"other (", d->o->mode, OPT, (unsigned long long)d->replies,
		(unsigned long long)d->status[TT_DNS_OK], (unsigned long long)malformed,
		(unsigned long long)(d->replies - d->status[TT_DNS_OK] - malformed));
	for (i = 0; i < n; i++)
		if (strcmp(keys[i], "replies") && strcmp(keys[i], "parsed"))
			fprintf(stderr, "%s%s %llu", i > 1 ? ", " : "", keys[i],
				(unsigned long long)vals[i]);
	fprintf(stderr, ")\n");
}

static void fini(void *state)
{
	struct dns *d = state;

	if (!d)
		return;
	detach(d);
	dns_bpf__destroy(d->skel);
	if (d->cgroup_fd >= 0)
		close(d->cgroup_fd);
	tt_dns_cache_free(d->cache);
	free(d->reply);
	free(d);
}

extern const struct tt_enricher tt_dns_enricher;

static const struct argp_option options[] = {
	{ "dns", 'd', NULL, 0,
	  "Add a QUERY column: the DNS name the destination was resolved from (any resolver; "
	  "'-' when unknown)",
	  1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != 'd')
		return ARGP_ERR_UNKNOWN;
	*(bool *)tt_enrich_opts(state->input, &tt_dns_enricher) = true;
	return 0;
}

static const struct argp dns_argp = { .options = options, .parser = parse_opt };

static bool enabled(const void *opts)
{
	return opts && *(const bool *)opts;
}

/* Its fields (struct tt_col.field of its columns). */
enum {
	F_QUERY,	  /* the name the destination was resolved from */
	F_QUERY_CNAME,	  /* the last name of its CNAME chain */
	F_QUERY_AGE_NS,	  /* from the reply to the connect */
	F_QUERY_STALE,	  /* the answer's TTL had run out */
	F_QUERY_SCOPE,	  /* process | netns */
	F_QUERY_CANDIDATES, /* distinct names for the address in that scope */
};

/* bcc's QUERY, last, with its JSON keys; -c rows: QUERY only. */
static int cols(const struct tt_opts *o, const void *opts, enum tt_enrich_place at, bool count,
		struct tt_col *c)
{
	int n = 0;

	(void)o, (void)opts;
	if (at != TT_PLACE_TAIL)
		return 0;
	c[n++] = (struct tt_col){ "QUERY", "query", F_QUERY };
	if (count)
		return n;
	c[n++] = (struct tt_col){ NULL, "query_cname", F_QUERY_CNAME };
	c[n++] = (struct tt_col){ NULL, "query_age_ns", F_QUERY_AGE_NS };
	c[n++] = (struct tt_col){ NULL, "query_stale", F_QUERY_STALE };
	c[n++] = (struct tt_col){ NULL, "query_scope", F_QUERY_SCOPE };
	c[n++] = (struct tt_col){ NULL, "query_candidates", F_QUERY_CANDIDATES };
	return n;
}

/* Every field is unknown (null) when the name is. */
static void format(int field, const void *data, struct tt_val *v)
{
	static const char *const scopes[] = { [TT_DNS_SCOPE_PROCESS] = "process",
					      [TT_DNS_SCOPE_NETNS] = "netns" };
	const struct tt_dns_info *di = data;

	if (!di || !di->query) {
		tt_val_set_null(v);
		return;
	}
	switch (field) {
	case F_QUERY:
		tt_val_set_text(v, di->query);
		return;
	case F_QUERY_CNAME:
		tt_val_set_text(v, di->cname);
		return;
	case F_QUERY_AGE_NS:
		tt_val_set_num(v, di->age_ns);
		return;
	case F_QUERY_STALE:
		tt_val_set_bool(v, di->stale);
		return;
	case F_QUERY_SCOPE:
		if (di->scope == TT_DNS_SCOPE_PROCESS || di->scope == TT_DNS_SCOPE_NETNS)
			tt_val_set_str(v, scopes[di->scope]);
		else
			tt_val_set_null(v);
		return;
	case F_QUERY_CANDIDATES:
		tt_val_set_num(v, di->candidates);
		return;
	}
	tt_val_set_null(v);
}

/*
 * cgroup programs (sock_addr, cgroup_skb) loaded and attached by link to
 * the cgroup v2 root during setup: loading cgroup_skb and sock_addr
 * programs needs CAP_NET_ADMIN besides CAP_BPF. Afterwards the name cache
 * only grows memory (bounded) and the links are closed at exit.
 */
static const struct tt_priv_entry privs[] = {
	{ "-d (DNS names)", TT_CAP(BPF) | TT_CAP(NET_ADMIN), 0, 0, "", 0, NULL },
};

/* Connections this host opened: connect's, and life's sessions. */
const struct tt_enricher tt_dns_enricher = {
	.name = OPT,
	.events = TT_EVBIT(TT_EV_CONNECT) | TT_EVBIT(TT_EV_CLOSE),
	.argp = &dns_argp,
	.opts_size = sizeof(bool),
	.enabled = enabled,
	.cols = cols,
	.format = format,
	.privs = privs,
	.nprivs = sizeof(privs) / sizeof(privs[0]),
	.init = init,
	.attach = attach,
	.rec_type = TT_REC_DNS,
	.record = record,
	.enrich = enrich,
	.detach = detach,
	.report = report,
	.fini = fini,
};
