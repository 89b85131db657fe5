// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/out/fields.c: every field of an event, known and unknown values. */
#include <errno.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "check.h"
#include "core.h"
#include "enrich/dns/dns.h"
#include "enrich/enrich.h"
#include "mode.h"
#include "out/output.h"

static struct tt_clock clk = { .first_ns = 0, .mono_to_real = 1700000000LL * 1000000000LL,
			       .utc = true };

static const char *fmt(enum tt_field f, const struct tt_event *e, uint64_t count,
		       enum tt_json_kind *kind)
{
	static struct tt_val v;
	struct tt_src src = { .e = e, .count = count };
	struct tt_col col = { .field = f };

	tt_field_format(&col, &src, &clk, &v);
	if (kind)
		*kind = v.kind;
	return v.text;
}

extern const struct tt_enricher tt_dns_enricher;

/* The dns enricher's column whose JSON key is key, as tt_enrich_cols() gives it. */
static struct tt_col dns_col(const char *key)
{
	struct tt_col c[TT_MAX_COLS];
	struct tt_opts o;
	int i, n;

	tt_opts_init(&o, "connect");
	n = tt_dns_enricher.cols(&o, NULL, TT_PLACE_TAIL, false, c);
	for (i = 0; i < n; i++)
		if (c[i].key && !strcmp(c[i].key, key)) {
			c[i].by = &tt_dns_enricher;
			return c[i];
		}
	CHECK(!"no such key");
	return c[0];
}

/* --dns: every field null without a name; a long name referred to, not cut. */
static void test_query_fields(void)
{
	static const char *const keys[] = { "query", "query_cname", "query_age_ns", "query_stale",
					    "query_scope", "query_candidates" };
	static char long_name[1025];
	struct tt_event e = { .type = TT_EV_CONNECT };
	struct tt_dns_info d = { .query = "a.tt.test", .age_ns = 7, .candidates = 2,
				 .scope = TT_DNS_SCOPE_NETNS, .stale = true };
	struct tt_extra x = { .by = { &tt_dns_enricher }, .data = { &d } };
	struct tt_src src = { .e = &e, .x = &x };
	struct tt_col query = dns_col("query");
	struct tt_val v;
	size_t i;

	tt_field_format(&query, &src, &clk, &v);
	CHECK_STR(tt_val_str(&v), "a.tt.test");
	CHECK(v.kind == TT_J_STR && !v.ref);
	CHECK_STR(query.title, "QUERY");
	tt_field_format(&(struct tt_col){ 0 }, &src, &clk, &v); /* an event field still */
	CHECK(v.kind == TT_J_NUM);
	query = dns_col("query_cname");
	tt_field_format(&query, &src, &clk, &v);
	CHECK(v.kind == TT_J_NULL);
	query = dns_col("query_stale");
	tt_field_format(&query, &src, &clk, &v);
	CHECK_STR(v.text, "true");
	CHECK(v.kind == TT_J_BOOL);
	query = dns_col("query_scope");
	tt_field_format(&query, &src, &clk, &v);
	CHECK_STR(v.text, "netns");
	query = dns_col("query_candidates");
	tt_field_format(&query, &src, &clk, &v);
	CHECK_STR(v.text, "2");
	query = dns_col("query_age_ns");
	tt_field_format(&query, &src, &clk, &v);
	CHECK_STR(v.text, "7");
	memset(long_name, 'n', sizeof(long_name) - 1);
	d.query = long_name;
	query = dns_col("query");
	tt_field_format(&query, &src, &clk, &v);
	CHECK(v.ref == long_name && strlen(tt_val_str(&v)) == 1024);
	d.query = NULL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		query = dns_col(keys[i]);
		tt_field_format(&query, &src, &clk, &v);
		CHECK(v.kind == TT_J_NULL && !strcmp(v.text, "-"));
	}
	src.x = NULL;
	query = dns_col("query");
	tt_field_format(&query, &src, &clk, &v);
	CHECK(v.kind == TT_J_NULL);
}

/*
 * How a session ended, for every way the kernel ends one (the comment in
 * core/out/fields.c): (state left for CLOSE, sk_err) -> cause, by whom.
 */
static void test_close_cause(void)
{
	static const struct {
		unsigned oldstate;
		int err;
		const char *cause, *by;
	} cases[] = {
		{ TCP_FIN_WAIT2, 0, "fin", "local" },	      /* our FIN, then theirs (time-wait) */
		{ TCP_CLOSING, 0, "fin", "local" },	      /* FINs crossed, ours first */
		{ TCP_LAST_ACK, 0, "fin", "remote" },	      /* their FIN, then ours acked */
		{ TCP_ESTABLISHED, ECONNRESET, "rst", "remote" }, /* reset received */
		{ TCP_CLOSE_WAIT, EPIPE, "rst", "remote" },	      /* their FIN, then a reset */
		{ TCP_FIN_WAIT1, ECONNRESET, "rst", "local" },     /* our FIN, answered by a reset */
		{ TCP_SYN_SENT, ECONNREFUSED, "rst", "remote" },   /* refused */
		{ TCP_ESTABLISHED, 0, "rst", "local" },	      /* SO_LINGER 0, unread data */
		{ TCP_CLOSE_WAIT, 0, "rst", "remote" },	      /* their FIN, our abort */
		{ TCP_FIN_WAIT1, 0, "rst", "local" },	      /* close(2) with unread data */
		{ TCP_SYN_RECV, 0, "rst", "local" },	      /* a listener's close drops it */
		{ TCP_ESTABLISHED, ETIMEDOUT, "timeout", "local" }, /* keepalive, retransmissions */
		{ TCP_LAST_ACK, ETIMEDOUT, "timeout", "remote" },   /* our FIN never acked */
		{ TCP_SYN_SENT, EHOSTUNREACH, "EHOSTUNREACH", NULL },
		{ TCP_SYN_SENT, 0, NULL, "local" },		      /* closed before any answer */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *cause = tt_close_cause(cases[i].oldstate, cases[i].err);
		const char *by = tt_closed_by(cases[i].oldstate, cases[i].err);

		CHECK_STR(cause ? cause : "(null)", cases[i].cause ? cases[i].cause : "(null)");
		CHECK_STR(by ? by : "(null)", cases[i].by ? cases[i].by : "(null)");
	}
}

/* owner_source: how life learnt a session's owner. */
static void test_owner_source(void)
{
	struct tt_event e = { .pid = 7, .owner_how = TT_OWNER_CONNECT };
	enum tt_json_kind k;

	CHECK_STR(fmt(TT_F_OWNER_SOURCE, &e, 0, &k), "syscall");
	e.owner_how = TT_OWNER_ACCEPT;
	CHECK_STR(fmt(TT_F_OWNER_SOURCE, &e, 0, &k), "syscall");
	e.owner_how = TT_OWNER_CLOSE;
	CHECK_STR(fmt(TT_F_OWNER_SOURCE, &e, 0, &k), "fd");
	CHECK(k == TT_J_STR);
	e.owner_how = TT_OWNER_NONE;
	e.pid = TT_TASK_UNKNOWN;
	fmt(TT_F_OWNER_SOURCE, &e, 0, &k);
	CHECK(k == TT_J_NULL);
}

/* life --open: an open record's AT, STATE and deltas; TX whose direction is unknown. */
static void test_open_records(void)
{
	struct tt_event e = { .type = TT_EV_OPEN, .oldstate = 8 /* CLOSE_WAIT */, .tx_bytes = 7,
			      .rx_bytes = 9, .err = 104 };
	struct tt_src src = { .e = &e, .tx_delta = 3, .rx_delta = TT_BYTES_UNKNOWN };
	struct tt_col json_at = { .key = "at", .field = TT_F_AT };
	struct tt_col table_at = { .title = "AT", .field = TT_F_AT_ROW };
	struct tt_val v;

	e.flags = TT_AT_INTERVAL << TT_EVF_AT_SHIFT;
	CHECK_STR(fmt(TT_F_EVENT, &e, 0, NULL), "open");
	tt_field_format(&json_at, &src, &clk, &v);
	CHECK_STR(v.text, "interval");
	e.flags = TT_AT_START << TT_EVF_AT_SHIFT;
	tt_field_format(&table_at, &src, &clk, &v);
	CHECK_STR(v.text, "start");
	e.flags = TT_AT_EXIT << TT_EVF_AT_SHIFT;
	tt_field_format(&json_at, &src, &clk, &v);
	CHECK_STR(v.text, "exit");
	CHECK_STR(fmt(TT_F_STATE, &e, 0, NULL), "CLOSE_WAIT");
	/* an open record has not ended: no cause, whatever sk_err holds */
	CHECK(v.kind == TT_J_STR);
	fmt(TT_F_CLOSE_CAUSE, &e, 0, &v.kind);
	CHECK(v.kind == TT_J_NULL);
	fmt(TT_F_CLOSED_BY, &e, 0, &v.kind);
	CHECK(v.kind == TT_J_NULL);
	{
		struct tt_col c = { .key = "tx_bytes_delta", .field = TT_F_TX_DELTA };

		tt_field_format(&c, &src, &clk, &v);
		CHECK_STR(v.text, "3");
		c.field = TT_F_RX_DELTA;
		tt_field_format(&c, &src, &clk, &v);
		CHECK(v.kind == TT_J_NULL);
	}
	/* a close record: AT null in JSON, "close" in the table; state CLOSE */
	e.type = TT_EV_CLOSE;
	e.flags = 0;
	tt_field_format(&json_at, &src, &clk, &v);
	CHECK(v.kind == TT_J_NULL);
	tt_field_format(&table_at, &src, &clk, &v);
	CHECK_STR(v.text, "close");
	CHECK_STR(fmt(TT_F_STATE, &e, 0, NULL), "CLOSE");
	/* TX still counting an active open's SYN: unknown until user space decides */
	CHECK_STR(fmt(TT_F_TX_BYTES, &e, 0, NULL), "7");
	e.flags = TT_EVF_TX_RAW;
	fmt(TT_F_TX_BYTES, &e, 0, &v.kind);
	CHECK(v.kind == TT_J_NULL);
	fmt(TT_F_TX_KB, &e, 0, &v.kind);
	CHECK(v.kind == TT_J_NULL);
	CHECK(tt_tcp_state_name(1) && !strcmp(tt_tcp_state_name(1), "ESTABLISHED"));
	CHECK(tt_tcp_state_name(0) == NULL && tt_tcp_state_name(13) == NULL);
	/* the owner found holding the fd */
	e.owner_how = TT_OWNER_FD;
	e.pid = 42;
	CHECK_STR(fmt(TT_F_OWNER_SOURCE, &e, 0, NULL), "fd");
}

int main(void)
{
	test_open_records();
	test_query_fields();
	test_close_cause();
	test_owner_source();
	struct tt_event e = {
		.ts_ns = 5000000000ull,
		.start_ns = 3999000000ull,
		.tx_bytes = 100000,
		.rx_bytes = 5000,
		.pid = 1234,
		.uid = 65534,
		.backlog = 3,
		.backlog_max = 16,
		.family = AF_INET,
		.lport = 40000,
		.rport = 80,
		.type = TT_EV_CONNECT,
		.laddr = { 198, 18, 0, 1 },
		.raddr = { 198, 18, 0, 2 },
		.comm = "curl",
	};
	enum tt_json_kind k;

	/* 1700000005 s = 2023-11-14T22:13:25Z */
	CHECK_STR(fmt(TT_F_TIME_ISO, &e, 0, &k), "2023-11-14T22:13:25.000000000Z");
	CHECK(k == TT_J_STR);
	CHECK_STR(fmt(TT_F_TIME_WALL, &e, 0, NULL), "22:13:25");
	CHECK_STR(fmt(TT_F_TIME_REL, &e, 0, &k), "0.000"); /* the first event sets the origin */
	CHECK(k == TT_J_NUM);
	e.ts_ns += 1500000000ull;
	CHECK_STR(fmt(TT_F_TIME_REL, &e, 0, NULL), "1.500");
	CHECK_STR(fmt(TT_F_EVENT, &e, 0, NULL), "connect");
	e.type = TT_EV_ACCEPT;
	CHECK_STR(fmt(TT_F_EVENT, &e, 0, NULL), "accept");
	e.type = TT_EV_CLOSE;
	CHECK_STR(fmt(TT_F_EVENT, &e, 0, NULL), "close");
	CHECK_STR(fmt(TT_F_PID, &e, 0, &k), "1234");
	CHECK(k == TT_J_NUM);
	CHECK_STR(fmt(TT_F_UID, &e, 0, NULL), "65534");
	CHECK_STR(fmt(TT_F_COMM, &e, 0, &k), "curl");
	CHECK(k == TT_J_STR);
	CHECK_STR(fmt(TT_F_IP, &e, 0, NULL), "4");
	CHECK_STR(fmt(TT_F_LADDR, &e, 0, NULL), "198.18.0.1");
	CHECK_STR(fmt(TT_F_RADDR, &e, 0, NULL), "198.18.0.2");
	CHECK_STR(fmt(TT_F_LPORT, &e, 0, NULL), "40000");
	CHECK_STR(fmt(TT_F_RPORT, &e, 0, NULL), "80");
	CHECK_STR(fmt(TT_F_BACKLOG, &e, 0, &k), "3/16");
	CHECK_STR(fmt(TT_F_BACKLOG_CUR, &e, 0, NULL), "3");
	CHECK_STR(fmt(TT_F_BACKLOG_MAX, &e, 0, NULL), "16");
	CHECK_STR(fmt(TT_F_TX_KB, &e, 0, NULL), "97");
	CHECK_STR(fmt(TT_F_RX_KB, &e, 0, NULL), "4");
	CHECK_STR(fmt(TT_F_TX_BYTES, &e, 0, NULL), "100000");
	CHECK_STR(fmt(TT_F_RX_BYTES, &e, 0, NULL), "5000");
	CHECK_STR(fmt(TT_F_MS, &e, 0, &k), "2501.00");
	CHECK(k == TT_J_NUM);
	CHECK_STR(fmt(TT_F_DURATION_NS, &e, 0, NULL), "2501000000");
	CHECK_STR(fmt(TT_F_COUNT, &e, 77, NULL), "77");

	/* A full 16-byte comm has no NUL: never read past it. */
	memcpy(e.comm, "0123456789abcdef", 16);
	CHECK_STR(fmt(TT_F_COMM, &e, 0, NULL), "0123456789abcdef");

	/* Unknown owner and birth: "-" in text, null in JSON. */
	e.pid = TT_TASK_UNKNOWN;
	e.uid = TT_TASK_UNKNOWN;
	e.start_ns = TT_TS_UNKNOWN;
	CHECK_STR(fmt(TT_F_PID, &e, 0, &k), "-");
	CHECK(k == TT_J_NULL);
	CHECK_STR(fmt(TT_F_COMM, &e, 0, &k), "-");
	CHECK(k == TT_J_NULL);
	CHECK_STR(fmt(TT_F_UID, &e, 0, &k), "-");
	CHECK(k == TT_J_NULL);
	CHECK_STR(fmt(TT_F_MS, &e, 0, &k), "-");
	CHECK(k == TT_J_NULL);
	CHECK_STR(fmt(TT_F_DURATION_NS, &e, 0, &k), "-");
	CHECK(k == TT_J_NULL);

	e.family = AF_INET6;
	memset(e.laddr, 0, 16);
	e.laddr[15] = 1;
	CHECK_STR(fmt(TT_F_IP, &e, 0, NULL), "6");
	CHECK_STR(fmt(TT_F_LADDR, &e, 0, NULL), "::1");

	/* connect --outcome: RESULT, errno, latency. */
	{
		static const struct {
			int32_t err;
			const char *result, *errno_name;
		} r[] = {
			{ 0, "ok", NULL },
			{ ECONNREFUSED, "refused", "ECONNREFUSED" },
			{ ETIMEDOUT, "timeout", "ETIMEDOUT" },
			{ EHOSTUNREACH, "unreachable", "EHOSTUNREACH" },
			{ ENETUNREACH, "unreachable", "ENETUNREACH" },
			{ ECONNRESET, "reset", "ECONNRESET" },
			{ EADDRNOTAVAIL, "EADDRNOTAVAIL", "EADDRNOTAVAIL" },
			{ EACCES, "EACCES", "EACCES" },
			{ TT_RES_CLOSED, "closed", NULL },
			{ TT_RES_PENDING, "pending", NULL },
			{ 4000, "error-4000", NULL },
		};
		enum tt_json_kind kind;
		size_t i;

		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			e.err = r[i].err;
			CHECK_STR(fmt(TT_F_RESULT, &e, 0, &kind), r[i].result);
			CHECK(kind == TT_J_STR);
			CHECK_STR(fmt(TT_F_ERRNO, &e, 0, &kind),
				  r[i].errno_name ? r[i].errno_name : "-");
			CHECK(kind == (r[i].errno_name ? TT_J_STR : TT_J_NULL));
		}
		e.ts_ns = 2000000000ull;
		e.start_ns = 1000000000ull - 1234567;
		CHECK_STR(fmt(TT_F_MS, &e, 0, NULL), "1001.23");
		CHECK_STR(fmt(TT_F_DURATION_NS, &e, 0, NULL), "1001234567");
		e.start_ns = e.ts_ns; /* failed before any SYN */
		CHECK_STR(fmt(TT_F_MS, &e, 0, NULL), "0.00");
	}
	return tt_test_done("fields");
}
