// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace connect (tcpconnect): active TCP opens, as bcc's tcpconnect shows
 * them: PID COMM IP SADDR DADDR DPORT. Hooks: probes/connect.bpf.c.
 */
#include <stdio.h>
#include <string.h>

#include "modes.h"
#include "tcptrace/event.h"
/* The skeleton refers to struct tt_config: include it after event.h. */
#include "connect.skel.h"

TT_SKEL_GLUE(connect)

static const char *const tp_progs[] = { "tt_connect_state", "tt_connect_exit", NULL };
static const char *const fentry_progs[] = { "tt_connect_v4_fexit", "tt_connect_v6_fexit", NULL };
static const char *const kprobe_progs[] = { "tt_connect_v4_kprobe", "tt_connect_v4_kretprobe",
					    "tt_connect_v6_kprobe", "tt_connect_v6_kretprobe",
					    NULL };

/* Maps only the tracepoint plan uses (the kprobe plan also connect_tid). */
static const char *const fentry_idle_maps[] = { "connecting", "connect_tid", NULL };
static const char *const kprobe_idle_maps[] = { "connecting", NULL };
static const char *const socket_maps[] = { "connecting", NULL };

static const struct tt_plan plans[] = {
	{ TT_ATTACH_FENTRY, "tcp_v4_connect", fentry_progs,
	  "fexit tcp_v4_connect, tcp_v6_connect", NULL, fentry_idle_maps },
	{ TT_ATTACH_KPROBE, "tcp_v4_connect", kprobe_progs,
	  "kprobe+kretprobe tcp_v4_connect, tcp_v6_connect", NULL, kprobe_idle_maps },
	{ TT_ATTACH_TRACEPOINT, NULL, tp_progs,
	  "tp_btf/inet_sock_set_state (SYN_SENT) + tracepoint syscalls:sys_exit_connect" },
};

int tt_connect_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = tt_cols_prefix(o, c), aw = tt_addr_width(o);

	c[n++] = (struct tt_col){ "PID", "pid", TT_F_PID, 7 };
	c[n++] = (struct tt_col){ "COMM", "comm", TT_F_COMM, 12, 12 };
	c[n++] = (struct tt_col){ NULL, "uid", TT_F_UID };
	c[n++] = (struct tt_col){ "IP", "family", TT_F_IP, 2 };
	c[n++] = (struct tt_col){ "SADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ o->show_lport ? "LPORT" : NULL, "lport", TT_F_LPORT, 6 };
	c[n++] = (struct tt_col){ "DADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "DPORT", "rport", TT_F_RPORT, 5 };
	return n;
}

int tt_connect_count_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0, aw = o->wide ? 39 : 25;

	c[n++] = (struct tt_col){ NULL, "family", TT_F_IP };
	c[n++] = (struct tt_col){ "LADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ "RADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "RPORT", "rport", TT_F_RPORT, 6 };
	c[n++] = (struct tt_col){ "CONNECTS", "count", TT_F_COUNT, 8 };
	return n;
}

static const struct argp_option options[] = {
	{ "port", 'P', "PORTS", 0, "Only these destination ports: 80,443 or 8000-8099", 2 },
	{ "lport", 'L', NULL, 0, "Add an LPORT column (the source port)", 1 },
	{ "count", 'c', NULL, 0, "Count connects per source, destination and port; print at exit",
	  1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = o;
		break;
	case 'P':
		tt_opt_ports(o, "-P", arg, o->rports);
		o->cfg.filter_rports = 1;
		break;
	case 'L':
		o->show_lport = true;
		break;
	case 'c':
		o->count = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp_child children[] = { { &tt_common_argp, 0, NULL, 0 }, {} };

static const struct argp argp = {
	.options = options,
	.parser = parse_opt,
	.doc = "Trace active TCP connections (connect): one line per attempt that sends a SYN,\n"
	       "with the process that made it.\n"
	       "\v"
	       "Examples:\n"
	       "  tcptrace connect              # every connect\n"
	       "  tcptrace connect -t -U        # with timestamps and user ids\n"
	       "  tcptrace connect -P 80,443    # only to ports 80 and 443\n"
	       "  tcptrace connect -p 181 -L    # only pid 181, with source ports\n"
	       "  tcptrace connect -c           # count per destination until Ctrl-C\n"
	       "  tcptrace connect --json | jq -c 'select(.rport == 5432)'\n",
	.children = children,
};

int tt_main_connect(int argc, char **argv)
{
	struct tt_col cols[TT_MAX_COLS], count_cols[TT_MAX_COLS];
	struct tt_probe probe = {
		.open = connect_open,
		.destroy = connect_destroy,
		.plans = plans,
		.nplans = sizeof(plans) / sizeof(plans[0]),
		.cols = cols,
		.count_cols = count_cols,
		.count_fields = TT_COUNT_LADDR | TT_COUNT_RADDR | TT_COUNT_RPORT,
		.socket_maps = socket_maps,
	};
	static struct tt_opts o;

	tt_opts_init(&o, "connect");
	tt_parse_args(&argp, argc, argv, &o);
	probe.ncols = tt_connect_cols(&o, cols);
	probe.ncount_cols = tt_connect_count_cols(&o, count_cols);
	return tt_run(&probe, &o);
}
