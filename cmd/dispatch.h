/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The applet table built from cmd/applets.def, and lookups over it. */
#ifndef TCPTRACE_CMD_DISPATCH_H
#define TCPTRACE_CMD_DISPATCH_H

#include <stdio.h>

struct tt_mode;

struct tt_applet {
	const char *mode;    /* "connect" */
	const char *applet;  /* "tcpconnect" */
	const char *summary;
	const struct tt_mode *def; /* its options, plans and columns (cmd/<mode>.c) */
};

extern const struct tt_applet tt_applets[];
extern const int tt_napplets;

/* The multiplexer's own options (tcptrace --list...), for --help and completion. */
struct tt_mux_option {
	const char *name; /* "--install" */
	const char *arg;  /* "[DIR] [--force]", or NULL */
	const char *doc;  /* may span lines */
};

extern const struct tt_mux_option tt_mux_options[];
extern const int tt_nmux_options;

/* Exact match on a mode name ("connect"), or NULL. */
const struct tt_applet *tt_find_mode(const char *name);
/* Exact match on the basename of argv[0] ("/usr/sbin/tcpconnect"), or NULL. */
const struct tt_applet *tt_find_applet(const char *argv0);
/* Basename of a path (the text after the last '/'). */
const char *tt_basename(const char *path);

/*
 * Writes a bash completion script for tcptrace and every applet, from the
 * registry, tt_mux_options and the modes' argp options (cmd/completion.c).
 */
void tt_completion_bash(FILE *out, const char *version);

#endif
