// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attaching a loaded object: classic tracepoints by the id tracefs tells
 * (or their twins on the raw sys_exit), everything else through libbpf;
 * detaching at exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "run/run.h"

#define TP_PREFIX "tracepoint/"

#define SYSEXIT_SUFFIX "_sysexit"

/* The classic tracepoint prog is attached to, or NULL. */
static const char *prog_tracepoint(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	return strncmp(sec, TP_PREFIX, strlen(TP_PREFIX)) ? NULL : sec + strlen(TP_PREFIX);
}

static int add_tp(struct run *r, const char *tp)
{
	int i;

	for (i = 0; i < r->ntps; i++)
		if (!strcmp(r->tps[i].tp, tp))
			return 0;
	if (r->ntps == MAX_PROGS)
		return -E2BIG;
	r->tps[r->ntps].pfd = -1;
	r->tps[r->ntps++].tp = tp;
	return 0;
}

static int tp_id(const struct run *r, const char *tp)
{
	int i;

	for (i = 0; i < r->ntps; i++)
		if (!strcmp(r->tps[i].tp, tp))
			return r->tps[i].id;
	return -ENOENT;
}

/*
 * Where the classic tracepoints cannot be attached (their ids cannot be
 * read, core/bpf/tracefs.c, or perf_event_open(2) is refused), each of their
 * programs is replaced by its twin on the raw sys_exit tracepoint,
 * <name>_sysexit (probes/common.bpf.h), and the run says so: why, and
 * which of the capabilities in need (which would have avoided it) it
 * lacks. A program without a twin makes it fail, naming them.
 */
static int use_sysexit_twins(struct run *r, int err, const char *why, tt_caps need)
{
	struct bpf_object *obj = r->skel->obj;
	struct bpf_program *prog, *twin;
	char name[128], names[64], hint[80] = "";
	tt_caps missing;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog) || !prog_tracepoint(prog))
			continue;
		snprintf(name, sizeof(name), "%s" SYSEXIT_SUFFIX, bpf_program__name(prog));
		twin = bpf_object__find_program_by_name(obj, name);
		if (!twin) {
			char what[160];

			snprintf(what, sizeof(what), "tracepoint %s: %s", prog_tracepoint(prog), why);
			tt_priv_err(what, err, need);
			return -1;
		}
		bpf_program__set_autoload(prog, false);
		bpf_program__set_autoload(twin, true);
	}
	r->ntps = 0;
	/*
	 * Not silent (stderr, and a JSON warning): this costs every system
	 * call on the host (tcptrace(8) PRIVILEGES).
	 */
	missing = need & ~tt_priv_effective();
	if (missing)
		snprintf(hint, sizeof(hint), " (without %s)", tt_priv_names(missing, names, sizeof(names)));
	tt_warn(&r->w, r->o->mode, NULL,
		"%s%s: system call exits are traced at the raw sys_exit tracepoint, which runs at "
		"every system call's exit (about 150 ns each)",
		why, hint);
	return 0;
}

/*
 * Whether perf_event_open(2) takes the tracepoint of this id, tried before
 * the load (so that the twins can be loaded instead): Debian's
 * kernel.perf_event_paranoid=3 refuses it without CAP_SYS_ADMIN even where
 * the id could be read (a tracefs mounted and readable). 0 (also after
 * the twins' notice), or -1 (failed).
 */
static int check_perf_event(struct run *r, int id)
{
	int fd = tt_tracepoint_open(id);
	char why[64] = "perf_event_open(2) is refused";

	/*
	 * Kept for the attach: closing a syscall tracepoint's perf event waits
	 * for an RCU tasks-trace grace period on kernels whose syscall
	 * tracepoints may fault (35-50 ms measured on 6.18), most of start-up.
	 */
	if (fd >= 0) {
		r->tps[0].pfd = fd;
		return 0;
	}
	if (fd != -EACCES && fd != -EPERM)
		return 0; /* another error: attaching reports it */
	if (r->priv.perf_paranoid > 2)
		snprintf(why, sizeof(why), "kernel.perf_event_paranoid is %d", r->priv.perf_paranoid);
	return use_sysexit_twins(r, fd, why,
				 1ull << (r->priv.perf_paranoid > 2 ? CAP_SYS_ADMIN : CAP_PERFMON));
}

/* The ids of the classic tracepoints the programs to load are attached to. */
int run_resolve_tracepoints(struct run *r)
{
	const char *const (*also)[2] = r->p->also_attach;
	const char *tps[MAX_PROGS];
	int ids[MAX_PROGS], i, err;
	struct bpf_program *prog;
	char how[64];

	r->ntps = 0;
	bpf_object__for_each_program(prog, r->skel->obj)
		if (bpf_program__autoload(prog) && prog_tracepoint(prog) &&
		    add_tp(r, prog_tracepoint(prog)))
			return -1;
	for (; also && (*also)[0]; also++) {
		prog = bpf_object__find_program_by_name(r->skel->obj, (*also)[0]);
		if (prog && bpf_program__autoload(prog) && add_tp(r, (*also)[1]))
			return -1;
	}
	if (!r->ntps)
		return 0;
	r->priv.tracepoints = true;
	for (i = 0; i < r->ntps; i++)
		tps[i] = r->tps[i].tp;
	err = tt_tracepoint_ids(tps, r->ntps, ids, how, sizeof(how));
	/* reading a tracefs 0700, or mounting one of our own */
	if (err)
		return use_sysexit_twins(r, err == -EACCES ? err : -EPERM, how,
					 1ull << (err == -EACCES ? CAP_DAC_READ_SEARCH
								 : CAP_SYS_ADMIN));
	for (i = 0; i < r->ntps; i++)
		r->tps[i].id = ids[i];
	if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: tracepoint ids from %s\n", r->o->mode, how);
	return check_perf_event(r, ids[0]);
}

static struct bpf_link *attach_tracepoint(struct run *r, struct bpf_program *prog, const char *tp)
{
	int id = tp_id(r, tp), pfd = -1, i;
	struct bpf_link *link;

	for (i = 0; i < r->ntps; i++)
		if (!strcmp(r->tps[i].tp, tp) && r->tps[i].pfd >= 0) {
			pfd = r->tps[i].pfd; /* the one check_perf_event() opened */
			r->tps[i].pfd = -1;
		}
	if (pfd < 0)
		pfd = id < 0 ? id : tt_tracepoint_open(id);
	if (pfd < 0) {
		errno = -pfd;
		return NULL;
	}
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		int err = errno;

		close(pfd);
		errno = err;
	}
	return link;
}

static int add_link(struct run *r, struct bpf_link *link, const char *where)
{
	char what[160];
	int err = -errno;

	if (link && r->nlinks < MAX_PROGS) {
		r->links[r->nlinks++] = link;
		return 0;
	}
	if (link) {
		bpf_link__destroy(link);
		err = -E2BIG;
	}
	snprintf(what, sizeof(what), "attaching %s", where);
	tt_priv_err_run(&r->priv, what, err);
	return err;
}

int run_attach_all(struct run *r)
{
	const char *const (*also)[2] = r->p->also_attach;
	struct bpf_program *prog;
	struct bpf_link *link;
	const char *tp;

	bpf_object__for_each_program(prog, r->skel->obj) {
		if (!bpf_program__autoload(prog) || run_is_exit_prog(r, prog) ||
		    run_is_open_run(r, prog))
			continue;
		tp = prog_tracepoint(prog);
		link = tp ? attach_tracepoint(r, prog, tp) : bpf_program__attach(prog);
		if (add_link(r, link, bpf_program__section_name(prog)))
			return -1;
	}
	for (; also && (*also)[0]; also++) {
		prog = bpf_object__find_program_by_name(r->skel->obj, (*also)[0]);
		if (!prog || !bpf_program__autoload(prog))
			continue;
		if (add_link(r, attach_tracepoint(r, prog, (*also)[1]), (*also)[1]))
			return -1;
	}
	return 0;
}

void run_detach_all(struct run *r)
{
	int i;

	for (i = 0; i < r->nlinks; i++)
		bpf_link__destroy(r->links[i]);
	r->nlinks = 0;
}
