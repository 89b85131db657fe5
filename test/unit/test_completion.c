// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd/completion.c: the bash completion written from the registry and argp tables. */
#define _GNU_SOURCE /* open_memstream */
#include <stdlib.h>

#include "check.h"
#include "dispatch.h"
#include "modes.h"

/* The text of one mode's case, "\tMODE)\n" up to its ";;" closing line. */
static char *mode_case(const char *script, const char *mode)
{
	char head[64];
	const char *start, *end;

	snprintf(head, sizeof(head), "\n\t%s)\n", mode);
	start = strstr(script, head);
	if (!start)
		return strdup("");
	end = strstr(start, "\t\tesac\n\t\t;;\n");
	return strndup(start, end ? (size_t)(end - start) : strlen(start));
}

int main(void)
{
	char *script = NULL, line[128], *c;
	size_t len = 0;
	FILE *out = open_memstream(&script, &len);
	int i;

	tt_completion_bash(out, "9.9.9");
	fclose(out);
	CHECK(strstr(script, "(tcptrace 9.9.9)") != NULL);
	/* Registered for tcptrace and every applet; each applet is its mode. */
	CHECK(strstr(script, "\ncomplete -F _tcptrace tcptrace tcpaccept tcpconnect tcplife\n"));
	for (i = 0; i < tt_napplets; i++) {
		snprintf(line, sizeof(line), "\t%s) mode=%s ;;\n", tt_applets[i].applet,
			 tt_applets[i].mode);
		CHECK(strstr(script, line) != NULL);
	}
	/* The first word: modes, then the multiplexer's options. */
	CHECK(strstr(script, "compgen -W 'accept connect life --list --install --version --help'"));
	CHECK(strstr(script, "\t--install) COMPREPLY=($(compgen -W '--force' -- \"$cur\") "
			     "$(compgen -d -- \"$cur\")) ;;\n"));
	/* A mode's own options only in its case; common ones in every case. */
	c = mode_case(script, "connect");
	CHECK(strstr(c, " -O --outcome ") && strstr(c, " --min-latency ") && strstr(c, " --json "));
	CHECK(strstr(c, "\t\t--min-latency) ;;\n")); /* takes a number: no words */
	CHECK(!strstr(c, " -s ") && !strstr(c, "--remoteport"));
	free(c);
	c = mode_case(script, "life");
	CHECK(strstr(c, " -s -L --localport -D --remoteport ") && !strstr(c, "--outcome"));
	CHECK(strstr(c, "\t\t-L|--localport) ;;\n"));
	free(c);
	c = mode_case(script, "accept");
	CHECK(strstr(c, " -P --port -c --count ") && !strstr(c, "--outcome"));
	/* Option arguments by their argp name: METHOD, PATH, FILE. */
	CHECK(strstr(c, "\t\t--attach) COMPREPLY=($(compgen -W 'auto fentry kprobe tracepoint' -- "
			"\"$cur\")) ;;\n"));
	CHECK(strstr(c, "\t\t--cgroup) COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"));
	CHECK(strstr(c, "\t\t--btf) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"));
	/* Hidden options (-h) are not offered. */
	CHECK(!strstr(c, " -h ") && strstr(c, " --help'"));
	free(c);
	free(script);
	return tt_test_done("completion");
}
