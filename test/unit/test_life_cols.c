// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd/life.c: its columns for each option, as bcc's tcplife users expect
 * them, and the rows of a session rendered by each writer, with every value
 * known and with the owner, TX and duration unknown.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "enrich/dns/dns.h"
#include "enrich/enrich.h"
#include "modes.h"
#include "render.h"

extern const struct tt_enricher tt_dns_enricher;

/* One event with what --dns added through a column list. */
static const char *dns_row(const struct tt_col *cols, int n, enum tt_format fmt,
			   const struct tt_event *e, const struct tt_dns_info *d)
{
	struct tt_clock clk = { .utc = true };
	struct tt_writer w = { .fmt = fmt, .cols = cols, .ncols = n };
	struct tt_extra x = { .by = { &tt_dns_enricher }, .data = { d } };
	struct tt_src src = { .e = e, .x = &x };

	tt_test_open(&w);
	tt_write_src(&w, &src, &clk);
	fclose(w.out);
	return tt_test_mem;
}

int main(void)
{
	struct tt_col c[TT_MAX_COLS];
	struct tt_opts o;
	struct tt_event e = {
		.ts_ns = 1000000000ull + 123456789ull,
		.start_ns = 1000000000ull,
		.tx_bytes = 100000,
		.rx_bytes = 5000,
		.pid = 4242,
		.uid = 0,
		.family = AF_INET,
		.lport = 41000,
		.rport = 8080,
		.type = TT_EV_CLOSE,
		.laddr = { 198, 18, 0, 1 },
		.raddr = { 198, 18, 0, 2 },
		.comm = "a-very-long-comm",
		.srtt_us = 1234,
		.min_rtt_us = 987,
		.retrans_segs = 3,
		.segs_out = 80,
		.segs_in = 70,
		.oldstate = TCP_FIN_WAIT2,
		.owner_how = TT_OWNER_CONNECT,
	};
	int n;

	tt_opts_init(&o, "life");
	n = life_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns srtt_us min_rtt_us retrans_segs segs_out segs_in close_cause closed_by owner_source");
	CHECK_STR(row(c, n, TT_FMT_TABLE, &e),
		  "4242  a-very-lon 198.18.0.1      41000 198.18.0.2      8080     97     4 "
		  "123.46\n");
	CHECK_STR(row(c, n, TT_FMT_JSON, &e),
		  "{\"time\":\"1970-01-01T00:00:01.123456789Z\",\"event\":\"close\",\"pid\":4242,"
		  "\"comm\":\"a-very-long-comm\",\"uid\":0,\"family\":4,\"laddr\":\"198.18.0.1\","
		  "\"lport\":41000,\"raddr\":\"198.18.0.2\",\"rport\":8080,\"tx_bytes\":100000,"
		  "\"rx_bytes\":5000,\"duration_ns\":123456789,\"srtt_us\":1234,"
		  "\"min_rtt_us\":987,\"retrans_segs\":3,\"segs_out\":80,\"segs_in\":70,"
		  "\"close_cause\":\"fin\",\"closed_by\":\"local\",\"owner_source\":\"syscall\"}\n");

	/* Opened before tracing: owner, TX and duration unknown; RX known. */
	e.pid = e.uid = TT_TASK_UNKNOWN;
	e.owner_how = TT_OWNER_NONE;
	e.tx_bytes = TT_BYTES_UNKNOWN;
	e.start_ns = TT_TS_UNKNOWN;
	/* no RTT sample yet; reset by the peer */
	e.srtt_us = 0;
	e.min_rtt_us = TT_RTT_NONE;
	e.oldstate = TCP_ESTABLISHED;
	e.err = ECONNRESET;
	CHECK_STR(row(c, n, TT_FMT_TABLE, &e),
		  "-     -          198.18.0.1      41000 198.18.0.2      8080      -     4 -\n");
	CHECK_STR(row(c, n, TT_FMT_JSON, &e),
		  "{\"time\":\"1970-01-01T00:00:01.123456789Z\",\"event\":\"close\",\"pid\":null,"
		  "\"comm\":null,\"uid\":null,\"family\":4,\"laddr\":\"198.18.0.1\","
		  "\"lport\":41000,\"raddr\":\"198.18.0.2\",\"rport\":8080,\"tx_bytes\":null,"
		  "\"rx_bytes\":5000,\"duration_ns\":null,\"srtt_us\":null,"
		  "\"min_rtt_us\":null,\"retrans_segs\":3,\"segs_out\":80,\"segs_in\":70,"
		  "\"close_cause\":\"rst\",\"closed_by\":\"remote\",\"owner_source\":null}\n");

	/* --health: RTT(ms) and RETR after MS, in the table and CSV only */
	o.health = true;
	n = life_cols(&o, c);
	e.srtt_us = 1234;
	CHECK_STR(header(c, n, TT_FMT_TABLE), "PID   COMM       LADDR           LPORT RADDR           "
					       "RPORT TX_KB RX_KB        MS  RTT(ms)  RETR\n");
	CHECK_STR(row(c, n, TT_FMT_TABLE, &e),
		  "-     -          198.18.0.1      41000 198.18.0.2      8080      -     4         - "
		  "    1.23     3\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns srtt_us min_rtt_us retrans_segs segs_out segs_in close_cause closed_by owner_source");
	o.fmt = TT_FMT_CSV;
	n = life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS,RTT(ms),RETR\n");
	CHECK_STR(row(c, n, TT_FMT_CSV, &e), ",,4,198.18.0.1,41000,198.18.0.2,8080,,4,,1.23,3\n");
	e.srtt_us = 0;
	tt_opts_init(&o, "life");

	/* CSV always has IP, and bcc's header; unknown values are empty. */
	o.fmt = TT_FMT_CSV;
	n = life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n");
	CHECK_STR(row(c, n, TT_FMT_CSV, &e), ",,4,198.18.0.1,41000,198.18.0.2,8080,,4,\n");
	o.wall_time = o.rel_time = true;
	n = life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV),
		  "TIME,TIME(s),PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n");

	/* -w: IP, IPv6-wide addresses, 16-byte COMM, 6-wide KB. */
	tt_opts_init(&o, "life");
	o.wide = o.rel_time = o.show_uid = true;
	n = life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "TIME(s)   UID    PID   COMM             IP LADDR                                   "
		  "LPORT RADDR                                   RPORT  TX_KB  RX_KB MS\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns srtt_us min_rtt_us retrans_segs segs_out segs_in close_cause closed_by owner_source");

	/* -d: QUERY last; the name of a session opened here, unknown (null, '-') else. */
	tt_opts_init(&o, "life");
	enrich_opt(&o, TT_EVBIT(TT_EV_CLOSE), "-d");
	n = life_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS QUERY\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns srtt_us min_rtt_us retrans_segs segs_out segs_in close_cause closed_by owner_source "
			      "query query_cname query_age_ns "
			      "query_stale query_scope query_candidates");
	{
		struct tt_dns_info d = { .query = "db.tt.test", .cname = "db-1.internal.tt.test",
					 .age_ns = 2500000, .candidates = 1,
					 .scope = TT_DNS_SCOPE_PROCESS };

		e.pid = 4242;
		e.owner_how = TT_OWNER_CONNECT;
		e.tx_bytes = 100000;
		e.start_ns = 1000000000ull;
		CHECK_STR(dns_row(c, n, TT_FMT_TABLE, &e, &d),
			  "4242  a-very-lon 198.18.0.1      41000 198.18.0.2      8080     97     4 "
			  "123.46 db.tt.test\n");
		CHECK(strstr(dns_row(c, n, TT_FMT_JSON, &e, &d),
			  ",\"duration_ns\":123456789,\"srtt_us\":null,\"min_rtt_us\":null,"
			  "\"retrans_segs\":3,\"segs_out\":80,\"segs_in\":70,\"close_cause\":\"rst\","
			  "\"closed_by\":\"remote\",\"owner_source\":\"syscall\",\"query\":\"db.tt.test\",\"query_cname\":\"db-1.internal.tt.test\","
			  "\"query_age_ns\":2500000,\"query_stale\":false,\"query_scope\":\"process\","
			  "\"query_candidates\":1}\n"));
		d.cname = NULL;
		d.stale = true;
		d.scope = TT_DNS_SCOPE_NETNS;
		d.candidates = 3;
		CHECK(strstr(dns_row(c, n, TT_FMT_JSON, &e, &d),
			     "\"query_cname\":null,\"query_age_ns\":2500000,\"query_stale\":true,"
			     "\"query_scope\":\"netns\",\"query_candidates\":3}"));
		d.query = NULL;
		CHECK(strstr(dns_row(c, n, TT_FMT_JSON, &e, &d),
			     "\"query\":null,\"query_cname\":null,\"query_age_ns\":null,"
			     "\"query_stale\":null,\"query_scope\":null,\"query_candidates\":null}"));
		CHECK(strstr(dns_row(c, n, TT_FMT_TABLE, &e, NULL), " 123.46 -\n"));
		o.fmt = TT_FMT_CSV;
		n = life_cols(&o, c);
		CHECK_STR(dns_row(c, n, TT_FMT_CSV, &e, NULL),
			  "4242,a-very-long-comm,4,198.18.0.1,41000,198.18.0.2,8080,97,4,123.46,\n");
	}
	return tt_test_done("life_cols");
}
