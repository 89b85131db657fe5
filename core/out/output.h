/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rows and their writers. A mode describes its output as a list of columns,
 * each naming a field of struct tt_event; the field formatter turns an event
 * into text (pure), and the three writers (bcc-style table, NDJSON, CSV)
 * render the same values.
 */
#ifndef TCPTRACE_OUTPUT_H
#define TCPTRACE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "tcptrace/event.h"

enum tt_format { TT_FMT_TABLE, TT_FMT_JSON, TT_FMT_CSV };

enum tt_field {
	TT_F_TIME_REL,	 /* seconds since the first event, 0.000 */
	TT_F_TIME_WALL,	 /* local HH:MM:SS */
	TT_F_TIME_ISO,	 /* RFC 3339 UTC with nanoseconds */
	TT_F_EVENT,	 /* accept | connect | close */
	TT_F_PID,
	TT_F_COMM,
	TT_F_UID,
	TT_F_IP,	 /* 4 | 6 */
	TT_F_LADDR,
	TT_F_LPORT,
	TT_F_RADDR,
	TT_F_RPORT,
	TT_F_BACKLOG,	 /* "cur/max" */
	TT_F_BACKLOG_CUR,
	TT_F_BACKLOG_MAX,
	TT_F_TX_KB,
	TT_F_RX_KB,
	TT_F_MS,
	TT_F_TX_BYTES,
	TT_F_RX_BYTES,
	TT_F_DURATION_NS,
	TT_F_COUNT,	 /* count mode: the aggregated count */
	TT_F_RESULT,	 /* connect --outcome: ok, refused, timeout, ... */
	TT_F_ERRNO,	 /* connect --outcome: ECONNREFUSED, ... or null */
	TT_F_SRTT_US,	 /* life: smoothed RTT, us; null before a sample */
	TT_F_MIN_RTT_US, /* life: lowest RTT seen, us; null before a sample */
	TT_F_RETRANS_SEGS, /* life: segments retransmitted; connect -O: SYNs resent */
	TT_F_SEGS_OUT,
	TT_F_SEGS_IN,
	TT_F_CLOSE_CAUSE, /* life: fin, rst, timeout, an errno's name, or null */
	TT_F_CLOSED_BY,	 /* life: local, remote or null */
	TT_F_RTT_MS,	 /* life --health: smoothed RTT in ms, 0.00 */
	TT_F_OWNER_SOURCE, /* life: syscall, fd or null (struct tt_event.owner_how) */
	TT_F_AT,	 /* life --open: start, interval, exit; null for a close */
	TT_F_AT_ROW,	 /* the same, "close" for a close (the table's AT) */
	TT_F_STATE,	 /* life --open: the session's TCP state: ESTABLISHED, ... CLOSE */
	TT_F_TX_DELTA,	 /* life --open: TX since the session's previous record */
	TT_F_RX_DELTA,
	/*
	 * Not a field: where the enrichers' table columns go (after COMM; first in
	 * -c rows). tt_enrich_cols() replaces it with them, or drops it.
	 */
	TT_F_ENRICH,
};

#define TT_COL_RIGHT (1u << 0) /* table: right-align */
#define TT_MAX_COLS 48	       /* columns of one row, JSON-only ones included */

struct tt_enricher;

struct tt_col {
	const char *title; /* table/CSV header; NULL: JSON only */
	const char *key;   /* JSON key; NULL: table/CSV only */
	int field;	   /* enum tt_field, or the enricher's own (by) */
	int width;	   /* table: pad to this width */
	int trunc;	   /* table: cut text to this many bytes (0: never) */
	unsigned flags;
	/*
	 * NULL: a field of the event; else the enricher whose field it is,
	 * formatted from what it added to the event (count mode keys its rows
	 * by the text of these too, core/out/count.c).
	 */
	const struct tt_enricher *by;
};

/* The mode's mark for the enrichers' table columns (TT_F_ENRICH). */
#define TT_COL_ENRICH ((struct tt_col){ .field = TT_F_ENRICH })

enum tt_json_kind { TT_J_STR, TT_J_NUM, TT_J_NULL, TT_J_BOOL };

#define TT_VAL_LEN 64
struct tt_val {
	char text[TT_VAL_LEN];
	enum tt_json_kind kind;
	/* Longer text (a cgroup path) that outlives the row, instead of text. */
	const char *ref;
};

static inline const char *tt_val_str(const struct tt_val *v)
{
	return v->ref ? v->ref : v->text;
}

/* Clock conversions for the time fields. */
struct tt_clock {
	uint64_t first_ns;	/* monotonic ns of the first event; 0 = none yet */
	int64_t mono_to_real;	/* realtime ns - monotonic ns, sampled at start */
	bool utc;		/* HH:MM:SS in UTC instead of local time (tests) */
	/* the last second broken down, and how (rows come many a second) */
	time_t tm_secs;
	int tm_how;		/* 0: none yet, 1: UTC, 2: local */
	struct tm tm;
};

struct tt_extra;

/* A row's source: an event, plus the count in count mode. */
struct tt_src {
	const struct tt_event *e;
	uint64_t count;
	const struct tt_extra *x; /* what the enrichment stage added; NULL: nothing */
	/* Count rows: the values of the enriched columns, by column; NULL: none. */
	const struct tt_val *pre;
	/* life --open: bytes since the session's previous record (TT_BYTES_UNKNOWN) */
	uint64_t tx_delta, rx_delta;
};

void tt_clock_init(struct tt_clock *c);
/*
 * The RESULT of a connect attempt from struct tt_event.err: "ok", "refused",
 * "timeout", "unreachable", "reset", "closed", "pending", or the errno's
 * name ("EADDRNOTAVAIL"). buf (>= 16 bytes) holds names it has to make up.
 */
const char *tt_result_name(int32_t err, char *buf, size_t len);
/* The errno's name of an err that is an errno, else NULL. */
const char *tt_errno_name(int32_t err);
/*
 * How a session ended, from the state it left for CLOSE and sk_err then
 * (struct tt_event.oldstate, .err; docs/json.md): "fin", "rst",
 * "timeout", the errno's name, or NULL (closed before its handshake ended,
 * nothing sent); and which end ended it, "local", "remote" or NULL.
 */
const char *tt_close_cause(unsigned oldstate, int32_t sk_err);
const char *tt_closed_by(unsigned oldstate, int32_t sk_err);
/* The kernel's name of a TCP state (TCP_ESTABLISHED: "ESTABLISHED"), or NULL. */
const char *tt_tcp_state_name(unsigned state);
/*
 * Formats one column's field of an event, the enrichers' through their
 * format() (pure except for localtime in TIME_WALL).
 */
void tt_field_format(const struct tt_col *col, const struct tt_src *src, struct tt_clock *c,
		     struct tt_val *out);

/* Values, for field formatters (core/out/fields.c and the enrichers'). */
void tt_val_set_num(struct tt_val *v, unsigned long long n);
void tt_val_set_str(struct tt_val *v, const char *s);
void tt_val_set_bool(struct tt_val *v, bool b);
void tt_val_set_null(struct tt_val *v); /* "-" in the table, null in JSON */
/*
 * Text that may be longer than v->text (a DNS name, a cgroup path): referred
 * to, not copied, so it must outlive the row; NULL: null.
 */
void tt_val_set_text(struct tt_val *v, const char *s);

struct tt_writer {
	FILE *out;
	enum tt_format fmt;
	const struct tt_col *cols;
	int ncols;
};

/* Header line (table, CSV); nothing for JSON. */
void tt_write_header(struct tt_writer *w);
void tt_write_row(struct tt_writer *w, const struct tt_val *vals);
/* Formats and writes the row of one source. */
void tt_write_src(struct tt_writer *w, const struct tt_src *src, struct tt_clock *c);
/* {"event":"lost","count":N} in JSON; nothing in other formats (stderr reports). */
void tt_write_lost(struct tt_writer *w, uint64_t count);
/* {"event":"missed","count":N}: runs the kernel skipped (recursion); JSON only too. */
void tt_write_missed(struct tt_writer *w, uint64_t count);
/*
 * {"event":"warning","option":...,"message":...}: a degraded feature; JSON
 * only. option: the option whose feature is degraded, or NULL (null) when
 * it is the mode's own.
 */
void tt_write_warning(struct tt_writer *w, const char *option, const char *message);
/*
 * A degraded feature, said once and never silently: "tcptrace: <what>:
 * <message>" on stderr and, in JSON, the warning line above on w.
 */
void tt_warn(struct tt_writer *w, const char *what, const char *option, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * {"event":event,"key":value,...}: an enricher's counters at exit; JSON
 * only (stderr reports them with -v).
 */
void tt_write_counters(struct tt_writer *w, const char *event, const char *const *keys,
		       const uint64_t *vals, int n);

/* Escapes text into a JSON string literal with its quotes. */
void tt_json_string(FILE *out, const char *s);
/* Writes text as one CSV field, quoted when it needs to be. */
void tt_csv_field(FILE *out, const char *s);

#endif /* TCPTRACE_OUTPUT_H */
