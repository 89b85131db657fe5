// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace life (tcplife): TCP session lifespans, as bcc's tcplife shows
 * them: PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS, one line per
 * session when it closes. Hooks: probes/life.bpf.c.
 */
#include <string.h>

#include <bpf/btf.h>

#include "bpf/kernel.h"
#include "modes.h"
#include "tcptrace/event.h"
/* The skeleton refers to struct tt_config: include it after event.h. */
#include "life.skel.h"

TT_SKEL_GLUE(life)

static const char *const fentry_progs[] = { "tt_life_btf", "tt_life_btf_nested",
					    "tt_accept_fexit", "tt_accept_fexit_old",
					    "tt_accept_exit_catchup", "tt_life_open_run",
					    "tt_life_open_walk", "tt_life_adopt", NULL };
static const char *const kprobe_progs[] = { "tt_life_btf", "tt_life_btf_nested",
					    "tt_life_kprobe", "tt_life_clone",
					    "tt_accept_kprobe", "tt_accept_kretprobe",
					    "tt_accept_exit_catchup", "tt_life_open_run",
					    "tt_life_open_walk", "tt_life_adopt", NULL };
static const char *const btf_progs[] = { "tt_life_btf", "tt_life_btf_nested", "tt_accept_exit",
					 "tt_life_open_run", "tt_life_open_walk", "tt_life_adopt",
					 NULL };
static const char *const tp_progs[] = { "tt_life_tp", "tt_accept_exit", "tt_life_open_run",
					"tt_life_open_walk", "tt_life_adopt", NULL };
/* Only the catch-up of fexit and kretprobe uses it. */
static const char *const tp_idle_maps[] = { "accept_tid", NULL };
static const char *const socket_maps[] = { "owners", NULL };
static const char *const thread_maps[] = { "accept_tid", NULL };

/*
 * The state changes come from tp_btf wherever the kernel has it (v5.5), in
 * the kprobe plan too: the kernel skips a kprobe program while any kprobe
 * or tracepoint BPF program runs on that CPU, such as the accept kretprobe
 * that a softirq closing a session interrupts, and before v6.7 does not
 * count the skip. tp_btf's recursion check is per program, and
 * tt_life_btf_nested handles what it skips (where the kernel has the
 * check: core/run/plan.c). kprobe tcp_set_state is for older kernels.
 */
static bool has_tp_btf(const struct btf *vmlinux)
{
	return btf__find_by_name_kind(vmlinux, "btf_trace_inet_sock_set_state",
				      BTF_KIND_TYPEDEF) > 0;
}

/*
 * The fexit programs are accept mode's, chosen the same way. The
 * syscall-exit ones need less here than in accept mode: only the accepted
 * socket, the fd the call returns, never the listener's fd in the saved
 * registers, so every kernel gets them.
 */
static int life_fits(const struct btf *vmlinux, const char *prog)
{
	if (!strncmp(prog, "tt_life_btf", 11))
		return has_tp_btf(vmlinux);
	if (!strcmp(prog, "tt_life_kprobe") || !strcmp(prog, "tt_life_clone"))
		return !has_tp_btf(vmlinux);
	if (!strncmp(prog, "tt_accept_fexit", 15))
		return tt_accept_fits(vmlinux, prog);
	/* the walk in the kernel where it has bpf_for_each_map_elem() (v5.13) */
	if (!strcmp(prog, "tt_life_open_walk"))
		return tt_btf_has_enum(vmlinux, "bpf_func_id", "BPF_FUNC_for_each_map_elem");
	if (!strcmp(prog, "tt_life_open_run"))
		return !tt_btf_has_enum(vmlinux, "bpf_func_id", "BPF_FUNC_for_each_map_elem");
	return 1;
}

#define OWNERS "owners of accepted sessions"
#define OWNERS_LOSS                                                                       \
	"learnt from the task that closes them, else pid and comm unknown (null)"

/* What each program is for, and what its refusal costs (tcptrace(8)). */
static const struct tt_role roles[] = {
	{ "tt_life_btf", TT_ROLE_CORE, "sessions (tp_btf/inet_sock_set_state)" },
	{ "tt_life_btf_nested", TT_ROLE_OPTIONAL,
	  "state changes in softirqs that interrupt tt_life_btf",
	  "those sessions are lost, counted in the missed events", NULL, "tt_life_btf" },
	{ "tt_life_tp", TT_ROLE_CORE, "sessions (classic tracepoint plan)" },
	{ "tt_life_kprobe", TT_ROLE_CORE, "sessions (kernels before tp_btf)" },
	{ "tt_life_clone", TT_ROLE_CORE, "sessions (kernels before tp_btf)" },
	{ "tt_accept_fexit", TT_ROLE_OPTIONAL, OWNERS, OWNERS_LOSS },
	{ "tt_accept_fexit_old", TT_ROLE_OPTIONAL, OWNERS, OWNERS_LOSS },
	{ "tt_accept_kprobe", TT_ROLE_OPTIONAL, OWNERS, OWNERS_LOSS },
	{ "tt_accept_kretprobe", TT_ROLE_OPTIONAL, OWNERS, OWNERS_LOSS, NULL, "tt_accept_kprobe" },
	{ "tt_accept_exit", TT_ROLE_ALTERNATIVE, OWNERS, "tt_accept_exit_sysexit",
	  TT_SYSEXIT_COST },
	{ "tt_accept_exit_sysexit", TT_ROLE_OPTIONAL, OWNERS, OWNERS_LOSS },
	{ "tt_accept_exit_catchup", TT_ROLE_ALTERNATIVE, TT_ACCEPT_CATCHUP,
	  "tt_accept_exit_catchup_sysexit", TT_SYSEXIT_COST },
	{ "tt_accept_exit_catchup_sysexit", TT_ROLE_OPTIONAL, TT_ACCEPT_CATCHUP,
	  "their owners are learnt from the task that closes them" },
	{ "tt_life_open_run", TT_ROLE_OPTIONAL,
	  "--open/--interval records of the sessions opened while tracing",
	  "those sessions are reported at their close only" },
	{ "tt_life_open_walk", TT_ROLE_OPTIONAL,
	  "--open/--interval records of the sessions opened while tracing",
	  "those sessions are reported at their close only" },
	{ "tt_life_adopt", TT_ROLE_OPTIONAL,
	  "--open/--interval: the sessions opened before tracing walked with the others",
	  "sock_diag lists them at every walk instead (more CPU)" },
};

static const struct tt_plan plans[] = {
	{ TT_ATTACH_FENTRY, "inet_csk_accept", fentry_progs,
	  "tp_btf/inet_sock_set_state + fexit inet_csk_accept", life_fits },
	{ TT_ATTACH_KPROBE, "tcp_set_state", kprobe_progs,
	  "tp_btf/inet_sock_set_state (before 5.5: kprobe tcp_set_state + kretprobe "
	  "inet_csk_clone_lock) + kprobe+kretprobe inet_csk_accept",
	  life_fits },
	{ TT_ATTACH_TRACEPOINT, NULL, btf_progs,
	  "tp_btf/inet_sock_set_state + tracepoint syscalls:sys_exit_accept{,4}", life_fits,
	  tp_idle_maps },
	{ TT_ATTACH_TRACEPOINT, "inet_sock_set_state", tp_progs,
	  "tracepoint sock:inet_sock_set_state + syscalls:sys_exit_accept{,4}", life_fits,
	  tp_idle_maps },
};

/* bcc's tcplife layout: 80 columns, or IPv6-wide with -w; CSV always has IP. */
int tt_life_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = tt_cols_prefix(o, c), aw = o->wide ? 39 : 15, kw = o->wide ? 6 : 5;
	int cw = o->wide ? 16 : 10;
	bool ip = o->wide || o->fmt == TT_FMT_CSV;

	if (o->open) {
		c[n++] = (struct tt_col){ "AT", NULL, TT_F_AT_ROW, 8 };
		c[n++] = (struct tt_col){ NULL, "at", TT_F_AT };
	}
	c[n++] = (struct tt_col){ "PID", "pid", TT_F_PID, 5 };
	c[n++] = (struct tt_col){ "COMM", "comm", TT_F_COMM, cw, cw };
	c[n++] = TT_COL_ENRICH;
	c[n++] = (struct tt_col){ NULL, "uid", TT_F_UID };
	c[n++] = (struct tt_col){ ip ? "IP" : NULL, "family", TT_F_IP, 2 };
	c[n++] = (struct tt_col){ "LADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ "LPORT", "lport", TT_F_LPORT, 5 };
	c[n++] = (struct tt_col){ "RADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "RPORT", "rport", TT_F_RPORT, 5 };
	c[n++] = (struct tt_col){ "TX_KB", NULL, TT_F_TX_KB, kw, 0, TT_COL_RIGHT };
	c[n++] = (struct tt_col){ "RX_KB", NULL, TT_F_RX_KB, kw, 0, TT_COL_RIGHT };
	/* last and unpadded, as bcc prints it; aligned when columns follow */
	c[n++] = (struct tt_col){ "MS", NULL, TT_F_MS, o->health ? 9 : 0, 0,
				  o->health ? TT_COL_RIGHT : 0 };
	if (o->health) {
		c[n++] = (struct tt_col){ "RTT(ms)", NULL, TT_F_RTT_MS, 8, 0, TT_COL_RIGHT };
		c[n++] = (struct tt_col){ "RETR", NULL, TT_F_RETRANS_SEGS, 5, 0, TT_COL_RIGHT };
	}
	c[n++] = (struct tt_col){ NULL, "tx_bytes", TT_F_TX_BYTES };
	c[n++] = (struct tt_col){ NULL, "rx_bytes", TT_F_RX_BYTES };
	c[n++] = (struct tt_col){ NULL, "duration_ns", TT_F_DURATION_NS };
	c[n++] = (struct tt_col){ NULL, "srtt_us", TT_F_SRTT_US };
	c[n++] = (struct tt_col){ NULL, "min_rtt_us", TT_F_MIN_RTT_US };
	c[n++] = (struct tt_col){ NULL, "retrans_segs", TT_F_RETRANS_SEGS };
	c[n++] = (struct tt_col){ NULL, "segs_out", TT_F_SEGS_OUT };
	c[n++] = (struct tt_col){ NULL, "segs_in", TT_F_SEGS_IN };
	c[n++] = (struct tt_col){ NULL, "close_cause", TT_F_CLOSE_CAUSE };
	c[n++] = (struct tt_col){ NULL, "closed_by", TT_F_CLOSED_BY };
	c[n++] = (struct tt_col){ NULL, "owner_source", TT_F_OWNER_SOURCE };
	if (o->open) {
		c[n++] = (struct tt_col){ NULL, "state", TT_F_STATE };
		c[n++] = (struct tt_col){ NULL, "tx_bytes_delta", TT_F_TX_DELTA };
		c[n++] = (struct tt_col){ NULL, "rx_bytes_delta", TT_F_RX_DELTA };
	}
	return n;
}

#define OPT_HEALTH 0x300
#define OPT_OPEN 0x301
#define OPT_INTERVAL 0x302

static const struct argp_option options[] = {
	{ NULL, 's', NULL, 0, "Same as --csv (bcc's tcplife -s)", 1 },
	{ "localport", 'L', "PORTS", 0, "Only these local ports: 80,443 or 8000-8099", 2 },
	{ "remoteport", 'D', "PORTS", 0, "Only these remote ports", 2 },
	{ "health", OPT_HEALTH, NULL, 0,
	  "Add RTT(ms) (smoothed round-trip time) and RETR (segments retransmitted) columns", 1 },
	{ "open", OPT_OPEN, NULL, 0,
	  "Also report each session open at start and at exit (AT start/exit), those opened "
	  "before tracing too", 1 },
	{ "interval", OPT_INTERVAL, "SECS", 0,
	  "--open, and every SECS (0.1 or more) each session open then (AT interval), with the "
	  "bytes since its previous record", 1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;

	switch (key) {
	case 's':
		if (o->fmt == TT_FMT_JSON)
			return tt_usage(o, "--json and --csv are exclusive");
		o->fmt = TT_FMT_CSV;
		break;
	case 'L':
		if (tt_opt_ports(o, "-L", arg, o->lports))
			return TT_USAGE_SAID;
		o->cfg.filter_lports = 1;
		break;
	case OPT_HEALTH:
		o->health = true;
		break;
	case OPT_OPEN:
		o->open = true;
		o->cfg.open = 1;
		break;
	case OPT_INTERVAL:
		if (tt_parse_interval(arg, &o->interval))
			return tt_usage(o, "--interval %s: want seconds, 0.1 or more (e.g. 1, 0.5)",
					arg);
		o->open = true;
		o->cfg.open = 1;
		break;
	case 'D':
		if (tt_opt_ports(o, "-D", arg, o->rports))
			return TT_USAGE_SAID;
		o->cfg.filter_rports = 1;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] = "Trace TCP session lifespans (life): one line per session when it closes, with\n"
	       "the bytes it moved, how long it lived and the process that opened it (the\n"
	       "connecting or the accepting one), whichever side closed first.\n"
	       "\v"
	       "Examples:\n"
	       "  tcptrace life                 # every session\n"
	       "  tcptrace life -tw             # seconds since start, wide (IPv6) columns\n"
	       "  tcptrace life -p 181          # only sessions owned by pid 181\n"
	       "  tcptrace life -L 80,443       # only local ports 80 and 443 (servers)\n"
	       "  tcptrace life -D 5432 -6      # only IPv6 sessions to remote port 5432\n"
	       "  tcptrace life --csv -T        # CSV with wall-clock times\n"
	       "  tcptrace life --containers -w # with each session's container and pod\n"
	       "  tcptrace life --container shop/web-0 --json   # only the sessions of one pod\n"
	       "  tcptrace life -d              # with the DNS name of sessions opened here\n"
	       "  tcptrace life --health        # with each session's RTT and retransmissions\n"
	       "  tcptrace life --open          # also the sessions open at start and at exit\n"
	       "  tcptrace life --interval 10 --json   # every 10 s each open session, bytes since\n"
	       "  tcptrace life --interval 60 --json | jq -c 'select(.event == \"open\") |\n"
	       "      [.raddr, .rport, .tx_bytes_delta, .rx_bytes_delta, .srtt_us]'\n"
	       "  tcptrace life --json | jq -c 'select(.retrans_segs > 0) | [.raddr, .close_cause]'\n"
	       "  tcptrace life --json | jq -c 'select(.rx_bytes > 1000000)'\n";

const struct tt_mode tt_mode_life = {
	.name = "life",
	.options = options,
	.parser = parse_opt,
	.doc = doc,
	.probe = {
		.events = TT_EVBIT(TT_EV_CLOSE) | TT_EVBIT(TT_EV_OPEN),
		.open = life_open,
		.open_run = "tt_life_open_run",
		.open_walk = "tt_life_open_walk",
		.open_adopt = "tt_life_adopt",
		.destroy = life_destroy,
		.plans = plans,
		.nplans = sizeof(plans) / sizeof(plans[0]),
		.socket_maps = socket_maps,
		.thread_maps = thread_maps,
		.also_attach = tt_accept_also_attach,
		.roles = roles,
		.nroles = sizeof(roles) / sizeof(roles[0]),
	},
	.cols = tt_life_cols,
};
