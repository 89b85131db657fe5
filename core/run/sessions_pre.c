// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * life --open/--interval: the records of the sessions opened before
 * tracing (found at setup, sessions_setup.c), listed again through their
 * namespace's sock_diag socket at each walk; the filters the BPF side
 * applies to the others, applied here to them.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run/sessions.h"

/* The task filters a BPF program applies to an owner, for a session found by sock_diag. */
bool sessions_pre_task_selected(const struct tt_opts *o, const struct pre *p)
{
	const struct tt_config *c = &o->cfg;

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

/* All the filters a BPF program applies to an event, for a session found by sock_diag. */
static bool pre_selected(const struct tt_opts *o, const struct pre *p)
{
	const struct tt_config *c = &o->cfg;

	if (c->filter_family && p->d.family != c->filter_family)
		return false;
	if (c->filter_lports && !(o->lports[p->d.lport / 8] & (1u << (p->d.lport % 8))))
		return false;
	if (c->filter_rports && !(o->rports[p->d.rport / 8] & (1u << (p->d.rport % 8))))
		return false;
	return sessions_pre_task_selected(o, p);
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
void sessions_pre_owner(const struct pre *p, struct tt_event *e)
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

struct pre *sessions_pre_find(struct run_sessions *s, uint64_t cookie)
{
	uint32_t *idx;

	/* the record being written is most often the one just listed */
	if (s->writing && s->writing->d.cookie == cookie)
		return s->writing->alive ? s->writing : NULL;
	/* (born sessions ask too: none to look for once those opened before are gone) */
	idx = cookie && s->index.n ? tt_lru_peek(&s->index, &cookie) : NULL;

	return idx && s->pre[*idx - 1].alive ? &s->pre[*idx - 1] : NULL;
}

void sessions_pre_gone(struct run_sessions *s, struct pre *p)
{
	p->alive = false;
	tt_lru_remove(&s->index, &p->d.cookie);
	if (p->adopted)
		return; /* not counted in its namespace's listing */
	if (p->d.family == AF_INET6 && s->ns[p->ns].left6)
		s->ns[p->ns].left6--;
	if (s->ns[p->ns].left && !--s->ns[p->ns].left && s->ns[p->ns].fd >= 0) {
		close(s->ns[p->ns].fd);
		s->ns[p->ns].fd = -1;
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
	sessions_pre_owner(p, &e);
	r->sessions->writing = p;
	run_handle_event(r, &e);
	r->sessions->writing = NULL;
}

/* One sock_diag listing of a later walk: the sessions opened before, still open. */
static void on_walk_sock(const struct tt_diag_sock *d, void *ctx)
{
	struct run_sessions *s = ctx;
	struct pre *p = sessions_pre_find(s, d->cookie);

	if (!p || p->ns != s->cur_ns || !d->has_info)
		return;
	p->d = *d;
	p->gen = s->gen;
}

/* The sessions opened before tracing, listed again (but at start) and reported. */
int sessions_walk_pre(struct run *r, uint8_t at)
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
			sessions_pre_gone(s, p); /* closed, its close event read already or coming */
			continue;
		}
		pre_record(r, p, at);
		if (r->out_closed)
			break;
	}
	return err;
}
