// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one runner every mode uses: choose an attach plan, open the skeleton,
 * configure its .rodata, load, attach, poll the ring buffer in batches,
 * drain, detach. Signals, libbpf logging, lost-event accounting, the
 * --duration timer and a closed stdout are all handled here.
 */
#define _GNU_SOURCE /* memfd_create() */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "privs.h"
#include "roles.h"
#include "tcptrace/btfmin.h"
#include "tcptrace/count.h"
#include "tcptrace/enrich.h"
#include "tcptrace/mode.h"
#include "tcptrace/sink.h"

#define POLL_MS 50		 /* bounds the delivery delay of an event */
#define LOST_CHECK_NS 1000000000ull /* how often the lost counter is read */
#define MAX_PROGS 16

struct run {
	const struct tt_probe *p;
	struct tt_opts *o;
	struct tt_priv_ctx priv; /* what the privilege table reads */
	struct tt_skel *skel;
	const struct tt_plan *plan;
	int next_plan; /* where choose_plan() goes on from */
	unsigned prog_mask; /* bit i: plan->progs[i] is loaded on this kernel */
	struct bpf_link *links[MAX_PROGS];
	int nlinks;
	struct ring_buffer *rb;
	struct tt_writer w;
	struct tt_sink sink; /* stdout in whole lines: w.out writes into it */
	FILE *out;
	struct tt_clock clock;
	int cgroup_fd;
	struct btf *vmlinux;	/* parsed kernel BTF, until the load */
	int core_btf_fd;	/* memfd: the BTF CO-RE relocates against, or -1 */
	char core_btf_path[32];
	/* classic tracepoints of the loaded programs and their ids */
	struct {
		const char *tp;
		int id;
		int pfd; /* check_perf_event()'s perf event, for attach_tracepoint(); or -1 */
	} tps[MAX_PROGS];
	int ntps;
	bool out_closed; /* stdout went away: stop quietly */
	bool out_failed; /* a real write error */
	int out_errno;
	uint64_t lost_reported;
	struct tt_enrich_stage enrich;
	/* -v: the milliseconds of each setup phase, said at "attached" */
	uint64_t phase_ns;
	char phases[320];
	size_t phases_len;
	/* -c: rows collected at exit (kernel counts) or from each event (user_count) */
	struct tt_counts counts;
	bool user_count; /* -c with enrichment: events stream and are counted here */
};

/* The last stop signal, and how many came (core/sink.c gives up at two). */
static volatile sig_atomic_t stop_signal, stop_signals;

static void on_signal(int sig)
{
	stop_signal = sig;
	if (stop_signals < 2)
		stop_signals++;
}

static int verbose_level;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && verbose_level < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* -v: the phase of setup that ends now, and how long it took since the last. */
static void phase(struct run *r, const char *name)
{
	uint64_t now = tt_now_ns();
	size_t n = r->phases_len;

	if (r->o->verbose && n < sizeof(r->phases))
		r->phases_len += (size_t)snprintf(r->phases + n, sizeof(r->phases) - n, "%s%s %.1f",
						  n ? ", " : "", name,
						  (double)(now - r->phase_ns) / 1e6);
	r->phase_ns = now;
}

/* Finds a variable of .rodata by name through the object's BTF. */
static void *rodata_var(struct bpf_object *obj, const char *name, size_t size)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map = bpf_object__find_map_by_name(obj, ".rodata");
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t map_size;
	char *data;
	int id, i;

	if (!btf || !map)
		return NULL;
	data = (char *)bpf_map__initial_value(map, &map_size);
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (!data || id <= 0)
		return NULL;
	sec = btf__type_by_id(btf, (__u32)id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, var->name_off), name)) {
			if (vs->size != size || vs->offset + size > map_size)
				return NULL;
			return data + vs->offset;
		}
	}
	return NULL;
}

static bool plan_loads(const struct run *r, const char *prog)
{
	int i;

	for (i = 0; r->plan->progs[i]; i++)
		if (!strcmp(r->plan->progs[i], prog))
			return r->prog_mask & (1u << i);
	return false;
}

/* The plan's programs this kernel gets: all, unless plan->fits leaves some out. */
static int select_progs(const struct tt_plan *plan, const struct btf *vmlinux, unsigned *mask)
{
	int i, fit;

	*mask = 0;
	for (i = 0; plan->progs[i]; i++) {
		if (i == MAX_PROGS)
			return -E2BIG;
		fit = plan->fits ? plan->fits(vmlinux, plan->progs[i]) : 1;
		if (fit < 0)
			return fit;
		if (fit)
			*mask |= 1u << i;
	}
	return 0;
}

/* -v: the programs chosen, when the kernel's BTF chose among them. */
static void print_progs(const struct run *r)
{
	int i;
	bool first = true;

	if (!r->o->verbose || !r->plan->fits)
		return;
	fprintf(stderr, TT_PROG ": %s: programs for this kernel:", r->o->mode);
	for (i = 0; r->plan->progs[i]; i++)
		if (r->prog_mask & (1u << i)) {
			fprintf(stderr, "%s %s", first ? "" : ",", r->plan->progs[i]);
			first = false;
		}
	fputc('\n', stderr);
}

/* What to say after "--attach=X: this kernel does not support it (why)". */
static const char *unsupported_hint(enum tt_attach a, int err)
{
	if (a == TT_ATTACH_KPROBE && err == -EOPNOTSUPP)
		return "; it was built without CONFIG_KPROBES";
#ifdef __aarch64__
	/*
	 * arm64 attaches BPF trampolines to kernel functions through ftrace
	 * direct calls (commit 2aa6ac03516d, v6.4): before, and in kernels
	 * without CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, the attach fails
	 * with ENOTSUPP (measured on Debian 12's 6.1).
	 */
	if (a == TT_ATTACH_FENTRY && err == -TT_ENOTSUPP)
		return "; arm64 kernels attach it to kernel functions from Linux 6.4, with "
		       "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS; try --attach=auto";
#endif
	return "; try --attach=auto";
}

/*
 * The first plan from r->next_plan on that the kernel takes (feature
 * probes); load_and_attach() comes back for the next one where the kernel
 * refuses a core program of this one.
 */
static int choose_plan(struct run *r, const struct btf *vmlinux, bool report)
{
	const struct tt_probe *p = r->p;
	const struct tt_plan *first = NULL;
	int i, err = -ENOENT, first_err = 0;
	bool refused = false;
	char why[256] = "";
	size_t used = 0;

	for (i = r->next_plan; i < p->nplans; i++) {
		const struct tt_plan *plan = &p->plans[i];

		if (r->o->attach != TT_ATTACH_AUTO && plan->method != r->o->attach)
			continue;
		err = tt_probe_plan(vmlinux, plan);
		if (!err)
			err = select_progs(plan, vmlinux, &r->prog_mask);
		if (r->o->verbose)
			fprintf(stderr, TT_PROG ": %s: probe %s (%s): %s\n", r->o->mode,
				tt_attach_name(plan->method), plan->what,
				err ? tt_strerror(err) : "ok");
		if (!err) {
			r->plan = plan;
			r->next_plan = i + 1;
			r->priv.plan = plan;
			print_progs(r);
			return 0;
		}
		if (!first_err) {
			first_err = err;
			first = plan;
		}
		refused |= err == -EPERM || err == -EACCES;
		if (used < sizeof(why))
			used += (size_t)snprintf(why + used, sizeof(why) - used, "%s%s: %s",
						 used ? "; " : "", tt_attach_name(plan->method),
						 tt_strerror(err));
	}
	if (!report)
		return -1;
	if (r->o->attach != TT_ATTACH_AUTO) {
		struct tt_priv_ctx c = r->priv;
		char what[64];

		snprintf(what, sizeof(what), "--attach=%s", tt_attach_name(r->o->attach));
		if (first_err == -EPERM || first_err == -EACCES) {
			/* refused, not unsupported: name what the plan needs (privs.def) */
			c.plan = first;
			tt_priv_err_run(&c, what, first_err);
			return -1;
		}
		tt_errf("%s: this kernel does not support it (%s)%s", what,
			tt_strerror(first_err ? first_err : err),
			unsupported_hint(r->o->attach, first_err ? first_err : err));
	} else {
		char sec[192] = "";

		/* privilege was probed before: a refusal is the host's policy */
		if (refused)
			tt_security_read(sec, sizeof(sec));
		tt_errf("no attach method works on this kernel (%s)%s%s%s", why,
			refused ? "; a security policy refuses some program types" : "",
			sec[0] ? ": " : "", sec);
	}
	return -1;
}

static int open_cgroup(struct run *r)
{
	struct statfs st;

	r->cgroup_fd = -1;
	if (!r->o->cgroup)
		return 0;
	r->cgroup_fd = open(r->o->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->cgroup_fd < 0 || fstatfs(r->cgroup_fd, &st) || st.f_type != CGROUP2_SUPER_MAGIC) {
		int err = r->cgroup_fd < 0 ? errno : ENOTDIR;

		tt_usage(r->o, "--cgroup: '%s' is not a cgroup v2 directory: %s", r->o->cgroup,
			 err == ENOTDIR ? "not on cgroup2" : strerror(err));
	}
	r->o->cfg.filter_cgroup = 1;
	return 0;
}

static int configure(struct run *r)
{
	struct bpf_object *obj = r->skel->obj;
	struct tt_config *cfg = rodata_var(obj, "tt_cfg", sizeof(*cfg));
	uint8_t *lports = rodata_var(obj, "tt_lports", TT_PORT_BITMAP_BYTES);
	uint8_t *rports = rodata_var(obj, "tt_rports", TT_PORT_BITMAP_BYTES);
	struct bpf_map *events = bpf_object__find_map_by_name(obj, "events");
	struct bpf_program *prog;
	int err;

	if (!cfg || !lports || !rports || !events) {
		tt_errf("%s: BPF object lacks the common configuration", r->o->mode);
		return -1;
	}
	r->o->cfg.count_mode = r->o->count && !r->user_count;
	r->o->cfg.count_fields = (uint8_t)r->p->count_fields;
	if (r->o->buffer_kb && bpf_map__set_max_entries(events, r->o->buffer_kb * 1024)) {
		tt_err("sizing the ring buffer", -errno);
		return -1;
	}
	err = tt_size_maps(obj, r->p, r->plan, r->o);
	if (err) {
		tt_err("sizing the maps", err);
		return -1;
	}
	r->o->cfg.wakeup_bytes = bpf_map__max_entries(events) / 4;
	*cfg = r->o->cfg;
	memcpy(lports, r->o->lports, TT_PORT_BITMAP_BYTES);
	memcpy(rports, r->o->rports, TT_PORT_BITMAP_BYTES);

	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, plan_loads(r, bpf_program__name(prog)));
	return 0;
}

/*
 * The programs the kernel refuses, by their roles (core/roles.c). A refused
 * core program fails its plan: with --attach=auto the next plan the kernel
 * takes is tried; else, or with none left, the run fails naming it.
 */
static int apply_roles(struct run *r)
{
	struct tt_roles_result res;
	char sec[192];
	int err;

	for (;;) {
		err = tt_roles_apply(r->skel->obj, r->p->roles, r->p->nroles, r->vmlinux, &r->w,
				     r->o->mode, r->o->verbose, &res);
		if (!err)
			return 0;
		if (!res.refused) {
			tt_err("checking the BPF programs", err);
			return -1;
		}
		if (r->o->verbose)
			fprintf(stderr, TT_PROG ": %s: %s (%s) refused by the kernel (%s)\n",
				r->o->mode, res.refused, res.sec, res.words);
		if (r->o->attach != TT_ATTACH_AUTO || choose_plan(r, r->vmlinux, false))
			break;
		if (configure(r))
			return -1;
	}
	tt_security_read(sec, sizeof(sec));
	tt_errf("%s: %s (%s) refused by the kernel (%s) although the capabilities it needs are "
		"held: a security policy refuses this program type%s%s%s",
		r->o->mode, res.refused, res.sec, res.words, sec[0] ? " (" : "", sec,
		sec[0] ? ")" : "");
	return -1;
}

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
 * read, core/tracefs.c, or perf_event_open(2) is refused), each of their
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
static int resolve_tracepoints(struct run *r)
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

/* An iterator is not a hook: it runs once, at exit (see read_exit_events). */
static bool is_exit_iter(const struct bpf_program *prog)
{
	return !strncmp(bpf_program__section_name(prog), "iter/", 5);
}

/* Nor is the program user space runs per entry where iterators are refused. */
static bool is_exit_run(const struct run *r, const struct bpf_program *prog)
{
	return r->p->exit_run && !strcmp(bpf_program__name(prog), r->p->exit_run);
}

static bool is_exit_prog(const struct run *r, const struct bpf_program *prog)
{
	return is_exit_iter(prog) || is_exit_run(r, prog);
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

static int attach_all(struct run *r)
{
	const char *const (*also)[2] = r->p->also_attach;
	struct bpf_program *prog;
	struct bpf_link *link;
	const char *tp;

	bpf_object__for_each_program(prog, r->skel->obj) {
		if (!bpf_program__autoload(prog) || is_exit_prog(r, prog))
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

/* Writes what the writers produced; blocks while the reader does not read. */
static void check_output(struct run *r)
{
	if (!r->out || !tt_sink_flush(&r->sink, r->out))
		return;
	/* given up on (abandoned): the rest is counted, and the run ends */
	if (r->sink.closed) {
		r->out_closed = true;
	} else if (r->sink.err && !r->out_failed) {
		r->out_failed = true;
		r->out_errno = r->sink.err;
	}
}

/* A pipe whose reader went away reports POLLERR on our end. */
static void check_stdout_closed(struct run *r)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		r->out_closed = true;
}

/* -c with enrichment: the event's row, keyed by its enriched count columns too. */
static void count_event(struct run *r, const struct tt_src *src)
{
	struct tt_val vals[TT_MAX_COLS];
	struct tt_count_key key;
	int i;

	for (i = 0; i < r->p->ncount_cols && i < TT_MAX_COLS; i++)
		if (tt_field_enriched(r->p->count_cols[i].field))
			tt_field_format(r->p->count_cols[i].field, src, &r->clock, &vals[i]);
	tt_count_key_of(src->e, r->p->count_fields, &key);
	tt_counts_add(&r->counts, &key, vals, 1);
}

/* One event: enriched, maybe dropped by a user-space filter, written or counted. */
static void handle_event(struct run *r, const struct tt_event *e)
{
	struct tt_event copy;
	struct tt_extra x;
	struct tt_src src = { .e = e, .x = &x };

	if (tt_enrich_active(&r->enrich)) {
		/* enrichers and count keys compare whole addresses (core.h) */
		copy = *e;
		tt_addr_normalize(copy.family, copy.laddr);
		tt_addr_normalize(copy.family, copy.raddr);
		src.e = e = &copy;
	}
	if (!tt_enrich_event(&r->enrich, e, &x))
		return;
	if (r->user_count)
		count_event(r, &src);
	else
		tt_write_src(&r->w, &src, &r->clock);
}

/* Every ring-buffer record starts with its type (include/tcptrace/event.h). */
static int on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	uint8_t type;

	if (size < 1)
		return 0;
	type = *(const uint8_t *)data;
	if (type >= TT_REC_ENRICH)
		tt_enrich_record(&r->enrich, data, size);
	else if (size >= sizeof(struct tt_event))
		handle_event(r, data);
	return 0;
}

/* The exit map's records as a stream: an iterator over it, its link in *link. */
static int exit_iter_open(struct run *r, struct bpf_program *prog, struct bpf_link **link)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, r->p->exit_map);
	DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts);
	union bpf_iter_link_info info = {};
	int fd;

	if (!map)
		return -ENOENT;
	info.map.map_fd = bpf_map__fd(map);
	opts.link_info = &info;
	opts.link_info_len = sizeof(info);
	*link = bpf_program__attach_iter(prog, &opts);
	if (!*link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(*link));
	if (fd < 0) {
		fd = -errno;
		bpf_link__destroy(*link);
		*link = NULL;
	}
	return fd;
}

/* Every record the exit iterator prog writes, to fn. */
static int read_exit_iter(struct run *r, struct bpf_program *prog,
			  void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_link *link;
	struct tt_event e;
	size_t have = 0;
	ssize_t n;
	int fd = exit_iter_open(r, prog, &link);

	if (fd < 0)
		return fd;
	/* The iterator's output is a stream: records may span reads. */
	while ((n = read(fd, (char *)&e + have, sizeof(e) - have)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		have += (size_t)n;
		if (have == sizeof(e)) {
			fn(r, &e);
			have = 0;
		}
	}
	close(fd);
	bpf_link__destroy(link);
	return n < 0 ? -errno : 0;
}

#define EXIT_KEY_MAX 64

/*
 * One run of p->exit_run for an entry's key (BPF_PROG_TEST_RUN): 1 with its
 * record in *e (read back from the map "exit_event"), 0 for none, or -errno.
 */
static int exit_run_once(struct run *r, struct bpf_program *prog, const void *key, size_t size,
			 struct tt_event *e)
{
	struct bpf_map *out = bpf_object__find_map_by_name(r->skel->obj, "exit_event");
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = key, .ctx_size_in = (__u32)size);
	uint32_t zero = 0;

	if (!out)
		return -ENOENT;
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return -errno;
	if (opts.retval != 1)
		return 0;
	return bpf_map_lookup_elem(bpf_map__fd(out), &zero, e) ? -errno : 1;
}

/*
 * Where the kernel refuses iterators: the exit map's keys read here, and
 * prog run once per key: the same records from the same code (the socket
 * behind each entry decides, never the entry alone).
 */
static int read_exit_runs(struct run *r, struct bpf_program *prog,
			  void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, r->p->exit_map);
	unsigned char key[EXIT_KEY_MAX], next[EXIT_KEY_MAX];
	size_t size = map ? bpf_map__key_size(map) : 0;
	struct tt_event e;
	void *prev = NULL;
	int err;

	/* a raw_tp program's arguments are u64s */
	if (!size || size > EXIT_KEY_MAX || size % 8)
		return -EINVAL;
	while (!bpf_map_get_next_key(bpf_map__fd(map), prev, next)) {
		err = exit_run_once(r, prog, next, size, &e);
		if (err < 0)
			return err;
		if (err)
			fn(r, &e);
		memcpy(key, next, size);
		prev = key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * The mode's records at exit (connect -O: attempts still pending), once the
 * hooks are detached, through the iterator over p->exit_map, or where the
 * kernel refused it its alternative p->exit_run; each record to fn.
 */
static int read_exit_events(struct run *r, void (*fn)(struct run *r, const struct tt_event *e))
{
	struct bpf_program *prog;
	int err = 0, e;

	if (!r->p->exit_map)
		return 0;
	bpf_object__for_each_program(prog, r->skel->obj) {
		if (!bpf_program__autoload(prog) || !is_exit_prog(r, prog))
			continue;
		if (r->o->verbose)
			fprintf(stderr, TT_PROG ": %s: at exit: %s over %s (%s)\n", r->o->mode,
				is_exit_iter(prog) ? "a BPF iterator" : "one program run per entry",
				r->p->exit_map, bpf_program__name(prog));
		e = is_exit_iter(prog) ? read_exit_iter(r, prog, fn) : read_exit_runs(r, prog, fn);
		if (e) {
			tt_err("reading what is pending at exit", e);
			err = e;
		}
	}
	return err;
}

/* The exit program tried once (the iterator created, a run for no entry): 0 or -errno. */
static int try_exit_prog(struct run *r, struct bpf_program *prog)
{
	unsigned char key[EXIT_KEY_MAX] = { 0 };
	struct bpf_link *link;
	struct tt_event e;
	int fd;

	if (is_exit_run(r, prog)) {
		fd = exit_run_once(r, prog, key, 8, &e);
		return fd < 0 ? fd : 0;
	}
	fd = exit_iter_open(r, prog, &link);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	close(fd);
	bpf_link__destroy(link);
	return 0;
}

static uint64_t percpu_sum(struct run *r, const char *name)
{
	return tt_map_percpu_sum(bpf_object__find_map_by_name(r->skel->obj, name));
}

static uint64_t read_lost(struct run *r)
{
	return percpu_sum(r, "lost");
}

static void report_lost(struct run *r)
{
	uint64_t lost = read_lost(r);

	if (lost > r->lost_reported) {
		tt_write_lost(&r->w, lost - r->lost_reported);
		r->lost_reported = lost;
	}
}

#define NESTED_SUFFIX "_nested"

static bool is_nested(const char *name)
{
	size_t n = strlen(name), k = strlen(NESTED_SUFFIX);

	return n > k && !strcmp(name + n - k, NESTED_SUFFIX);
}

/*
 * Runs of the tracer's programs that the kernel skipped because a BPF
 * program was already running on that CPU: bpf_prog_info.recursion_misses.
 * The kernel counts them for fentry/fexit since v5.12 and for tp_btf and
 * raw_tp since v6.1 (both per program), for kprobes and classic tracepoints
 * (which it skips while any kprobe or tracepoint program runs on the CPU)
 * only since v6.7; before that those skips are invisible.
 *
 * A program named <prog>_nested is a second program on <prog>'s hook that
 * handles what the kernel skipped <prog> for (life.bpf.c), counting them in
 * the per-CPU map "recovered": those skips are not losses. Its own skips are
 * not counted: either <prog> ran for that hit, or <prog> was skipped too and
 * the hit is counted there, not recovered. With -v each program's count is
 * printed.
 */
static uint64_t read_missed(struct run *r)
{
	struct bpf_program *prog;
	uint64_t sum = 0, recovered = percpu_sum(r, "recovered");

	bpf_object__for_each_program(prog, r->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		const char *name = bpf_program__name(prog);
		int fd = bpf_program__fd(prog);

		if (!bpf_program__autoload(prog) || fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		if (r->o->verbose && info.recursion_misses)
			fprintf(stderr, TT_PROG ": %s: %s: skipped %llu times (recursion)\n",
				r->o->mode, name, (unsigned long long)info.recursion_misses);
		if (!is_nested(name))
			sum += info.recursion_misses;
	}
	if (r->o->verbose && recovered)
		fprintf(stderr, TT_PROG ": %s: %llu of those runs handled by the nested programs\n",
			r->o->mode, (unsigned long long)recovered);
	return sum > recovered ? sum - recovered : 0;
}

/* An exit event in count mode: counted like the kernel counts (tt_count). */
static void count_exit_event(struct run *r, const struct tt_event *e)
{
	struct tt_count_key key;

	tt_count_key_of(e, r->p->count_fields, &key);
	tt_counts_add(&r->counts, &key, NULL, 1);
}

/* An exit event (read_exit_events): like any other, or into the kernel's counts. */
static void exit_event(struct run *r, const struct tt_event *e)
{
	if (r->o->count && !r->user_count)
		count_exit_event(r, e);
	else
		handle_event(r, e);
}

/* The kernel's "counts" map into the rows (kernel count mode). */
static void collect_kernel_counts(struct run *r)
{
	struct bpf_map *map = bpf_object__find_map_by_name(r->skel->obj, "counts");
	struct tt_count_key key, next, *prev = NULL;
	int fd = bpf_map__fd(map);
	uint64_t count;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &count))
			tt_counts_add(&r->counts, &next, NULL, count);
		key = next;
		prev = &key;
	}
}

static int print_counts(struct run *r)
{
	struct tt_counts *c = &r->counts;
	size_t i;

	if (!r->user_count)
		collect_kernel_counts(r);
	if (c->failed)
		return -ENOMEM;
	tt_counts_sort(c);
	r->w.cols = r->p->count_cols;
	r->w.ncols = r->p->ncount_cols;
	tt_write_header(&r->w);
	for (i = 0; i < c->n; i++) {
		const struct tt_count_row *row = &c->rows[i];
		struct tt_event e = { .family = row->key.family,
				      .lport = row->key.lport,
				      .rport = row->key.rport };
		struct tt_src src = { .e = &e, .count = row->count, .pre = row->vals };

		e.err = row->key.result;
		e.flags = r->p->count_fields & TT_COUNT_RESULT ? TT_EVF_OUTCOME : 0;
		memcpy(e.laddr, row->key.laddr, sizeof(e.laddr));
		memcpy(e.raddr, row->key.raddr, sizeof(e.raddr));
		tt_write_src(&r->w, &src, &r->clock);
	}
	if (c->dropped)
		tt_warn(&r->w, r->o->mode, "-c", "%llu events not counted: more than %d rows",
			(unsigned long long)c->dropped, TT_COUNT_ROWS_MAX);
	return 0;
}

static int poll_loop(struct run *r)
{
	uint64_t start = tt_now_ns(), last_lost = start, deadline = 0;
	int err;

	if (r->o->duration > 0)
		deadline = start + (uint64_t)(r->o->duration * 1e9);
	while (!stop_signal && !r->out_closed && !r->out_failed) {
		uint64_t now;

		if (r->rb) {
			err = ring_buffer__poll(r->rb, POLL_MS);
			/* Without per-event wake-ups most data is found here. */
			if (err >= 0)
				err = ring_buffer__consume(r->rb);
			if (err < 0 && err != -EINTR) {
				tt_err("reading events", err);
				return err;
			}
		} else {
			struct timespec ts = { 0, POLL_MS * 1000000L };

			nanosleep(&ts, NULL);
		}
		now = tt_now_ns();
		if (now - last_lost >= LOST_CHECK_NS) {
			report_lost(r);
			last_lost = now;
		}
		check_output(r);
		if (!r->out_closed)
			check_stdout_closed(r);
		if (deadline && now >= deadline)
			break;
	}
	return 0;
}

static void detach_all(struct run *r)
{
	int i;

	for (i = 0; i < r->nlinks; i++)
		bpf_link__destroy(r->links[i]);
	r->nlinks = 0;
}

static void teardown(struct run *r)
{
	int i;

	check_output(r); /* what an early failure had to say (warnings) */
	tt_sink_close(&r->sink, r->out);
	r->out = NULL;
	detach_all(r);
	for (i = 0; i < r->ntps; i++)
		if (r->tps[i].pfd >= 0)
			close(r->tps[i].pfd);
	r->ntps = 0;
	tt_enrich_detach(&r->enrich);
	ring_buffer__free(r->rb);
	r->rb = NULL;
	if (r->skel)
		r->p->destroy(r->skel);
	r->skel = NULL;
	if (r->cgroup_fd >= 0)
		close(r->cgroup_fd);
	if (r->o->btf)
		btf__free(r->vmlinux);
	r->vmlinux = NULL;
	tt_vmlinux_btf_handoff(NULL);
	if (r->core_btf_fd >= 0)
		close(r->core_btf_fd);
	r->core_btf_fd = -1;
	tt_enrich_fini(&r->enrich);
	tt_counts_free(&r->counts);
}

/*
 * Without SA_RESTART: a signal interrupts epoll_wait(2), and a write(2) to a
 * reader that stopped reading (core/sink.c decides whether to go on).
 */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/*
 * CO-RE relocates against a minimised copy of the kernel's BTF (see
 * core/btfmin.c): libbpf reads it from a path given when the object is
 * opened, and it can only be built once the object's own BTF is known. So
 * the path is a memfd, created here and filled in by write_core_btf().
 * Without /proc (or memfd_create(), v3.17), libbpf uses the whole BTF.
 */
static const char *core_btf_path(struct run *r)
{
	r->core_btf_fd = memfd_create("tcptrace-core-btf", MFD_CLOEXEC);
	if (r->core_btf_fd < 0)
		return r->o->btf;
	snprintf(r->core_btf_path, sizeof(r->core_btf_path), "/proc/self/fd/%d",
		 r->core_btf_fd);
	if (access(r->core_btf_path, R_OK)) {
		close(r->core_btf_fd);
		r->core_btf_fd = -1;
		return r->o->btf;
	}
	return r->core_btf_path;
}

/*
 * The ids of the kernel types the probes cast addresses to with
 * bpf_rdonly_cast() (probes/common.bpf.h), where the kernel has it (v6.2)
 * and the BTF is the running kernel's own (not --btf). Otherwise tt_ids
 * stays 0 and the probes read through bpf_probe_read_kernel().
 */
static void set_btf_ids(struct run *r, const struct tt_btf_query *q)
{
	struct tt_btf_ids *ids = rodata_var(r->skel->obj, "tt_ids", sizeof(*ids));

	/* q[3], tcp_sock, is optional: an object may never name it */
	if (!ids || r->o->btf || !q[0].id || !q[1].id || !q[2].id || !q[4].id)
		return;
	if (btf__find_by_name_kind(r->vmlinux, TT_KFUNC_RDONLY_CAST, BTF_KIND_FUNC) <= 0)
		return;
	*ids = (struct tt_btf_ids){ q[0].id, q[1].id, q[2].id, q[3].id, q[4].id, 0 };
	if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: sockets found by address read directly "
			"(bpf_rdonly_cast)\n", r->o->mode);
}

static int write_core_btf(struct run *r)
{
	const struct btf *local = bpf_object__btf(r->skel->obj);
	struct tt_btf_query q[] = {
		{ "file", BTF_KIND_STRUCT, 0 },
		{ "socket", BTF_KIND_STRUCT, 0 },
		{ "sock", BTF_KIND_STRUCT, 0 },
		{ "tcp_sock", BTF_KIND_STRUCT, 0 },
		{ "task_struct", BTF_KIND_STRUCT, 0 },
	};
	unsigned kept = 0;
	size_t size = 0;
	void *min = NULL;
	const void *data;
	int err;

	if (r->core_btf_fd < 0)
		return 0;
	if (local)
		min = tt_btf_min_core(r->vmlinux, local, &size, &kept, q, 5);
	if (min)
		set_btf_ids(r, q);
	data = min;
	if (!min) {
		/* whatever went wrong, the whole BTF still works */
		__u32 full;

		data = btf__raw_data(r->vmlinux, &full);
		size = full;
	}
	err = data ? tt_write_all(r->core_btf_fd, data, size) : -ENOMEM;
	if (err)
		tt_err("writing the kernel BTF for CO-RE to a memfd", err);
	else if (r->o->verbose)
		fprintf(stderr, TT_PROG ": %s: CO-RE relocations against %u of the kernel's %u "
			"BTF types\n", r->o->mode, min ? kept : btf__type_cnt(r->vmlinux) - 1,
			btf__type_cnt(r->vmlinux) - 1);
	free(min);
	return err;
}

static int load_and_attach(struct run *r)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	int err;

	open_opts.btf_custom_path = core_btf_path(r);
	r->skel = r->p->open(&open_opts);
	phase(r, "open");
	if (!r->skel) {
		tt_err("opening BPF object", -errno);
		return -1;
	}
	if (configure(r) || apply_roles(r))
		return -1;
	phase(r, "roles");
	if (r->p->exit_run) {
		struct bpf_program *run = bpf_object__find_program_by_name(r->skel->obj,
									   r->p->exit_run);

		r->priv.exit_runs = run && bpf_program__autoload(run);
	}
	if (write_core_btf(r))
		return -1;
	phase(r, "core-btf");
	if (resolve_tracepoints(r))
		return -1;
	phase(r, "tracepoints");
	err = bpf_object__load(r->skel->obj);
	/* libbpf took the kernel's BTF for attach targets (and freed it), or
	 * needed none: either way it is not needed any more. */
	if (r->o->btf)
		btf__free(r->vmlinux);
	else
		tt_vmlinux_btf_handoff(NULL);
	r->vmlinux = NULL;
	if (r->core_btf_fd >= 0)
		close(r->core_btf_fd);
	r->core_btf_fd = -1;
	tt_vmlinux_btf_trim();
	phase(r, "load");
	if (err == -EACCES) {
		/* Privilege was probed before: this is the verifier's answer. */
		tt_errf("%s: loading BPF programs: the kernel's verifier rejected them (%s; -v "
			"shows its log)", r->o->mode, tt_strerror(err));
		return -1;
	}
	if (err) {
		tt_priv_err_run(&r->priv, "loading BPF programs", err);
		return -1;
	}
	if (r->cgroup_fd >= 0) {
		struct bpf_map *cg = bpf_object__find_map_by_name(r->skel->obj, "cgroup_map");
		uint32_t zero = 0;

		if (bpf_map_update_elem(bpf_map__fd(cg), &zero, &r->cgroup_fd, BPF_ANY)) {
			tt_priv_err_run(&r->priv, "setting the cgroup filter", -errno);
			return -1;
		}
	}
	if (attach_all(r))
		return -1;
	phase(r, "attach");
	if (tt_enrich_attach(&r->enrich, r->skel->obj,
			     bpf_map__fd(bpf_object__find_map_by_name(r->skel->obj, "events"))))
		return -1;
	phase(r, "enrichers' objects");
	/* Kernel count mode reads only the "counts" map, at exit. */
	if (!r->o->cfg.count_mode) {
		struct bpf_map *events = bpf_object__find_map_by_name(r->skel->obj, "events");

		r->rb = ring_buffer__new(bpf_map__fd(events), on_event, r, NULL);
		if (!r->rb) {
			tt_err("creating the ring buffer", -errno);
			return -1;
		}
	}
	return 0;
}

/* Why --btf FILE could not be parsed (btf__parse()'s errno), in words. */
static const char *btf_file_error(const char *path, int err)
{
	struct stat st;

	if (stat(path, &st))
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return strerror(EISDIR);
	if (err == LIBBPF_ERRNO__FORMAT)
		return "not a valid BTF file (neither raw BTF nor an ELF file)";
	if (err == ENOENT || err == ENODATA)
		return "not a valid BTF file (an ELF file without a .BTF section)";
	if (err == EINVAL || err == EIO || err == EPROTO || err == E2BIG)
		return "not a valid BTF file (corrupted or truncated)";
	return tt_strerror(err);
}

/*
 * What the rest of the run asks of the kernel, tried once after setup
 * (core/privs.c drops the capabilities it does without): the lost counter,
 * a program's info, the counts and the exit iterator where they are used.
 */
static int steady_probe(void *arg)
{
	struct run *r = arg;
	struct bpf_map *lost = bpf_object__find_map_by_name(r->skel->obj, "lost");
	struct bpf_map *counts = bpf_object__find_map_by_name(r->skel->obj, "counts");
	int ncpu = libbpf_num_possible_cpus();
	struct tt_count_key key;
	struct bpf_program *prog;
	uint64_t *vals;
	uint32_t zero = 0;
	int err = 0;

	vals = calloc(ncpu > 0 ? (size_t)ncpu : 1, sizeof(*vals));
	if (lost && vals && bpf_map_lookup_elem(bpf_map__fd(lost), &zero, vals))
		err = -errno;
	free(vals);
	if (!err && r->o->count && counts &&
	    bpf_map_get_next_key(bpf_map__fd(counts), NULL, &key) && errno != ENOENT)
		err = -errno;
	bpf_object__for_each_program(prog, r->skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (err || !bpf_program__autoload(prog))
			continue;
		if (is_exit_prog(r, prog)) {
			err = try_exit_prog(r, prog);
			continue;
		}
		memset(&info, 0, sizeof(info));
		if (bpf_program__fd(prog) >= 0 && bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			err = -errno;
	}
	return err;
}

/* After setup: only what the rest of the run needs (core/privs.def). */
static int enter_sandbox(struct run *r)
{
	/* read once, here: the filter has no open(2) (CPUs from sysfs, the
	 * time zone for -T) */
	libbpf_num_possible_cpus();
	tzset();
	return tt_priv_drop(&r->priv, steady_probe, r);
}

int tt_run(const struct tt_probe *p, struct tt_opts *o)
{
	struct run r = { .p = p, .o = o, .cgroup_fd = -1, .core_btf_fd = -1 };
	struct btf *vmlinux;
	uint64_t lost, missed;
	int ret = TT_EXIT_FAIL, err;

	r.priv = (struct tt_priv_ctx){ .o = o, .p = p, .perf_paranoid = tt_priv_perf_paranoid() };
	verbose_level = o->verbose;
	libbpf_set_print(o->verbose ? libbpf_print : quiet_print);
	open_cgroup(&r);
	install_signals();
	tt_clock_init(&r.clock);
	r.out = tt_sink_open(&r.sink, STDOUT_FILENO, &stop_signals);
	if (!r.out) {
		tt_err("buffering the output", -errno);
		return TT_EXIT_FAIL;
	}
	r.w = (struct tt_writer){ .out = r.out, .fmt = o->fmt, .cols = p->cols, .ncols = p->ncols };

	r.phase_ns = tt_now_ns();
	vmlinux = o->btf ? btf__parse(o->btf, NULL) : tt_vmlinux_btf_load();
	phase(&r, "btf");
	if (!vmlinux) {
		err = errno;

		if (o->btf) {
			tt_errf("--btf %s: %s", o->btf, btf_file_error(o->btf, err));
			ret = TT_EXIT_USAGE; /* a bad argument */
		} else {
			tt_errf("kernel BTF not found at /sys/kernel/btf/vmlinux (build the kernel "
				"with CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE)");
		}
		goto out;
	}
	err = tt_probe_privilege();
	if (err) {
		tt_priv_err_run(&r.priv, "loading BPF programs", err);
		btf__free(vmlinux);
		goto out;
	}
	phase(&r, "privilege");
	if (choose_plan(&r, vmlinux, true)) {
		btf__free(vmlinux);
		goto out;
	}
	/* libbpf's load takes it instead of parsing the kernel's BTF again. */
	r.vmlinux = vmlinux;
	if (!o->btf)
		tt_vmlinux_btf_handoff(vmlinux);
	if (o->verbose)
		fprintf(stderr, TT_PROG ": %s: attaching via %s: %s\n", o->mode,
			tt_attach_name(r.plan->method), r.plan->what);
	/* Enrichers set what the probes need (o->cfg) before the load. */
	phase(&r, "plan");
	if (tt_enrich_init(&r.enrich, o, &r.w, NULL, 0))
		goto out;
	phase(&r, "enrichers");
	r.user_count = o->count && tt_enrich_active(&r.enrich);
	tt_counts_init(&r.counts, p->count_cols, p->ncount_cols);
	if (load_and_attach(&r))
		goto out;
	if (!o->no_sandbox && enter_sandbox(&r))
		goto out;
	phase(&r, "sandbox");
	if (o->verbose)
		fprintf(stderr, TT_PROG ": %s: setup in ms: %s\n" TT_PROG ": %s: attached\n", o->mode,
			r.phases, o->mode);
	if (!o->count) {
		tt_write_header(&r.w);
		check_output(&r);
	} else if (o->fmt == TT_FMT_TABLE) {
		fprintf(stderr, "Tracing %s attempts... Ctrl-C to end.\n", o->mode);
	}
	if (poll_loop(&r))
		goto out;
	/* Detach, then drain: nothing is emitted after the last read. */
	detach_all(&r);
	tt_enrich_detach(&r.enrich);
	if (r.rb && !r.out_closed)
		ring_buffer__consume(r.rb);
	if (!r.out_closed)
		read_exit_events(&r, exit_event);
	missed = read_missed(&r);
	if (!r.out_closed) {
		report_lost(&r);
		if (missed)
			tt_write_missed(&r.w, missed);
		tt_enrich_report(&r.enrich, &r.w, o->verbose);
		if (o->count && print_counts(&r))
			tt_err("counting", -ENOMEM);
		check_output(&r);
	}
	lost = read_lost(&r);
	if (lost)
		tt_errf("%s: lost %llu events (ring buffer full)", o->mode,
			(unsigned long long)lost);
	if (missed)
		tt_errf("%s: missed up to %llu events: the kernel skipped the tracer's BPF "
			"programs that many times (recursion)",
			o->mode, (unsigned long long)missed);
	if (r.sink.abandoned)
		tt_errf("%s: output given up at a second signal while its reader did not read: "
			"%llu lines not written", o->mode, (unsigned long long)r.sink.dropped);
	if (r.out_failed)
		tt_err("writing output", r.out_errno);
	else
		ret = TT_EXIT_OK;
out:
	teardown(&r);
	return ret;
}
