// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* cmd/: each mode's columns for its options, as bcc users expect them. */
#include <stdlib.h>

#include "check.h"
#include "modes.h"
#include "render.h"

int main(void)
{
	struct tt_col c[TT_MAX_COLS];
	struct tt_opts o;
	int n;

	tt_opts_init(&o, "connect");
	n = connect_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID     COMM         IP SADDR            DADDR            DPORT\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport");
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,SADDR,DADDR,DPORT\n");

	o.rel_time = o.show_uid = o.show_lport = true;
	n = connect_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "TIME(s)   UID    PID     COMM         IP SADDR            LPORT  DADDR            DPORT\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport");

	tt_opts_init(&o, "connect");
	o.wall_time = o.wide = true;
	n = connect_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "TIME,PID,COMM,IP,SADDR,DADDR,DPORT\n");
	CHECK(c[2].field == TT_F_TIME_WALL);

	n = connect_count_cols(&o, c);
	CHECK_STR(keys(c, n), "family laddr raddr rport count");
	o.wide = false;
	n = connect_count_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "LADDR                     RADDR                     RPORT  CONNECTS\n");

	/* --outcome: RESULT and LAT(ms) after DPORT; JSON result, errno, latency_ns, syn_retrans. */
	tt_opts_init(&o, "connect");
	o.cfg.outcome = 1;
	n = connect_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID     COMM         IP SADDR            DADDR            DPORT RESULT        "
		  "LAT(ms)\n");
	CHECK_STR(keys(c, n),
		  "time event pid comm uid family laddr lport raddr rport result errno latency_ns "
		  "syn_retrans");
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,SADDR,DADDR,DPORT,RESULT,LAT(ms)\n");
	n = connect_count_cols(&o, c);
	CHECK_STR(keys(c, n), "family laddr raddr rport result count");
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "LADDR                     RADDR                     RPORT  RESULT      CONNECTS\n");

	/* -d: QUERY last in the table and CSV; its JSON keys after the others. */
	tt_opts_init(&o, "connect");
	enrich_opt(&o, TT_EVBIT(TT_EV_CONNECT), "-d");
	o.cfg.outcome = 1;
	n = connect_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID     COMM         IP SADDR            DADDR            DPORT RESULT        "
		  "LAT(ms) QUERY\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport result errno "
			      "latency_ns syn_retrans query query_cname query_age_ns query_stale "
			      "query_scope "
			      "query_candidates");
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,SADDR,DADDR,DPORT,RESULT,LAT(ms),QUERY\n");
	n = connect_count_cols(&o, c);
	CHECK_STR(keys(c, n), "family laddr raddr rport result count query");
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "LADDR                     RADDR                     RPORT  RESULT      CONNECTS "
		  "QUERY\n");
	CHECK(c[n - 1].by != NULL && !strcmp(c[n - 1].key, "query"));
	return tt_test_done("cols");
}
