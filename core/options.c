// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The options every mode shares, as an argp child, and the argv parsing
 * policy: every error is one line on stderr and exit 2, --help exits 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mode.h"

enum {
	OPT_JSON = 0x100,
	OPT_CSV,
	OPT_DURATION,
	OPT_ATTACH,
	OPT_CGROUP,
	OPT_BTF,
	OPT_BUFFER,
	OPT_HELP,
	OPT_NO_SANDBOX,
};

static const struct argp_option common_options[] = {
	{ NULL, 0, NULL, 0, "Output:", 1 },
	{ "timestamp", 't', NULL, 0, "Add a TIME(s) column: seconds since the first event", 1 },
	{ "time", 'T', NULL, 0, "Add a TIME column: wall clock HH:MM:SS", 1 },
	{ "wide", 'w', NULL, 0, "Wide address columns (fit IPv6)", 1 },
	{ "print-uid", 'U', NULL, 0, "Add a UID column", 1 },
	{ "json", OPT_JSON, NULL, 0, "One JSON object per line (see docs/json.md)", 1 },
	{ "csv", OPT_CSV, NULL, 0, "Comma-separated values with a header line", 1 },
	{ NULL, 0, NULL, 0, "Filters (applied in the kernel):", 2 },
	{ "pid", 'p', "PID", 0, "Only this process", 2 },
	{ "uid", 'u', "UID", 0, "Only this user id", 2 },
	{ "ipv4", '4', NULL, 0, "Only IPv4", 2 },
	{ "ipv6", '6', NULL, 0, "Only IPv6", 2 },
	{ "cgroup", OPT_CGROUP, "PATH", 0, "Only tasks in this cgroup v2 directory or below", 2 },
	{ NULL, 0, NULL, 0, "Control:", 4 },
	{ "duration", OPT_DURATION, "SECS", 0, "Stop after SECS seconds", 4 },
	{ "attach", OPT_ATTACH, "METHOD", 0,
	  "auto (default), fentry, kprobe or tracepoint", 4 },
	{ "buffer-size", OPT_BUFFER, "KB", 0,
	  "Ring buffer size in KiB, a power of two >= 4 (default 2048)", 4 },
	{ "btf", OPT_BTF, "FILE", 0, "Kernel BTF to use when /sys/kernel/btf/vmlinux is missing", 4 },
	{ "verbose", 'v', NULL, 0, "Say which hooks are used; show libbpf messages", 4 },
	{ "no-sandbox", OPT_NO_SANDBOX, NULL, 0,
	  "Keep every privilege after setup and install no seccomp filter (see tcptrace(8) "
	  "SECURITY)", 4 },
	{ "help", OPT_HELP, NULL, 0, "Show this help", -1 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, NULL, -1 },
	{},
};

const char *tt_attach_name(enum tt_attach a)
{
	static const char *const names[] = { "auto", "fentry", "kprobe", "tracepoint" };

	return names[a];
}

int tt_parse_attach(const char *s, enum tt_attach *out)
{
	int a;

	for (a = TT_ATTACH_AUTO; a <= TT_ATTACH_TRACEPOINT; a++)
		if (!strcmp(s, tt_attach_name((enum tt_attach)a))) {
			*out = (enum tt_attach)a;
			return 0;
		}
	return -EINVAL;
}

static void usage_line(const struct tt_opts *o, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, TT_PROG " %s: ", o->mode);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see '" TT_PROG " %s --help')\n", o->mode);
}

error_t tt_usage(const struct tt_opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	usage_line(o, fmt, ap);
	va_end(ap);
	return TT_USAGE_SAID;
}

error_t tt_opt_ports(const struct tt_opts *o, const char *opt, const char *arg, uint8_t *bitmap)
{
	char why[160];

	if (tt_ports_parse(arg, bitmap, why, sizeof(why)))
		return tt_usage(o, "%s: %s", opt, why);
	return 0;
}

/* The argument argp stopped at, for the one-line error. */
static const char *bad_arg;

static error_t parse_common(int key, char *arg, struct argp_state *state)
{
	struct tt_opts *o = state->input;
	uint32_t id;

	switch (key) {
	case 't':
		o->rel_time = true;
		break;
	case 'T':
		o->wall_time = true;
		break;
	case 'w':
		o->wide = true;
		break;
	case 'U':
		o->show_uid = true;
		break;
	case 'v':
		o->verbose++;
		break;
	case OPT_NO_SANDBOX:
		o->no_sandbox = true;
		break;
	case OPT_JSON:
	case OPT_CSV:
		if (o->fmt != TT_FMT_TABLE)
			return tt_usage(o, "--json and --csv are exclusive");
		o->fmt = key == OPT_JSON ? TT_FMT_JSON : TT_FMT_CSV;
		break;
	case 'p':
		if (tt_parse_u32(arg, &id) || id == 0)
			return tt_usage(o, "-p: invalid pid '%s'", arg);
		o->cfg.filter_pid = id;
		break;
	case 'u':
		if (tt_parse_u32(arg, &id))
			return tt_usage(o, "-u: invalid uid '%s'", arg);
		o->cfg.filter_uid = id;
		break;
	case '4':
	case '6':
		if (o->cfg.filter_family)
			return tt_usage(o, "-4 and -6 are exclusive");
		o->cfg.filter_family = key == '4' ? AF_INET : AF_INET6;
		break;
	case OPT_CGROUP:
		o->cgroup = arg;
		break;
	case OPT_BTF:
		o->btf = arg;
		break;
	case OPT_BUFFER:
		if (tt_parse_buffer_kb(arg, &o->buffer_kb))
			return tt_usage(o, "--buffer-size: want a power of two from 4 to 1048576 KiB, not '%s'",
				 arg);
		break;
	case OPT_DURATION:
		if (tt_parse_seconds(arg, &o->duration))
			return tt_usage(o, "--duration: invalid number of seconds '%s'", arg);
		break;
	case OPT_ATTACH:
		if (tt_parse_attach(arg, &o->attach))
			return tt_usage(o, "--attach: unknown method '%s' (auto, fentry, kprobe, tracepoint)",
				 arg);
		break;
	case ARGP_KEY_ERROR:
		if (state->next > 0 && state->next <= state->argc)
			bad_arg = state->argv[state->next - 1];
		break;
	case OPT_HELP:
	case 'h':
		return EINTR; /* handled by tt_parse_args: print help, exit 0 */
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp tt_common_argp = {
	.options = common_options,
	.parser = parse_common,
};

void tt_opts_init(struct tt_opts *o, const char *mode)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->cfg.filter_uid = TT_TASK_UNKNOWN;
}

error_t tt_argp_pass_input(int key, char *arg, struct argp_state *state)
{
	int i;

	(void)arg;
	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	for (i = 0; state->root_argp->children[i].argp; i++)
		state->child_inputs[i] = state->input;
	return 0;
}

int tt_parse_args(const struct argp *argp, int argc, char **argv, struct tt_opts *o)
{
	int idx = 0;
	error_t err;
	char name[64];

	/*
	 * ARGP_NO_ERRS: argp's own messages are two lines and exit 64; we print
	 * one line and exit 2. It implies ARGP_NO_EXIT, so --help is ours too.
	 */
	err = argp_parse(argp, argc, argv, ARGP_NO_ERRS | ARGP_NO_HELP | ARGP_IN_ORDER, &idx, o);
	if (err == EINTR) {
		snprintf(name, sizeof(name), TT_PROG " %s", o->mode);
		argp_help(argp, stdout, ARGP_HELP_STD_HELP & ~ARGP_HELP_EXIT_OK, name);
		return TT_EXIT_OK;
	}
	if (err == TT_USAGE_SAID)
		return TT_EXIT_USAGE;
	if (err) {
		tt_usage(o, "unrecognized option or missing argument '%s'", bad_arg ? bad_arg : "?");
		return TT_EXIT_USAGE;
	}
	if (idx < argc) {
		tt_usage(o, "unexpected argument '%s'", argv[idx]);
		return TT_EXIT_USAGE;
	}
	return TT_PARSED;
}
