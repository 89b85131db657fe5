// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace: dispatch on argv[0] (tcpconnect, ... through a symlink) or on
 * the first argument (tcptrace connect ...), plus the multiplexer's own
 * options (tt_mux_options: --help, --list, --version, --install [DIR]
 * [--force]) and the hidden --completion bash.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "dispatch.h"
#include "mode.h"

#ifndef TT_VERSION
#define TT_VERSION "0.0.0"
#endif

/* The architecture this executable runs on, as uname -m names it. */
#if defined(__x86_64__)
#define TT_ARCH "x86_64"
#elif defined(__aarch64__)
#define TT_ARCH "aarch64"
#else
#error "unsupported architecture: x86_64 and aarch64 are"
#endif

static void usage(FILE *out)
{
	char opt[64];
	const char *doc, *nl;
	int i;

	fprintf(out, "Usage: " TT_PROG " MODE [OPTIONS]   (or run it as ");
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "%s%s", i ? ", " : "", tt_applets[i].applet);
	fprintf(out, ")\n\nTrace TCP connections with eBPF.\n\nModes:\n");
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "  %-10s %s\n", tt_applets[i].mode, tt_applets[i].summary);
	fprintf(out, "\nOptions:\n");
	for (i = 0; i < tt_nmux_options; i++) {
		const struct tt_mux_option *m = &tt_mux_options[i];

		snprintf(opt, sizeof(opt), "%s%s%s", m->name, m->arg ? " " : "",
			 m->arg ? m->arg : "");
		fprintf(out, "  %-26s", opt);
		for (doc = m->doc; (nl = strchr(doc, '\n')); doc = nl + 1)
			fprintf(out, " %.*s\n%28s", (int)(nl - doc), doc, "");
		fprintf(out, " %s\n", doc);
	}
	fprintf(out, "\n'" TT_PROG " MODE --help' shows a mode's options and examples.\n");
}

/* Creates DIR/<applet> -> self for every applet. */
static int install(const char *dir, bool force)
{
	char self[PATH_MAX], link[PATH_MAX], cur[PATH_MAX];
	ssize_t n;
	int i, ret = 0;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		tt_err("--install: finding the executable", errno);
		return 1;
	}
	self[n] = '\0';
	if (!dir) {
		static char selfdir[PATH_MAX];

		memcpy(selfdir, self, sizeof(selfdir));
		*strrchr(selfdir, '/') = '\0';
		dir = selfdir[0] ? selfdir : "/";
	}
	for (i = 0; i < tt_napplets; i++) {
		struct stat st;

		snprintf(link, sizeof(link), "%s/%s", dir, tt_applets[i].applet);
		if (!lstat(link, &st)) {
			if (S_ISLNK(st.st_mode)) {
				n = readlink(link, cur, sizeof(cur) - 1);
				if (n >= 0) {
					cur[n] = '\0';
					if (!strcmp(cur, self))
						continue; /* already right */
				}
			}
			if (!force) {
				tt_errf("--install: %s exists and is not a link to %s (use --force "
					"to replace it)",
					link, self);
				ret = 1;
				continue;
			}
			if (unlink(link)) {
				tt_errf("--install: removing %s: %s", link, strerror(errno));
				ret = 1;
				continue;
			}
		}
		if (symlink(self, link)) {
			tt_errf("--install: creating %s: %s", link, strerror(errno));
			ret = 1;
			continue;
		}
		printf("%s -> %s\n", link, self);
	}
	return ret;
}

static int multiplexer(int argc, char **argv)
{
	const struct tt_applet *a;
	const char *arg = argc > 1 ? argv[1] : NULL;
	int i;

	if (!arg) {
		tt_errf("no mode given (see '" TT_PROG " --help' or '" TT_PROG " --list')");
		return TT_EXIT_USAGE;
	}
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		usage(stdout);
		return TT_EXIT_OK;
	}
	if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
		printf(TT_PROG " %s (" TT_ARCH ")\n", TT_VERSION);
		return TT_EXIT_OK;
	}
	/* Not in --help: the packages install its output (cmd/completion.c). */
	if (!strcmp(arg, "--completion")) {
		if (argc != 3 || strcmp(argv[2], "bash")) {
			tt_errf("--completion: want 'bash' (usage: " TT_PROG " --completion bash)");
			return TT_EXIT_USAGE;
		}
		tt_completion_bash(stdout, TT_VERSION);
		return TT_EXIT_OK;
	}
	if (!strcmp(arg, "--list")) {
		for (i = 0; i < tt_napplets; i++)
			printf("%s\n", tt_applets[i].mode);
		return TT_EXIT_OK;
	}
	if (!strcmp(arg, "--install")) {
		const char *dir = NULL;
		bool force = false;

		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--force"))
				force = true;
			else if (argv[i][0] == '-' || dir)
				goto bad_install;
			else
				dir = argv[i];
		}
		return install(dir, force);
bad_install:
		tt_errf("--install: unexpected argument '%s' (usage: " TT_PROG
			" --install [DIR] [--force])",
			argv[i]);
		return TT_EXIT_USAGE;
	}
	a = tt_find_mode(arg);
	if (!a) {
		tt_errf("unknown mode '%s' (see '" TT_PROG " --list')", arg);
		return TT_EXIT_USAGE;
	}
	return tt_mode_main(a->def, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const struct tt_applet *a = argc > 0 ? tt_find_applet(argv[0]) : NULL;
	int ret;

	ret = a ? tt_mode_main(a->def, argc, argv) : multiplexer(argc, argv);
	if (fflush(stdout) && errno != EPIPE)
		ret = TT_EXIT_FAIL;
	return ret;
}
