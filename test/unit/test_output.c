// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* core/out/output.c: JSON escaping, CSV quoting, table layout, lost lines. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "out/output.h"

static char *mem;
static size_t memlen;

static FILE *open_mem(void)
{
	free(mem);
	mem = NULL;
	return open_memstream(&mem, &memlen);
}

static const char *json(const char *s)
{
	FILE *f = open_mem();

	tt_json_string(f, s);
	fclose(f);
	return mem;
}

static const char *csv(const char *s)
{
	FILE *f = open_mem();

	tt_csv_field(f, s);
	fclose(f);
	return mem;
}

/* tt_warn(): one stderr line, and the JSON line in JSON only. */
static void test_warn(void)
{
	char err[256] = "";
	int fd = fileno(tmpfile()), saved = dup(2);
	FILE *f = open_mem();
	struct tt_writer w = { .out = f, .fmt = TT_FMT_JSON };

	fflush(stderr);
	dup2(fd, 2);
	tt_warn(&w, "connect", NULL, "%s is %d", "kernel.perf_event_paranoid", 3);
	w.fmt = TT_FMT_TABLE;
	tt_warn(&w, "life", "-c", "%d events not counted", 7);
	fflush(stderr);
	dup2(saved, 2);
	fclose(f);
	CHECK(pread(fd, err, sizeof(err) - 1, 0) > 0);
	CHECK_STR(err, "tcptrace: connect: kernel.perf_event_paranoid is 3\n"
		       "tcptrace: life: 7 events not counted\n");
	CHECK_STR(mem, "{\"event\":\"warning\",\"option\":null,\"message\":"
		       "\"kernel.perf_event_paranoid is 3\"}\n");
	free(mem);
	mem = NULL;
}

static const struct tt_col cols[] = {
	{ .key = "time", .field = TT_F_TIME_ISO },
	{ "PID", "pid", TT_F_PID, 7 },
	{ "COMM", "comm", TT_F_COMM, 6, 4 },
	{ "TX_KB", "tx", TT_F_TX_KB, 5, 0, TT_COL_RIGHT },
	{ "MS", "ms", TT_F_MS, 4 },
};

static const char *row(enum tt_format fmt, bool header)
{
	struct tt_val v[5] = {
		{ "2026-01-01T00:00:00.000000000Z", TT_J_STR },
		{ "42", TT_J_NUM },
		{ "a,\"b\"", TT_J_STR },
		{ "7", TT_J_NUM },
		{ "-", TT_J_NULL },
	};
	struct tt_writer w = { .fmt = fmt, .cols = cols, .ncols = 5 };

	w.out = open_mem();
	if (header)
		tt_write_header(&w);
	tt_write_row(&w, v);
	fclose(w.out);
	return mem;
}

int main(void)
{
	FILE *f;

	CHECK_STR(json("plain"), "\"plain\"");
	CHECK_STR(json("q\"b\\s/"), "\"q\\\"b\\\\s/\"");
	CHECK_STR(json("\n\t\r\x01\x1f\x7f"), "\"\\n\\t\\r\\u0001\\u001f\\u007f\"");
	CHECK_STR(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");		   /* valid UTF-8 kept */
	CHECK_STR(json("\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
	CHECK_STR(json("a\xff" "b"), "\"a\\ufffdb\"");		   /* invalid byte */
	CHECK_STR(json("\xc3"), "\"\\ufffd\"");			   /* truncated sequence */
	CHECK_STR(json("\xc0\xaf"), "\"\\ufffd\\ufffd\"");		   /* overlong */
	CHECK_STR(json("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	CHECK_STR(json("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	CHECK_STR(json(""), "\"\"");

	CHECK_STR(csv("plain"), "plain");
	CHECK_STR(csv("a,b"), "\"a,b\"");
	CHECK_STR(csv("say \"hi\""), "\"say \"\"hi\"\"\"");
	CHECK_STR(csv("line\nbreak"), "\"line\nbreak\"");
	CHECK_STR(csv("cr\r"), "\"cr\r\"");
	CHECK_STR(csv(""), "");

	CHECK_STR(row(TT_FMT_JSON, true), "{\"time\":\"2026-01-01T00:00:00.000000000Z\",\"pid\":42,"
					  "\"comm\":\"a,\\\"b\\\"\",\"tx\":7,\"ms\":null}\n");
	CHECK_STR(row(TT_FMT_CSV, true), "PID,COMM,TX_KB,MS\n42,\"a,\"\"b\"\"\",7,\n");
	/* Table: padded, truncated, right-aligned, last column unpadded. */
	CHECK_STR(row(TT_FMT_TABLE, true), "PID     COMM   TX_KB MS\n"
					   "42      a,\"b       7 -\n");

	f = open_mem();
	{
		struct tt_writer w = { .out = f, .fmt = TT_FMT_JSON, .cols = cols, .ncols = 5 };

		tt_write_lost(&w, 12);
		w.fmt = TT_FMT_TABLE;
		tt_write_lost(&w, 3); /* table/CSV report losses on stderr only */
		tt_write_warning(&w, "-c", "table: stderr only");
		w.fmt = TT_FMT_JSON;
		tt_write_warning(&w, NULL, "the mode's \"own\"");
		tt_write_warning(&w, "-c", "x");
	}
	fclose(f);
	CHECK_STR(mem, "{\"event\":\"lost\",\"count\":12}\n"
		       "{\"event\":\"warning\",\"option\":null,\"message\":\"the mode's \\\"own\\\"\"}\n"
		       "{\"event\":\"warning\",\"option\":\"-c\",\"message\":\"x\"}\n");

	/* an enricher's counters: JSON only */
	f = open_mem();
	{
		static const char *const k[] = { "replies", "lost" };
		static const uint64_t n[] = { 7, 0 };
		struct tt_writer w = { .out = f, .fmt = TT_FMT_JSON };

		tt_write_counters(&w, "dns", k, n, 2);
		w.fmt = TT_FMT_CSV;
		tt_write_counters(&w, "dns", k, n, 2);
	}
	fclose(f);
	CHECK_STR(mem, "{\"event\":\"dns\",\"replies\":7,\"lost\":0}\n");
	test_warn(); /* (frees mem) */
	return tt_test_done("output");
}
