// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The applet table: one entry per line of cmd/applets.def. */
#include <string.h>

#include "dispatch.h"
#include "modes.h"

const struct tt_applet tt_applets[] = {
#define TT_APPLET(mode, applet, summary) { #mode, #applet, summary, &tt_mode_##mode },
#include "applets.def"
#undef TT_APPLET
};

const int tt_napplets = sizeof(tt_applets) / sizeof(tt_applets[0]);

const struct tt_mux_option tt_mux_options[] = {
	{ "--list", NULL, "List the modes, one per line" },
	{ "--install", "[DIR] [--force]",
	  "Create the applet symlinks in DIR (default: the\n"
	  "executable's directory); --force replaces files" },
	{ "--version", NULL, "Print the version and the architecture" },
	{ "--help", NULL, "Show this help" },
};

const int tt_nmux_options = sizeof(tt_mux_options) / sizeof(tt_mux_options[0]);

const char *tt_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

const struct tt_applet *tt_find_mode(const char *name)
{
	int i;

	for (i = 0; i < tt_napplets; i++)
		if (!strcmp(tt_applets[i].mode, name))
			return &tt_applets[i];
	return NULL;
}

const struct tt_applet *tt_find_applet(const char *argv0)
{
	const char *base = tt_basename(argv0);
	int i;

	for (i = 0; i < tt_napplets; i++)
		if (!strcmp(tt_applets[i].applet, base))
			return &tt_applets[i];
	return NULL;
}
