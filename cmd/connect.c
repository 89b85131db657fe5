// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace connect (tcpconnect): active TCP opens, as bcc's tcpconnect shows
 * them: PID COMM IP SADDR DADDR DPORT; with --outcome each attempt once its
 * result is known, adding RESULT and LAT(ms). Hooks: probes/connect.bpf.c.
 */
#include <stdio.h>
#include <string.h>

#include "modes.h"
#include "tcptrace/event.h"
/* The skeleton refers to struct tt_config: include it after event.h. */
#include "connect.skel.h"

TT_SKEL_GLUE(connect)

/* Without -O the state program needs no nested twin (probes/connect.bpf.c). */
static const char *const tp_progs[] = { "tt_connect_state", "tt_connect_exit", NULL };
static const char *const fentry_progs[] = { "tt_connect_v4_fexit", "tt_connect_v6_fexit", NULL };
static const char *const kprobe_progs[] = { "tt_connect_v4_kprobe", "tt_connect_v4_kretprobe",
					    "tt_connect_v6_kprobe", "tt_connect_v6_kretprobe",
					    NULL };

/* Maps only the tracepoint plan uses (the kprobe plan also connect_tid). */
static const char *const fentry_idle_maps[] = { "connecting", "connect_tid", NULL };
static const char *const kprobe_idle_maps[] = { "connecting", NULL };
static const char *const socket_maps[] = { "connecting", NULL };
static const char *const thread_maps[] = { "connect_tid", NULL };

static const struct tt_plan plans[] = {
	{ TT_ATTACH_FENTRY, "tcp_v4_connect", fentry_progs,
	  "fexit tcp_v4_connect, tcp_v6_connect", NULL, fentry_idle_maps },
	{ TT_ATTACH_KPROBE, "tcp_v4_connect", kprobe_progs,
	  "kprobe+kretprobe tcp_v4_connect, tcp_v6_connect", NULL, kprobe_idle_maps },
	{ TT_ATTACH_TRACEPOINT, NULL, tp_progs,
	  "tp_btf/inet_sock_set_state (SYN_SENT) + tracepoint syscalls:sys_exit_connect" },
};

/* --outcome: the same hooks, plus where each attempt ends and the exit iterator. */
static const char *const tp_outcome_progs[] = { "tt_connect_state", "tt_connect_state_nested",
						"tt_connect_exit", "tt_connect_pending", NULL };
static const char *const fentry_outcome_progs[] = { "tt_connect_v4_fexit", "tt_connect_v6_fexit",
						    "tt_connect_btf", "tt_connect_btf_nested",
						    "tt_connect_pending", NULL };
static const char *const kprobe_outcome_progs[] = {
	"tt_connect_v4_kprobe", "tt_connect_v4_kretprobe", "tt_connect_v6_kprobe",
	"tt_connect_v6_kretprobe", "tt_connect_set_state", "tt_connect_pending", NULL
};

/* connect_tid is for the "failed inside connect(2)" check: fexit needs none. */
static const char *const fentry_outcome_idle_maps[] = { "connect_tid", NULL };

static const struct tt_plan outcome_plans[] = {
	{ TT_ATTACH_FENTRY, "tcp_v4_connect", fentry_outcome_progs,
	  "fexit tcp_v4_connect, tcp_v6_connect + tp_btf/inet_sock_set_state (outcomes)", NULL,
	  fentry_outcome_idle_maps },
	{ TT_ATTACH_KPROBE, "tcp_v4_connect", kprobe_outcome_progs,
	  "kprobe+kretprobe tcp_v4_connect, tcp_v6_connect + kprobe tcp_set_state (outcomes)" },
	{ TT_ATTACH_TRACEPOINT, NULL, tp_outcome_progs,
	  "tp_btf/inet_sock_set_state (SYN_SENT and outcomes) + tracepoint "
	  "syscalls:sys_exit_connect" },
};

#define NESTED_WHAT "state changes in softirqs that interrupt the state program (-O)"
#define NESTED_LOSS "their outcomes are lost, counted in the missed events"

/* What each program is for, and what its refusal costs (tcptrace(8)). */
static const struct tt_role roles[] = {
	{ "tt_connect_state", TT_ROLE_CORE, "attempts (tracepoint plan)" },
	{ "tt_connect_state_nested", TT_ROLE_OPTIONAL, NESTED_WHAT, NESTED_LOSS, NULL,
	  "tt_connect_state" },
	{ "tt_connect_exit", TT_ROLE_ALTERNATIVE, "attempts reported at connect(2)'s return",
	  "tt_connect_exit_sysexit", TT_SYSEXIT_COST },
	{ "tt_connect_exit_sysexit", TT_ROLE_CORE, "attempts reported at connect(2)'s return" },
	{ "tt_connect_v4_fexit", TT_ROLE_CORE, "attempts (fentry plan)" },
	{ "tt_connect_v6_fexit", TT_ROLE_CORE, "attempts (fentry plan)" },
	{ "tt_connect_btf", TT_ROLE_CORE, "outcomes (-O, fentry plan)" },
	{ "tt_connect_btf_nested", TT_ROLE_OPTIONAL, NESTED_WHAT, NESTED_LOSS, NULL,
	  "tt_connect_btf" },
	{ "tt_connect_v4_kprobe", TT_ROLE_CORE, "attempts (kprobe plan)" },
	{ "tt_connect_v4_kretprobe", TT_ROLE_CORE, "attempts (kprobe plan)" },
	{ "tt_connect_v6_kprobe", TT_ROLE_CORE, "attempts (kprobe plan)" },
	{ "tt_connect_v6_kretprobe", TT_ROLE_CORE, "attempts (kprobe plan)" },
	{ "tt_connect_set_state", TT_ROLE_CORE, "outcomes (-O, kprobe plan)" },
	{ "tt_connect_pending", TT_ROLE_ALTERNATIVE, "attempts still pending at exit (-O)",
	  "tt_connect_pending_run" },
	{ "tt_connect_pending_run", TT_ROLE_OPTIONAL, "attempts still pending at exit (-O)",
	  "not reported (no RESULT pending)" },
};

/* connect's own options, beyond struct tt_opts. */
static struct {
	bool outcome;
	bool failed;
	double min_latency_ms;
} copts;

#define OPT_FAILED 0x100
#define OPT_MIN_LATENCY 0x101

int tt_connect_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = tt_cols_prefix(o, c), aw = tt_addr_width(o);

	c[n++] = (struct tt_col){ "PID", "pid", TT_F_PID, 7 };
	c[n++] = (struct tt_col){ "COMM", "comm", TT_F_COMM, 12, 12 };
	c[n++] = TT_COL_ENRICH;
	c[n++] = (struct tt_col){ NULL, "uid", TT_F_UID };
	c[n++] = (struct tt_col){ "IP", "family", TT_F_IP, 2 };
	c[n++] = (struct tt_col){ "SADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ o->show_lport ? "LPORT" : NULL, "lport", TT_F_LPORT, 6 };
	c[n++] = (struct tt_col){ "DADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "DPORT", "rport", TT_F_RPORT, 5 };
	if (o->cfg.outcome) {
		c[n++] = (struct tt_col){ "RESULT", "result", TT_F_RESULT, 11 };
		c[n++] = (struct tt_col){ NULL, "errno", TT_F_ERRNO };
		c[n++] = (struct tt_col){ "LAT(ms)", NULL, TT_F_MS, 9, 0, TT_COL_RIGHT };
		c[n++] = (struct tt_col){ NULL, "latency_ns", TT_F_DURATION_NS };
		c[n++] = (struct tt_col){ NULL, "syn_retrans", TT_F_RETRANS_SEGS };
	}
	return n;
}

int tt_connect_count_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0, aw = o->wide ? 39 : 25;

	c[n++] = TT_COL_ENRICH;
	c[n++] = (struct tt_col){ NULL, "family", TT_F_IP };
	c[n++] = (struct tt_col){ "LADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ "RADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "RPORT", "rport", TT_F_RPORT, 6 };
	if (o->cfg.outcome)
		c[n++] = (struct tt_col){ "RESULT", "result", TT_F_RESULT, 11 };
	c[n++] = (struct tt_col){ "CONNECTS", "count", TT_F_COUNT, 8 };
	return n;
}

static const struct argp_option options[] = {
	{ "port", 'P', "PORTS", 0, "Only these destination ports: 80,443 or 8000-8099", 2 },
	{ "lport", 'L', NULL, 0, "Add an LPORT column (the source port)", 1 },
	{ "count", 'c', NULL, 0,
	  "Count connects per source, destination and port (and result with -O); print at exit",
	  1 },
	{ "outcome", 'O', NULL, 0,
	  "Print each attempt when its outcome is known, with RESULT and LAT(ms) (SYN sent to "
	  "established or failed); attempts still pending at exit are printed as pending",
	  1 },
	{ "failed", OPT_FAILED, NULL, 0,
	  "Only attempts that did not succeed (implies -O; includes those pending at exit)", 1 },
	{ "min-latency", OPT_MIN_LATENCY, "MS", 0,
	  "Only attempts that took at least MS milliseconds, e.g. 200 or 0.5 (implies -O)", 1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;

	switch (key) {
	case 'P':
		if (tt_opt_ports(o, "-P", arg, o->rports))
			return TT_USAGE_SAID;
		o->cfg.filter_rports = 1;
		break;
	case 'L':
		o->show_lport = true;
		break;
	case 'c':
		o->count = true;
		break;
	case 'O':
		copts.outcome = true;
		break;
	case OPT_FAILED:
		copts.failed = copts.outcome = true;
		break;
	case OPT_MIN_LATENCY:
		/* Up to a day: anything longer is a typo, not a threshold. */
		if (tt_parse_seconds(arg, &copts.min_latency_ms) || copts.min_latency_ms > 86400000.0)
			return tt_usage(o, "--min-latency: invalid number of milliseconds '%s'", arg);
		copts.outcome = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] = "Trace active TCP connections (connect): one line per attempt that sends a SYN,\n"
	       "with the process that made it; with -O, one line per attempt once it succeeded\n"
	       "or failed (refused, timeout, unreachable, reset, closed, or the errno's name),\n"
	       "including connect() calls that failed before sending a SYN.\n"
	       "\v"
	       "Examples:\n"
	       "  tcptrace connect              # every connect\n"
	       "  tcptrace connect -t -U        # with timestamps and user ids\n"
	       "  tcptrace connect -P 80,443    # only to ports 80 and 443\n"
	       "  tcptrace connect -p 181 -L    # only pid 181, with source ports\n"
	       "  tcptrace connect -c           # count per destination until Ctrl-C\n"
	       "  tcptrace connect -O           # every attempt with its result and latency\n"
	       "  tcptrace connect --failed     # only refused, timed out, unreachable...\n"
	       "  tcptrace connect --min-latency 200   # only handshakes of 200 ms or more\n"
	       "  tcptrace connect -O -c        # count per destination and result\n"
	       "  tcptrace connect --containers -w    # with each process's container and pod\n"
	       "  tcptrace connect --container web    # only the container named web\n"
	       "  tcptrace connect -d           # with the DNS name each address came from\n"
	       "  tcptrace connect -d -c        # count per destination and name\n"
	       "  tcptrace connect --json | jq -c 'select(.rport == 5432)'\n";

/* -O, --failed, --min-latency: outcome hooks, columns and counts. */
static void setup(struct tt_opts *o, struct tt_probe *p)
{
	if (!copts.outcome)
		return;
	o->cfg.outcome = 1;
	o->cfg.failed_only = copts.failed;
	o->cfg.min_latency_ns = (uint64_t)(copts.min_latency_ms * 1e6);
	p->plans = outcome_plans;
	p->count_fields |= TT_COUNT_RESULT;
	p->exit_map = "connecting";
	p->exit_run = "tt_connect_pending_run";
}

const struct tt_mode tt_mode_connect = {
	.name = "connect",
	.options = options,
	.parser = parse_opt,
	.doc = doc,
	.probe = {
		.events = TT_EVBIT(TT_EV_CONNECT),
		.open = connect_open,
		.destroy = connect_destroy,
		.plans = plans,
		.nplans = sizeof(plans) / sizeof(plans[0]),
		.count_fields = TT_COUNT_LADDR | TT_COUNT_RADDR | TT_COUNT_RPORT,
		.socket_maps = socket_maps,
		.thread_maps = thread_maps,
		.roles = roles,
		.nroles = sizeof(roles) / sizeof(roles[0]),
	},
	.cols = tt_connect_cols,
	.count_cols = tt_connect_count_cols,
	.setup = setup,
};
