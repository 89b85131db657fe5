/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The applet table built from cmd/applets.def, and lookups over it. */
#ifndef TCPTRACE_CMD_DISPATCH_H
#define TCPTRACE_CMD_DISPATCH_H

struct tt_applet {
	const char *mode;    /* "connect" */
	const char *applet;  /* "tcpconnect" */
	const char *summary;
	int (*main)(int argc, char **argv);
};

extern const struct tt_applet tt_applets[];
extern const int tt_napplets;

/* Exact match on a mode name ("connect"), or NULL. */
const struct tt_applet *tt_find_mode(const char *name);
/* Exact match on the basename of argv[0] ("/usr/sbin/tcpconnect"), or NULL. */
const struct tt_applet *tt_find_applet(const char *argv0);
/* Basename of a path (the text after the last '/'). */
const char *tt_basename(const char *path);

#endif
