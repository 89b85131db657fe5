/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The modes of cmd/applets.def (cmd/<mode>.c), and their column builders. */
#ifndef TCPTRACE_CMD_MODES_H
#define TCPTRACE_CMD_MODES_H

#include "mode.h"

#define TT_APPLET(mode, applet, summary) extern const struct tt_mode tt_mode_##mode;
#include "applets.def"
#undef TT_APPLET

/*
 * The columns every mode starts with: JSON time and event, then the table's
 * TIME, TIME(s) and UID as asked. A mode adds the JSON-only "uid" itself.
 */
int tt_cols_prefix(const struct tt_opts *o, struct tt_col *cols);
/*
 * tt_mode_main() without the run: parses argv into o, the probe and its
 * columns (the enrichers' put in), cols and count_cols of TT_MAX_COLS.
 * TT_PARSED, or the exit status (tt_parse_args()).
 */
int tt_mode_setup(const struct tt_mode *m, int argc, char **argv, struct tt_opts *o,
		   struct tt_probe *probe, struct tt_col *cols, struct tt_col *count_cols);
/* Address column width: bcc's 16, or 39 with -w (a full IPv6). */
int tt_addr_width(const struct tt_opts *o);
/* connect's columns for these options (pure; unit-tested). */
int tt_connect_cols(const struct tt_opts *o, struct tt_col *cols);
int tt_connect_count_cols(const struct tt_opts *o, struct tt_col *cols);

/* accept's columns for these options (pure; unit-tested). */
int tt_accept_cols(const struct tt_opts *o, struct tt_col *cols);
int tt_accept_count_cols(const struct tt_opts *o, struct tt_col *cols);
/*
 * accept's struct tt_plan .fits: the fexit program for the kernel's
 * inet_csk_accept() signature, the syscall-exit ones where the listener's
 * fd can be read from the task's saved registers (bpf_task_pt_regs(), or
 * before v5.15 the top of a 16 KiB kernel stack).
 */
int tt_accept_fits(const struct btf *vmlinux, const char *prog);
/* The accept hooks' extra attachments (tt_probe.also_attach), for life too. */
extern const char *const tt_accept_also_attach[][2];

/* A refused syscall-exit tracepoint program's twin on the raw sys_exit: what it costs. */
#define TT_SYSEXIT_COST                                                                    \
	"the raw sys_exit tracepoint runs at every system call's exit (about 150 ns each)"
/* What accept's catch-up programs do (accept and life). */
#define TT_ACCEPT_CATCHUP "accepts already blocked in accept(2) when tracing started"

/* life's columns for these options (pure; unit-tested). */
int tt_life_cols(const struct tt_opts *o, struct tt_col *cols);

#endif
