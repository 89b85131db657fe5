// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `tcptrace --completion bash`: a bash completion script for tcptrace and
 * its applets, written from the registry (cmd/applets.def), the
 * multiplexer's options and each mode's argp tables, the very ones that
 * parse the command line: an option cannot be added without being
 * completed. The build writes it once for the packages.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "modes.h"

static bool is_option(const struct argp_option *opt)
{
	if (opt->flags & (OPTION_HIDDEN | OPTION_DOC))
		return false;
	return opt->name || (opt->key > 0 && opt->key < 128 && isprint(opt->key));
}

/*
 * Calls fn for each visible option of a mode: its own, its enrichers', then
 * the common ones.
 */
static void each_option(const struct tt_mode *m, FILE *out,
			void (*fn)(FILE *out, const struct argp_option *opt, const char *arg))
{
	const struct argp_option *tables[2 + TT_ENRICH_MAX] = { m->options };
	struct argp_child children[TT_ENRICH_MAX];
	const struct argp_option *opt;
	const char *arg = NULL;
	size_t i, n;
	int k, nchildren = tt_enrich_children(m->probe.events, children, TT_ENRICH_MAX);

	for (n = 1, k = 0; k < nchildren; k++)
		tables[n++] = children[k].argp->options;
	tables[n++] = tt_common_argp.options;
	for (i = 0; i < n; i++)
		for (opt = tables[i]; opt->name || opt->key || opt->doc; opt++) {
			/* An alias takes the argument of the option before it. */
			if (!(opt->flags & OPTION_ALIAS))
				arg = opt->arg;
			if (is_option(opt))
				fn(out, opt, arg);
		}
}

static void print_words(FILE *out, const struct argp_option *opt, const char *arg)
{
	if (opt->key > 0 && opt->key < 128 && isprint(opt->key))
		fprintf(out, " -%c", opt->key);
	if (opt->name)
		fprintf(out, " --%s", opt->name);
}

/* "-p|--pid" for `case $prev`, for options that take an argument. */
static void print_pattern(FILE *out, const struct argp_option *opt)
{
	const char *sep = "";

	if (opt->key > 0 && opt->key < 128 && isprint(opt->key)) {
		fprintf(out, "-%c", opt->key);
		sep = "|";
	}
	if (opt->name)
		fprintf(out, "%s--%s", sep, opt->name);
}

/*
 * What an option's argument completes to, by its argp name (the METAVAR
 * --help shows): attach methods, directories, files, or nothing (numbers,
 * port lists).
 */
static void print_value(FILE *out, const struct argp_option *opt, const char *arg)
{
	int a;

	if (!arg)
		return;
	fputs("\t\t", out);
	print_pattern(out, opt);
	if (!strcmp(arg, "METHOD")) {
		fputs(") COMPREPLY=($(compgen -W '", out);
		for (a = TT_ATTACH_AUTO; a <= TT_ATTACH_TRACEPOINT; a++)
			fprintf(out, "%s%s", a ? " " : "", tt_attach_name(a));
		fputs("' -- \"$cur\")) ;;\n", out);
	} else if (!strcmp(arg, "PATH")) {
		fputs(") COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n", out);
	} else if (!strcmp(arg, "FILE")) {
		fputs(") COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n", out);
	} else {
		fputs(") ;;\n", out);
	}
}

static void print_mode(FILE *out, const struct tt_applet *a)
{
	fprintf(out, "\t%s)\n\t\tcase $prev in\n", a->mode);
	each_option(a->def, out, print_value);
	/* (each word is written with a space before it) */
	fputs("\t\t*) COMPREPLY=($(compgen -W '", out);
	each_option(a->def, out, print_words);
	fputs("' -- \"$cur\")) ;;\n\t\tesac\n\t\t;;\n", out);
}

void tt_completion_bash(FILE *out, const char *version)
{
	int i, j;

	fprintf(out, "# bash completion for " TT_PROG " and its applets, written by `" TT_PROG
		     " --completion bash`\n# (" TT_PROG " %s) from its own option tables.\n",
		version);
	fputs("_" TT_PROG "() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} mode\n"
	      "\t# --opt=value: bash splits the word at '='\n"
	      "\tif [ \"$cur\" = = ]; then\n"
	      "\t\tcur=\n"
	      "\telif [ \"$prev\" = = ] && [ \"$COMP_CWORD\" -ge 2 ]; then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD - 2]}\n"
	      "\tfi\n"
	      "\tcase ${COMP_WORDS[0]##*/} in\n",
	      out);
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "\t%s) mode=%s ;;\n", tt_applets[i].applet, tt_applets[i].mode);
	fputs("\t*)\n\t\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\t\tCOMPREPLY=($(compgen -W '", out);
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, "%s ", tt_applets[i].mode);
	for (i = 0; i < tt_nmux_options; i++)
		fprintf(out, "%s%s", i ? " " : "", tt_mux_options[i].name);
	fputs("' -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n\t\tmode=${COMP_WORDS[1]}\n\t\t;;\n\tesac\n"
	      "\tcase $mode in\n",
	      out);
	/* The multiplexer's options that take words: --install [DIR] [--force]. */
	for (i = 0; i < tt_nmux_options; i++) {
		const struct tt_mux_option *m = &tt_mux_options[i];
		const char *w;

		if (!m->arg)
			continue;
		fprintf(out, "\t%s) COMPREPLY=($(compgen -W '", m->name);
		for (j = 0, w = strstr(m->arg, "--"); w; w = strstr(w + 2, "--"), j++)
			fprintf(out, "%s%.*s", j ? " " : "", (int)strcspn(w, " ]"), w);
		fprintf(out, "' -- \"$cur\")%s) ;;\n",
			strstr(m->arg, "DIR") ? " $(compgen -d -- \"$cur\")" : "");
	}
	for (i = 0; i < tt_napplets; i++)
		print_mode(out, &tt_applets[i]);
	fputs("\tesac\n}\ncomplete -F _" TT_PROG " " TT_PROG, out);
	for (i = 0; i < tt_napplets; i++)
		fprintf(out, " %s", tt_applets[i].applet);
	fputc('\n', out);
}
