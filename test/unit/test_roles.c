// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * core/bpf/roles.c and the modes' program tables: TCPTRACE_REFUSE's syntax, the
 * security settings in words, and, for every mode of the registry, its
 * skeleton opened without privilege: every program of the object has a role,
 * and every program or map that a plan, a role, the exit readers or the
 * extra attachments name is in the object (a typo would leave a program
 * silently unloaded).
 */
#include <argp.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "bpf/roles.h"
#include "check.h"
#include "modes.h"

static void test_refuse_listed(void)
{
	CHECK(!tt_refuse_listed(NULL, "tt_a", "iter/bpf_map_elem"));
	CHECK(!tt_refuse_listed("", "tt_a", "iter/bpf_map_elem"));
	CHECK(tt_refuse_listed("tt_a", "tt_a", "raw_tp"));
	CHECK(!tt_refuse_listed("tt_a", "tt_ab", "raw_tp"));
	CHECK(!tt_refuse_listed("tt_ab", "tt_a", "raw_tp"));
	CHECK(tt_refuse_listed("x,tt_a,y", "tt_a", "raw_tp"));
	CHECK(tt_refuse_listed("x,,tt_a", "tt_a", "raw_tp"));
	/* a section prefix ends in '/' */
	CHECK(tt_refuse_listed("iter/", "tt_a", "iter/bpf_map_elem"));
	CHECK(tt_refuse_listed("tt_b,fexit/", "tt_a", "fexit/tcp_v4_connect"));
	CHECK(!tt_refuse_listed("fexit/", "tt_a", "fentry/tcp_v4_connect"));
	CHECK(tt_refuse_listed("fexit/tcp_v4", "tt_a", "fexit/tcp_v4") == false);
	/* no name (a plan's probe): sections only */
	CHECK(!tt_refuse_listed("tt_a", NULL, "raw_tp"));
	CHECK(tt_refuse_listed("kprobe/", NULL, "kprobe/tcp_v4_connect"));
	/* a name is never a section prefix */
	CHECK(!tt_refuse_listed("iter", "tt_a", "iter/bpf_map_elem"));
}

static void test_security_format(void)
{
	char buf[192];

	tt_security_format("none [integrity] confidentiality\n", "lockdown,capability,bpf\n", buf,
			   sizeof(buf));
	CHECK_STR(buf, "lockdown integrity; LSMs lockdown,capability,bpf");
	tt_security_format("[none] integrity confidentiality\n", NULL, buf, sizeof(buf));
	CHECK_STR(buf, "lockdown none");
	tt_security_format(NULL, "capability,apparmor", buf, sizeof(buf));
	CHECK_STR(buf, "LSMs capability,apparmor");
	tt_security_format(NULL, NULL, buf, sizeof(buf));
	CHECK_STR(buf, "");
	/* junk: no brackets, empty brackets, control bytes */
	tt_security_format("none integrity", "\n", buf, sizeof(buf));
	CHECK_STR(buf, "");
	tt_security_format("[]", "a\x01" "b\tc", buf, sizeof(buf));
	CHECK_STR(buf, "LSMs abc");
	/* cut to the buffer, always terminated */
	tt_security_format("none [integrity] confidentiality", "lockdown,capability", buf, 12);
	CHECK_STR(buf, "lockdown in");
}

static struct bpf_program *prog_named(struct bpf_object *obj, const char *name)
{
	return name ? bpf_object__find_program_by_name(obj, name) : NULL;
}

/* Every name in a NULL-terminated list is a program (maps: a map) of obj. */
static void check_names(const char *mode, struct bpf_object *obj, const char *const *names,
			bool maps)
{
	for (; names && *names; names++) {
		bool found = maps ? bpf_object__find_map_by_name(obj, *names) != NULL
				  : prog_named(obj, *names) != NULL;

		if (!found)
			fprintf(stderr, "%s: no %s named %s\n", mode, maps ? "map" : "program", *names);
		CHECK(found);
	}
}

static void check_plans(const char *mode, struct bpf_object *obj, const struct tt_probe *p)
{
	const char *const (*also)[2];
	int i;

	for (i = 0; i < p->nplans; i++) {
		check_names(mode, obj, p->plans[i].progs, false);
		check_names(mode, obj, p->plans[i].idle_maps, true);
	}
	check_names(mode, obj, p->socket_maps, true);
	check_names(mode, obj, p->thread_maps, true);
	for (also = p->also_attach; also && (*also)[0]; also++)
		CHECK(prog_named(obj, (*also)[0]) != NULL);
	if (p->exit_map)
		CHECK(bpf_object__find_map_by_name(obj, p->exit_map) != NULL);
	if (p->exit_run) {
		CHECK(prog_named(obj, p->exit_run) != NULL);
		CHECK(bpf_object__find_map_by_name(obj, "exit_event") != NULL);
	}
}

static void check_roles(const char *mode, struct bpf_object *obj, const struct tt_probe *p)
{
	struct bpf_program *prog;
	int i;

	bpf_object__for_each_program(prog, obj) {
		bool has = tt_role_of(p->roles, p->nroles, bpf_program__name(prog)) != NULL;

		if (!has)
			fprintf(stderr, "%s: program %s has no role\n", mode, bpf_program__name(prog));
		CHECK(has);
	}
	for (i = 0; i < p->nroles; i++) {
		const struct tt_role *r = &p->roles[i];

		if (!prog_named(obj, r->prog))
			fprintf(stderr, "%s: role of %s: no such program\n", mode, r->prog);
		CHECK(prog_named(obj, r->prog) != NULL);
		CHECK(r->feature && r->feature[0]);
		/* an alternative names the program taking over; it is never core-less */
		if (r->kind == TT_ROLE_ALTERNATIVE) {
			CHECK(prog_named(obj, r->instead) != NULL);
			CHECK(strcmp(r->instead, r->prog) != 0);
		}
		if (r->kind == TT_ROLE_OPTIONAL)
			CHECK(r->instead && r->instead[0]);
		if (r->with)
			CHECK(prog_named(obj, r->with) != NULL);
		/* one role per program */
		CHECK(tt_role_of(p->roles, p->nroles, r->prog) == r);
	}
}

/* Options that switch a mode's probe to other plans (cmd/<mode>.c setup). */
static const int plan_keys[] = { 0, 'O' };

static void check_mode(const struct tt_mode *m)
{
	size_t k;

	for (k = 0; k < sizeof(plan_keys) / sizeof(plan_keys[0]); k++) {
		struct argp_state st = { 0 };
		struct tt_probe p = m->probe;
		struct tt_opts o;
		struct tt_skel *skel;

		tt_opts_init(&o, m->name);
		st.input = &o;
		if (plan_keys[k] && m->parser(plan_keys[k], NULL, &st) == ARGP_ERR_UNKNOWN)
			continue;
		if (m->setup)
			m->setup(&o, &p);
		skel = p.open(NULL);
		CHECK(skel != NULL);
		if (!skel)
			continue;
		CHECK(p.roles && p.nroles > 0);
		check_plans(m->name, skel->obj, &p);
		check_roles(m->name, skel->obj, &p);
		p.destroy(skel);
	}
}

#define TT_APPLET(mode, applet, summary) &tt_mode_##mode,
static const struct tt_mode *const modes[] = {
#include "applets.def"
};
#undef TT_APPLET

int main(void)
{
	size_t i;

	libbpf_set_print(NULL);
	test_refuse_listed();
	test_security_format();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		check_mode(modes[i]);
	return tt_test_done("test_roles");
}
