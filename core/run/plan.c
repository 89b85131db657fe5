// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The attach plan of a run (feature probes, in order of preference), the
 * .rodata every object starts with, and the programs' roles where the
 * kernel refuses some (core/bpf/roles.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "bpf/roles.h"
#include "run/run.h"

/* Finds a variable of .rodata by name through the object's BTF. */
void *run_rodata_var(struct bpf_object *obj, const char *name, size_t size)
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

	if (run_is_open_name(r, prog) && !r->o->open)
		return false;
	for (i = 0; r->plan->progs[i]; i++)
		if (!strcmp(r->plan->progs[i], prog))
			return r->prog_mask & (1u << i);
	return false;
}

/*
 * The plan's programs this kernel gets: all, unless plan->fits leaves some
 * out, and the nested twins (probes/nested.bpf.h) only where the kernel
 * skips a program nested in itself: elsewhere it runs the outer program
 * nested, and a twin would only cost.
 */
static int select_progs(const struct tt_plan *plan, const struct btf *vmlinux, unsigned *mask)
{
	bool skips_nested = tt_kernel_skips_nested(vmlinux);
	int i, fit;

	*mask = 0;
	for (i = 0; plan->progs[i]; i++) {
		if (i == MAX_PROGS)
			return -E2BIG;
		fit = plan->fits ? plan->fits(vmlinux, plan->progs[i]) : 1;
		if (fit < 0)
			return fit;
		if (fit && (skips_nested || !run_is_nested(plan->progs[i])))
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

/*
 * Why a plan is refused, in words: the mechanism the kernel lacks and the
 * version that brings it (core/bpf/needs.c), with the kernel's error.
 */
static const char *refusal(const struct btf *vmlinux, enum tt_attach a, int err, char *buf,
			   size_t len)
{
	enum tt_need_id need = tt_plan_need(vmlinux, a, err);
	char what[160];

	if (need == TT_NEED_NONE)
		snprintf(buf, len, "%s", tt_strerror(err));
	else
		snprintf(buf, len, "needs %s: %s", tt_need(need, what, sizeof(what)),
			 tt_strerror(err));
	return buf;
}

/*
 * The first plan from r->next_plan on that the kernel takes (feature
 * probes); load_and_attach() comes back for the next one where the kernel
 * refuses a core program of this one.
 */
int run_choose_plan(struct run *r, const struct btf *vmlinux, bool report)
{
	const struct tt_probe *p = r->p;
	const struct tt_plan *first = NULL;
	int i, err = -ENOENT, first_err = 0;
	bool refused = false;
	char why[512] = "", words[256];
	size_t used = 0;

	for (i = r->next_plan; i < p->nplans; i++) {
		const struct tt_plan *plan = &p->plans[i];

		if (r->o->attach != TT_ATTACH_AUTO && plan->method != r->o->attach)
			continue;
		err = r->probe_plan(vmlinux, plan);
		if (!err)
			err = select_progs(plan, vmlinux, &r->prog_mask);
		if (r->o->verbose)
			fprintf(stderr, TT_PROG ": %s: probe %s (%s): %s\n", r->o->mode,
				tt_attach_name(plan->method), plan->what,
				err ? refusal(vmlinux, plan->method, err, words, sizeof(words)) : "ok");
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
						 refusal(vmlinux, plan->method, err, words,
							 sizeof(words)));
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
		tt_errf("%s: this kernel does not support it: %s", what,
			refusal(vmlinux, r->o->attach, first_err ? first_err : err, words,
				sizeof(words)));
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

int run_open_cgroup(struct run *r)
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
		return TT_EXIT_USAGE;
	}
	r->o->cfg.filter_cgroup = 1;
	return 0;
}

int run_configure(struct run *r)
{
	struct bpf_object *obj = r->skel->obj;
	struct tt_config *cfg = run_rodata_var(obj, "tt_cfg", sizeof(*cfg));
	uint8_t *lports = run_rodata_var(obj, "tt_lports", TT_PORT_BITMAP_BYTES);
	uint8_t *rports = run_rodata_var(obj, "tt_rports", TT_PORT_BITMAP_BYTES);
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
 * The programs the kernel refuses, by their roles (core/bpf/roles.c). A refused
 * core program fails its plan: with --attach=auto the next plan the kernel
 * takes is tried; else, or with none left, the run fails naming it.
 */
int run_apply_roles(struct run *r)
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
		if (r->o->attach != TT_ATTACH_AUTO || run_choose_plan(r, r->vmlinux, false))
			break;
		if (run_configure(r))
			return -1;
	}
	tt_security_read(sec, sizeof(sec));
	tt_errf("%s: %s (%s) refused by the kernel (%s) although the capabilities it needs are "
		"held: a security policy refuses this program type%s%s%s",
		r->o->mode, res.refused, res.sec, res.words, sec[0] ? " (" : "", sec,
		sec[0] ? ")" : "");
	return -1;
}
