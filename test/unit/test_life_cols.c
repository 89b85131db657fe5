// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd/life.c: its columns for each option, as bcc's tcplife users expect
 * them, and the rows of a session rendered by each writer, with every value
 * known and with the owner, TX and duration unknown.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "modes.h"
#include "render.h"

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
	};
	int n;

	tt_opts_init(&o, "life");
	n = tt_life_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns");
	CHECK_STR(row(c, n, TT_FMT_TABLE, &e),
		  "4242  a-very-lon 198.18.0.1      41000 198.18.0.2      8080     97     4 "
		  "123.46\n");
	CHECK_STR(row(c, n, TT_FMT_JSON, &e),
		  "{\"time\":\"1970-01-01T00:00:01.123456789Z\",\"event\":\"close\",\"pid\":4242,"
		  "\"comm\":\"a-very-long-comm\",\"uid\":0,\"family\":4,\"laddr\":\"198.18.0.1\","
		  "\"lport\":41000,\"raddr\":\"198.18.0.2\",\"rport\":8080,\"tx_bytes\":100000,"
		  "\"rx_bytes\":5000,\"duration_ns\":123456789}\n");

	/* Opened before tracing: owner, TX and duration unknown; RX known. */
	e.pid = e.uid = TT_TASK_UNKNOWN;
	e.tx_bytes = TT_BYTES_UNKNOWN;
	e.start_ns = TT_TS_UNKNOWN;
	CHECK_STR(row(c, n, TT_FMT_TABLE, &e),
		  "-     -          198.18.0.1      41000 198.18.0.2      8080      -     4 -\n");
	CHECK_STR(row(c, n, TT_FMT_JSON, &e),
		  "{\"time\":\"1970-01-01T00:00:01.123456789Z\",\"event\":\"close\",\"pid\":null,"
		  "\"comm\":null,\"uid\":null,\"family\":4,\"laddr\":\"198.18.0.1\","
		  "\"lport\":41000,\"raddr\":\"198.18.0.2\",\"rport\":8080,\"tx_bytes\":null,"
		  "\"rx_bytes\":5000,\"duration_ns\":null}\n");

	/* CSV always has IP, and bcc's header; unknown values are empty. */
	o.fmt = TT_FMT_CSV;
	n = tt_life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n");
	CHECK_STR(row(c, n, TT_FMT_CSV, &e), ",,4,198.18.0.1,41000,198.18.0.2,8080,,4,\n");
	o.wall_time = o.rel_time = true;
	n = tt_life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV),
		  "TIME,TIME(s),PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n");

	/* -w: IP, IPv6-wide addresses, 16-byte COMM, 6-wide KB. */
	tt_opts_init(&o, "life");
	o.wide = o.rel_time = o.show_uid = true;
	n = tt_life_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "TIME(s)   UID    PID   COMM             IP LADDR                                   "
		  "LPORT RADDR                                   RPORT  TX_KB  RX_KB MS\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport "
			      "tx_bytes rx_bytes duration_ns");
	return tt_test_done("life_cols");
}
