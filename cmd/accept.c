// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace accept (tcpaccept): passive TCP opens as bcc's tcpaccept shows
 * them, PID COMM IP RADDR RPORT LADDR LPORT, plus BL: the listener's accept
 * queue after this accept, over its maximum. Hooks: probes/accept.bpf.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "bpf/kernel.h"
#include "modes.h"
#include "tcptrace/event.h"
/* The skeleton refers to struct tt_config: include it after event.h. */
#include "accept.skel.h"

TT_SKEL_GLUE(accept)

static const char *const fentry_progs[] = { "tt_accept_fexit", "tt_accept_fexit_old",
					    "tt_accept_exit_catchup", NULL };
static const char *const kprobe_progs[] = { "tt_accept_kprobe", "tt_accept_kretprobe",
					    "tt_accept_exit_catchup", NULL };
static const char *const tp_progs[] = { "tt_accept_exit", NULL };
/* Only the catch-up of fexit and kretprobe uses it. */
static const char *const tp_idle_maps[] = { "accept_tid", NULL };
static const char *const thread_maps[] = { "accept_tid", NULL };
/* accept4(2) has the same exit record: the same programs (probes/accept.bpf.h). */
const char *const tt_accept_also_attach[][2] = {
	{ "tt_accept_exit", "syscalls/sys_exit_accept4" },
	{ "tt_accept_exit_catchup", "syscalls/sys_exit_accept4" },
	{ NULL, NULL },
};

static const struct tt_plan plans[] = {
	{ TT_ATTACH_FENTRY, "inet_csk_accept", fentry_progs,
	  "fexit inet_csk_accept + tracepoint syscalls:sys_exit_accept{,4} for accepts "
	  "blocked before tracing started",
	  tt_accept_fits },
	{ TT_ATTACH_KPROBE, "inet_csk_accept", kprobe_progs,
	  "kprobe+kretprobe inet_csk_accept + tracepoint syscalls:sys_exit_accept{,4} for "
	  "accepts blocked before tracing started",
	  tt_accept_fits },
	{ TT_ATTACH_TRACEPOINT, NULL, tp_progs,
	  "tracepoint syscalls:sys_exit_accept{,4}, sockets found through the task's file table",
	  tt_accept_fits, tp_idle_maps },
};

/* What each program is for, and what its refusal costs (tcptrace(8)). */
static const struct tt_role roles[] = {
	{ "tt_accept_fexit", TT_ROLE_CORE, "accepts (fentry plan)" },
	{ "tt_accept_fexit_old", TT_ROLE_CORE, "accepts (fentry plan, before Linux 6.10)" },
	{ "tt_accept_kprobe", TT_ROLE_CORE, "accepts (kprobe plan)" },
	{ "tt_accept_kretprobe", TT_ROLE_CORE, "accepts (kprobe plan)" },
	{ "tt_accept_exit", TT_ROLE_ALTERNATIVE, "accepts (tracepoint plan)",
	  "tt_accept_exit_sysexit", TT_SYSEXIT_COST },
	{ "tt_accept_exit_sysexit", TT_ROLE_CORE, "accepts (tracepoint plan)" },
	{ "tt_accept_exit_catchup", TT_ROLE_ALTERNATIVE, TT_ACCEPT_CATCHUP,
	  "tt_accept_exit_catchup_sysexit", TT_SYSEXIT_COST },
	{ "tt_accept_exit_catchup_sysexit", TT_ROLE_OPTIONAL, TT_ACCEPT_CATCHUP,
	  "not reported" },
};

/* Number of parameters of inet_csk_accept() in the kernel's BTF, or -ENOENT. */
static int csk_accept_nargs(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "inet_csk_accept", BTF_KIND_FUNC);
	const struct btf_type *t;

	if (id <= 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__type_by_id(btf, (__u32)id)->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) : -ENOENT;
}

/*
 * Where the syscall-exit programs find accept's first argument: the task's
 * saved registers, from bpf_task_pt_regs() (v5.15, commit dd6e10fbd9fb),
 * or before it at the top of the task's kernel stack, 16 KiB long
 * (probes/arch.bpf.h): not so with KASAN (twice that; its report function
 * is in the kernel's BTF) nor on arm64 with 64 KiB pages (THREAD_SIZE is
 * then a page). Those kernels do not get the programs.
 */
static bool has_syscall_regs(const struct btf *vmlinux)
{
	if (tt_btf_has_enum(vmlinux, "bpf_func_id", "BPF_FUNC_task_pt_regs"))
		return true;
	if (btf__find_by_name_kind(vmlinux, "kasan_report", BTF_KIND_FUNC) > 0)
		return false;
#ifdef __aarch64__
	if (sysconf(_SC_PAGESIZE) > 16384)
		return false;
#endif
	return true;
}

int tt_accept_fits(const struct btf *vmlinux, const char *prog)
{
	bool regs;
	int nargs;

	if (!strncmp(prog, "tt_accept_fexit", 15)) {
		/* (sk, struct proto_accept_arg *) since v6.10, (sk, flags, err, kern) before. */
		nargs = csk_accept_nargs(vmlinux);
		if (nargs != 2 && nargs != 4)
			return -EOPNOTSUPP;
		return (nargs == 4) == !strcmp(prog, "tt_accept_fexit_old");
	}
	/* The syscall-exit programs read the listener fd from the saved registers. */
	regs = has_syscall_regs(vmlinux);
	if (strstr(prog, "_catchup"))
		return regs;
	if (!strcmp(prog, "tt_accept_exit"))
		return regs ? 1 : -EOPNOTSUPP;
	return 1;
}

/*
 * The table and CSV keep bcc's order (remote before local), JSON the key
 * order of every other mode: columns without a title are JSON-only, those
 * without a key table-and-CSV-only.
 */
int tt_accept_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = tt_cols_prefix(o, c), aw = tt_addr_width(o);

	c[n++] = (struct tt_col){ "PID", "pid", TT_F_PID, 7 };
	c[n++] = (struct tt_col){ "COMM", "comm", TT_F_COMM, 12, 12 };
	c[n++] = TT_COL_ENRICH;
	c[n++] = (struct tt_col){ NULL, "uid", TT_F_UID };
	c[n++] = (struct tt_col){ "IP", "family", TT_F_IP, 2 };
	c[n++] = (struct tt_col){ NULL, "laddr", TT_F_LADDR };
	c[n++] = (struct tt_col){ NULL, "lport", TT_F_LPORT };
	c[n++] = (struct tt_col){ NULL, "raddr", TT_F_RADDR };
	c[n++] = (struct tt_col){ NULL, "rport", TT_F_RPORT };
	c[n++] = (struct tt_col){ "RADDR", NULL, TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "RPORT", NULL, TT_F_RPORT, 5 };
	c[n++] = (struct tt_col){ "LADDR", NULL, TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ "LPORT", NULL, TT_F_LPORT, 5 };
	c[n++] = (struct tt_col){ "BL", NULL, TT_F_BACKLOG, 9 };
	c[n++] = (struct tt_col){ NULL, "backlog", TT_F_BACKLOG_CUR };
	c[n++] = (struct tt_col){ NULL, "backlog_max", TT_F_BACKLOG_MAX };
	return n;
}

int tt_accept_count_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0, aw = o->wide ? 39 : 25;

	c[n++] = TT_COL_ENRICH;
	c[n++] = (struct tt_col){ NULL, "family", TT_F_IP };
	c[n++] = (struct tt_col){ "LADDR", "laddr", TT_F_LADDR, aw };
	c[n++] = (struct tt_col){ "LPORT", "lport", TT_F_LPORT, 6 };
	c[n++] = (struct tt_col){ "RADDR", "raddr", TT_F_RADDR, aw };
	c[n++] = (struct tt_col){ "ACCEPTS", "count", TT_F_COUNT, 8 };
	return n;
}

static const struct argp_option options[] = {
	{ "port", 'P', "PORTS", 0, "Only these local ports: 80,443 or 8000-8099", 2 },
	{ "count", 'c', NULL, 0,
	  "Count accepts per local address, local port and remote address; print at exit", 1 },
	{},
};

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;

	switch (key) {
	case 'P':
		if (tt_opt_ports(o, "-P", arg, o->lports))
			return TT_USAGE_SAID;
		o->cfg.filter_lports = 1;
		break;
	case 'c':
		o->count = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char doc[] = "Trace passive TCP connections (accept): one line per connection that accept()\n"
	       "or accept4() returns, with the process that accepted it and the listener's\n"
	       "accept queue (BL: queued after this accept / listen backlog).\n"
	       "\v"
	       "Examples:\n"
	       "  tcptrace accept              # every accept\n"
	       "  tcptrace accept -t -U        # with timestamps and user ids\n"
	       "  tcptrace accept -P 80,443    # only on local ports 80 and 443\n"
	       "  tcptrace accept -p 181       # only accepts by pid 181\n"
	       "  tcptrace accept -c           # count per listener and client until Ctrl-C\n"
	       "  tcptrace accept --containers -c     # count per listener, client and container\n"
	       "  tcptrace accept --container nginx.service   # only accepts by one systemd unit\n"
	       "  tcptrace accept --json | jq -c 'select(.backlog > .backlog_max / 2)'\n";

const struct tt_mode tt_mode_accept = {
	.name = "accept",
	.options = options,
	.parser = parse_opt,
	.doc = doc,
	.probe = {
		.events = TT_EVBIT(TT_EV_ACCEPT),
		.open = accept_open,
		.destroy = accept_destroy,
		.plans = plans,
		.nplans = sizeof(plans) / sizeof(plans[0]),
		.count_fields = TT_COUNT_LADDR | TT_COUNT_LPORT | TT_COUNT_RADDR,
		.thread_maps = thread_maps,
		.also_attach = tt_accept_also_attach,
		.roles = roles,
		.nroles = sizeof(roles) / sizeof(roles[0]),
	},
	.cols = tt_accept_cols,
	.count_cols = tt_accept_count_cols,
};
