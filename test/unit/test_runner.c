// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The runner's pure decisions (core/run/plan.c, core/run/finish.c): which
 * attach plan a kernel gets, forced or auto, and going on to the next one
 * after a refusal; how many skipped runs are reported as missed.
 */
#include <errno.h>

#include <bpf/btf.h>

#include "check.h"
#include "run/run.h"

/* What the stand-in kernel answers for each method. */
static int answer[4];

static int fake_probe(const struct btf *vmlinux, const struct tt_plan *plan)
{
	(void)vmlinux;
	return answer[plan->method];
}

static const char *const progs_a[] = { "a", NULL };
static const char *const progs_b[] = { "b1", "b2", NULL };
static const char *const progs_c[] = { "c", NULL };

/* b2 is left out on this kernel; c's plan cannot work (fits < 0). */
static int fits(const struct btf *vmlinux, const char *prog)
{
	(void)vmlinux;
	if (!strcmp(prog, "b2"))
		return 0;
	return strcmp(prog, "c") ? 1 : -EOPNOTSUPP;
}

static const struct tt_plan plans[] = {
	{ TT_ATTACH_FENTRY, "f", progs_a, "fentry hooks" },
	{ TT_ATTACH_KPROBE, "f", progs_b, "kprobe hooks", fits },
	{ TT_ATTACH_TRACEPOINT, NULL, progs_c, "tracepoint hooks", fits },
};

static struct run run_with(struct tt_opts *o, struct tt_probe *p, enum tt_attach attach)
{
	struct run r = { .p = p, .o = o, .probe_plan = fake_probe };

	tt_opts_init(o, "test");
	o->attach = attach;
	*p = (struct tt_probe){ .plans = plans, .nplans = 3 };
	r.priv = (struct tt_priv_ctx){ .o = o, .p = p };
	return r;
}

static void test_choose_plan(void)
{
	struct tt_opts o;
	struct tt_probe p;
	struct run r;

	/* auto: the first the kernel takes, in order */
	answer[TT_ATTACH_FENTRY] = -EPERM;
	answer[TT_ATTACH_KPROBE] = 0;
	answer[TT_ATTACH_TRACEPOINT] = 0;
	r = run_with(&o, &p, TT_ATTACH_AUTO);
	CHECK(run_choose_plan(&r, NULL, false) == 0);
	CHECK(r.plan == &plans[1]);
	CHECK(r.prog_mask == 1u); /* b1 only */
	CHECK(r.next_plan == 2);
	/* a core program of it refused: the next one, whose fits() says no */
	CHECK(run_choose_plan(&r, NULL, false) == -1);

	/* everything takes fentry: the first */
	answer[TT_ATTACH_FENTRY] = 0;
	r = run_with(&o, &p, TT_ATTACH_AUTO);
	CHECK(run_choose_plan(&r, NULL, false) == 0 && r.plan == &plans[0] && r.prog_mask == 1u);
	CHECK(run_choose_plan(&r, NULL, false) == 0 && r.plan == &plans[1]);

	/* forced: only that method, whatever comes before it */
	r = run_with(&o, &p, TT_ATTACH_KPROBE);
	CHECK(run_choose_plan(&r, NULL, false) == 0 && r.plan == &plans[1]);
	CHECK(run_choose_plan(&r, NULL, false) == -1);
	answer[TT_ATTACH_KPROBE] = -EOPNOTSUPP;
	r = run_with(&o, &p, TT_ATTACH_KPROBE);
	CHECK(run_choose_plan(&r, NULL, false) == -1 && r.plan == NULL);

	/* nothing works */
	answer[TT_ATTACH_FENTRY] = -EPERM;
	r = run_with(&o, &p, TT_ATTACH_AUTO);
	CHECK(run_choose_plan(&r, NULL, false) == -1 && r.plan == NULL);
}

/* A nested twin only where the kernel's BTF says it skips nested runs. */
static void test_nested_twin(void)
{
	static const char *const progs_d[] = { "d", "d_nested", NULL };
	static const struct tt_plan plan_d[] = { { TT_ATTACH_FENTRY, "f", progs_d, "d" } };
	struct btf *k = btf__new_empty();
	struct tt_opts o;
	struct tt_probe p;
	struct run r;

	answer[TT_ATTACH_FENTRY] = 0;
	r = run_with(&o, &p, TT_ATTACH_AUTO);
	p.plans = plan_d;
	p.nplans = 1;
	CHECK(run_choose_plan(&r, k, false) == 0 && r.prog_mask == 1u);
	btf__add_func(k, "bpf_prog_inc_misses_counter", BTF_FUNC_GLOBAL,
		      btf__add_func_proto(k, 0));
	r = run_with(&o, &p, TT_ATTACH_AUTO);
	p.plans = plan_d;
	p.nplans = 1;
	CHECK(run_choose_plan(&r, k, false) == 0 && r.prog_mask == 3u);
	btf__free(k);
}

static void test_missed(void)
{
	const char *names[] = { "tt_life_btf", "tt_life_btf_nested", "tt_accept_exit" };
	uint64_t misses[] = { 10, 7, 3 };

	/* the nested twin's own skips never count; what it recovered is not missed */
	CHECK(run_missed(names, misses, 3, 0) == 13);
	CHECK(run_missed(names, misses, 3, 4) == 9);
	CHECK(run_missed(names, misses, 3, 13) == 0);
	/* more recovered than skipped (counted on other CPUs meanwhile): none */
	CHECK(run_missed(names, misses, 3, 50) == 0);
	CHECK(run_missed(names, misses, 0, 0) == 0);
	/* "_nested" must end the name */
	names[0] = "tt_nested_x";
	CHECK(run_missed(names, misses, 1, 0) == 10);
	names[0] = "_nested";
	CHECK(run_missed(names, misses, 1, 0) == 10);
}

int main(void)
{
	test_choose_plan();
	test_nested_twin();
	test_missed();
	return tt_test_done("test_runner");
}
