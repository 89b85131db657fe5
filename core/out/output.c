// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The three writers of a row: a bcc-style table, NDJSON (one object per line,
 * complete escaping) and CSV (RFC 4180 quoting). All write to one buffered
 * stream that the runner flushes once per batch. Warnings of degraded
 * features go to stderr and, in JSON, to that stream too (tt_warn).
 */
#include <stdarg.h>
#include <string.h>

#include "core.h"
#include "out/output.h"

/* Length of the valid UTF-8 sequence at s (of at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Bytes that go into a JSON string as they are (printable ASCII but " and \). */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void tt_json_string(FILE *out, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);

	putc('"', out);
	while (n) {
		size_t len = 0;

		/* a run of plain bytes in one write: rows are mostly that */
		while (len < n && json_plain(s[len]))
			len++;
		if (len) {
			fwrite(s, 1, len, out);
			s += len;
			n -= len;
			continue;
		}
		len = utf8_len(s, n);
		if (len == 0) {
			fputs("\\ufffd", out); /* invalid UTF-8 byte */
			len = 1;
		} else if (*s == '"' || *s == '\\') {
			putc('\\', out);
			putc(*s, out);
		} else if (*s == '\n') {
			fputs("\\n", out);
		} else if (*s == '\t') {
			fputs("\\t", out);
		} else if (*s == '\r') {
			fputs("\\r", out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s);
		} else {
			fwrite(s, 1, len, out);
		}
		s += len;
		n -= len;
	}
	putc('"', out);
}

void tt_csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

static void table_cell(FILE *out, const struct tt_col *c, const char *text, bool last)
{
	int len = (int)strlen(text);

	if (c->trunc && len > c->trunc)
		len = c->trunc;
	if (last && !(c->flags & TT_COL_RIGHT))
		fprintf(out, "%.*s", len, text);
	else if (c->flags & TT_COL_RIGHT)
		fprintf(out, "%*.*s", c->width, len, text);
	else
		fprintf(out, "%-*.*s", c->width, len, text);
}

/* Columns shown by this writer: table/CSV need a title, JSON a key. */
static bool shown(const struct tt_writer *w, const struct tt_col *c)
{
	return w->fmt == TT_FMT_JSON ? c->key != NULL : c->title != NULL;
}

static int last_shown(const struct tt_writer *w)
{
	int i;

	for (i = w->ncols - 1; i > 0; i--)
		if (shown(w, &w->cols[i]))
			break;
	return i;
}

void tt_write_header(struct tt_writer *w)
{
	int i, last = last_shown(w);
	bool first = true;

	if (w->fmt == TT_FMT_JSON)
		return;
	for (i = 0; i < w->ncols; i++) {
		const struct tt_col *c = &w->cols[i];

		if (!shown(w, c))
			continue;
		if (!first)
			putc(w->fmt == TT_FMT_CSV ? ',' : ' ', w->out);
		first = false;
		if (w->fmt == TT_FMT_CSV)
			tt_csv_field(w->out, c->title);
		else
			table_cell(w->out, c, c->title, i == last);
	}
	putc('\n', w->out);
}

/* A JSON row built in memory, then written at once. */
struct jbuf {
	char b[4096];
	size_t n;
	bool full;
};

static void jput(struct jbuf *j, const char *s, size_t len)
{
	if (len > sizeof(j->b) - j->n) {
		j->full = true;
		return;
	}
	memcpy(j->b + j->n, s, len);
	j->n += len;
}

/*
 * The bytes of s up to its end, one by one: a row's pieces are a few bytes
 * each, where a call to memcpy() and strlen() for each cost more than the copy.
 */
static void jcopy(struct jbuf *j, const char *s)
{
	char *b = j->b + j->n, *end = j->b + sizeof(j->b);

	while (*s && b < end)
		*b++ = *s++;
	if (*s)
		j->full = true;
	j->n = (size_t)(b - j->b);
}

/* A string: plain bytes copied between quotes; anything else through tt_json_string(). */
static void jstring(struct jbuf *j, const char *s)
{
	char *b = j->b + j->n, *end = j->b + sizeof(j->b) - 1;

	if (b >= end) {
		j->full = true;
		return;
	}
	*b++ = '"';
	while (*s && b < end && json_plain((unsigned char)*s))
		*b++ = *s++;
	if (*s) {
		j->full = true; /* rare: a byte to escape, the row goes through stdio instead */
		return;
	}
	*b++ = '"';
	j->n = (size_t)(b - j->b);
}

/*
 * A JSON row whose strings are all plain (nearly every row) in one write;
 * false if it is not, and nothing was written.
 */
static bool json_row_fast(struct tt_writer *w, const struct tt_val *vals)
{
	struct jbuf j;
	bool first = true;
	int i;

	j.n = 0;
	j.full = false;
	jput(&j, "{", 1);
	for (i = 0; i < w->ncols && !j.full; i++) {
		const struct tt_col *c = &w->cols[i];
		const struct tt_val *v = &vals[i];

		if (!c->key)
			continue;
		/* keys are snake_case identifiers: nothing to escape */
		if (!first)
			jput(&j, ",", 1);
		first = false;
		jput(&j, "\"", 1);
		jcopy(&j, c->key);
		jput(&j, "\":", 2);
		if (v->kind == TT_J_NULL)
			jput(&j, "null", 4);
		else if (v->kind == TT_J_NUM || v->kind == TT_J_BOOL)
			jcopy(&j, tt_val_str(v));
		else
			jstring(&j, tt_val_str(v));
	}
	jput(&j, "}\n", 2);
	if (j.full)
		return false;
	fwrite(j.b, 1, j.n, w->out);
	return true;
}

void tt_write_row(struct tt_writer *w, const struct tt_val *vals)
{
	int i, last = last_shown(w);
	bool first = true;

	if (w->fmt == TT_FMT_JSON && json_row_fast(w, vals))
		return;
	if (w->fmt == TT_FMT_JSON)
		putc('{', w->out);
	for (i = 0; i < w->ncols; i++) {
		const struct tt_col *c = &w->cols[i];
		const struct tt_val *v = &vals[i];

		if (!shown(w, c))
			continue;
		if (!first)
			putc(w->fmt == TT_FMT_TABLE ? ' ' : ',', w->out);
		first = false;
		switch (w->fmt) {
		case TT_FMT_JSON:
			tt_json_string(w->out, c->key);
			putc(':', w->out);
			if (v->kind == TT_J_NULL)
				fputs("null", w->out);
			else if (v->kind == TT_J_NUM || v->kind == TT_J_BOOL)
				fputs(tt_val_str(v), w->out);
			else
				tt_json_string(w->out, tt_val_str(v));
			break;
		case TT_FMT_CSV:
			tt_csv_field(w->out, v->kind == TT_J_NULL ? "" : tt_val_str(v));
			break;
		case TT_FMT_TABLE:
			table_cell(w->out, c, tt_val_str(v), i == last);
			break;
		}
	}
	fputs(w->fmt == TT_FMT_JSON ? "}\n" : "\n", w->out);
}

void tt_write_src(struct tt_writer *w, const struct tt_src *src, struct tt_clock *c)
{
	struct tt_val vals[TT_MAX_COLS];
	int i;

	for (i = 0; i < w->ncols && i < TT_MAX_COLS; i++) {
		if (!shown(w, &w->cols[i]))
			continue;
		if (src->pre && w->cols[i].by)
			vals[i] = src->pre[i];
		else
			tt_field_format(&w->cols[i], src, c, &vals[i]);
	}
	tt_write_row(w, vals);
}

void tt_write_lost(struct tt_writer *w, uint64_t count)
{
	if (w->fmt == TT_FMT_JSON)
		fprintf(w->out, "{\"event\":\"lost\",\"count\":%llu}\n", (unsigned long long)count);
}

void tt_write_missed(struct tt_writer *w, uint64_t count)
{
	if (w->fmt == TT_FMT_JSON)
		fprintf(w->out, "{\"event\":\"missed\",\"count\":%llu}\n",
			(unsigned long long)count);
}

void tt_write_warning(struct tt_writer *w, const char *option, const char *message)
{
	if (w->fmt != TT_FMT_JSON)
		return;
	fputs("{\"event\":\"warning\",\"option\":", w->out);
	if (option)
		tt_json_string(w->out, option);
	else
		fputs("null", w->out);
	fputs(",\"message\":", w->out);
	tt_json_string(w->out, message);
	fputs("}\n", w->out);
}

void tt_write_counters(struct tt_writer *w, const char *event, const char *const *keys,
		       const uint64_t *vals, int n)
{
	int i;

	if (w->fmt != TT_FMT_JSON)
		return;
	fputs("{\"event\":", w->out);
	tt_json_string(w->out, event);
	for (i = 0; i < n; i++) {
		putc(',', w->out);
		tt_json_string(w->out, keys[i]);
		fprintf(w->out, ":%llu", (unsigned long long)vals[i]);
	}
	fputs("}\n", w->out);
}

void tt_warn(struct tt_writer *w, const char *what, const char *option, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, TT_PROG ": %s: %s\n", what, msg);
	tt_write_warning(w, option, msg);
}
