/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * life --open/--interval, private to core/run/sessions*.c: the state of the
 * walks and what the three files give one another.
 *   sessions.c       the stage: setup, the walks' schedule, deltas and
 *                    owners on every record
 *   sessions_born.c  sessions born while tracing: the owners map's keys and
 *                    a program run per batch
 *   sessions_setup.c sessions opened before tracing, found at setup:
 *                    sock_diag per network namespace, their fd owners,
 *                    and each one p->open_adopt finds put in the owners map
 *   sessions_pre.c   the records of the others, listed again at each walk
 */
#ifndef TCPTRACE_RUN_SESSIONS_H
#define TCPTRACE_RUN_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/fdowners.h"
#include "host/sockdiag.h"
#include "lru.h"
#include "run/run.h"

#define NETNS_MAX 4096	    /* namespaces read at start; more are left out, said */
#define KNOWN_MAX 262144    /* sessions whose deltas are kept: the owners map's bound */
#define PRE_MAX 262144	    /* sessions opened before tracing, at start */

/* A session seen born, or adopted at setup (start_ns unknown): what its previous record said. */
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
	bool adopted; /* in the owners map: the walks of sessions_born.c report it */
	struct tt_fd_owner owner;
};

struct netns {
	uint64_t dev, ino;
	int fd;		/* its sock_diag socket, or -1 */
	int nsfd;	/* setup only: the namespace (setns), or -1 for the tracer's */
	uint32_t left;	/* its sessions opened before tracing, still open, not adopted */
	uint32_t left6; /* of which IPv6 (the other family is not listed without) */
	uint32_t gen;	/* the last walk that listed it whole */
};

struct run_sessions {
	struct tt_lru known; /* struct sock address -> struct known (born and adopted) */
	struct tt_lru index; /* cookie -> index + 1 in pre */
	struct pre *pre;
	size_t npre, cap;
	struct netns *ns;
	uint32_t nns;
	uint32_t gen;
	struct bpf_program *prog; /* p->open_run, or NULL */
	struct bpf_program *walk; /* p->open_walk, or NULL */
	struct bpf_program *adopt; /* p->open_adopt, or NULL */
	uint32_t walk_no;	  /* the last walk of p->open_walk */
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

/* Room for element n of *arr (elements of size bytes), doubling: false if out of memory. */
bool sessions_grow(void **arr, size_t *cap, size_t n, size_t size);

/* sessions_setup.c */
int sessions_pre_setup(struct run *r, struct run_sessions *s);

/* sessions_pre.c */
/* The sessions opened before tracing, listed again (but at start) and reported. */
int sessions_walk_pre(struct run *r, uint8_t at);
/* The session opened before tracing with this cookie, still open, or NULL. */
struct pre *sessions_pre_find(struct run_sessions *s, uint64_t cookie);
void sessions_pre_gone(struct run_sessions *s, struct pre *p);
/* The owner found at start, on an event of that session. */
void sessions_pre_owner(const struct pre *p, struct tt_event *e);
/* Whether that owner passes the task filters (pid, uid, cgroup). */
bool sessions_pre_task_selected(const struct tt_opts *o, const struct pre *p);

/* sessions_born.c: every session born while tracing, reported. 0 or -errno. */
int sessions_walk_born(struct run *r, uint8_t at);

#endif /* TCPTRACE_RUN_SESSIONS_H */
