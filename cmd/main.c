// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tcptrace: dispatch on argv[0] (tcpconnect, ... through a symlink) or on
 * the first argument (tcptrace connect ...), plus the multiplexer's own
 * options: --help, --list, --version, --install [DIR] [--force].
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcptrace/core.h"
#include "dispatch.h"

#ifndef TT_VERSION
#define TT_VERSION "0.0.0"
#endif

static void usage(FILE *out)
{
	int i;

	fprintf(out, "Usage: " TT_PROG " MODE [OPTIONS]   (or run it as ");
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "%s%s", i ? ", " : "", tt_applets[i].applet);
	fprintf(out, ")\n\nTrace TCP connections with eBPF.\n\nModes:\n");
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "  %-10s %s\n", tt_applets[i].mode, tt_applets[i].summary);
	fprintf(out, "\nOptions:\n"
		     "  --list              List the modes, one per line\n"
		     "  --install [DIR]     Create the applet symlinks in DIR (default: the\n"
		     "                      executable's directory); --force replaces files\n"
		     "  --version           Print the version\n"
		     "  --help              Show this help\n"
		     "\n'" TT_PROG " MODE --help' shows a mode's options and examples.\n");
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
		printf(TT_PROG " %s\n", TT_VERSION);
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
	return a->main(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	const struct tt_applet *a = argc > 0 ? tt_find_applet(argv[0]) : NULL;
	int ret;

	ret = a ? a->main(argc, argv) : multiplexer(argc, argv);
	if (fflush(stdout) && errno != EPIPE)
		ret = TT_EXIT_FAIL;
	return ret;
}
