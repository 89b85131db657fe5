// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One event field to text: the pure half of every row. */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "enrich/enrich.h"
#include "out/output.h"

void tt_clock_init(struct tt_clock *c)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	c->first_ns = 0;
	c->mono_to_real = (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
	c->utc = false;
	c->tm_how = 0;
}

/* Digits by hand: a row has a dozen numbers, and snprintf() was most of its cost. */
void tt_val_set_num(struct tt_val *v, unsigned long long n)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	memcpy(v->text, tmp + i, sizeof(tmp) - i);
	v->text[sizeof(tmp) - i] = '\0';
	v->kind = TT_J_NUM;
}

/* The n bytes of s as the text, cut to what it holds. */
static void set_str_n(struct tt_val *v, const char *s, size_t n)
{
	if (n > sizeof(v->text) - 1)
		n = sizeof(v->text) - 1;
	memcpy(v->text, s, n);
	v->text[n] = '\0';
	v->kind = TT_J_STR;
}

void tt_val_set_str(struct tt_val *v, const char *s)
{
	set_str_n(v, s, strlen(s));
}

void tt_val_set_bool(struct tt_val *v, bool b)
{
	snprintf(v->text, sizeof(v->text), "%s", b ? "true" : "false");
	v->kind = TT_J_BOOL;
}

void tt_val_set_null(struct tt_val *v)
{
	memcpy(v->text, "-", 2);
	v->kind = TT_J_NULL;
}

void tt_val_set_text(struct tt_val *v, const char *s)
{
	size_t n;

	if (!s) {
		tt_val_set_null(v);
		return;
	}
	n = strlen(s);
	if (n < sizeof(v->text)) {
		set_str_n(v, s, n);
		return;
	}
	set_str_n(v, "", 0);
	v->ref = s;
}

/*
 * What the kernel does at a session's end (net/ipv4/tcp.c, tcp_input.c,
 * tcp_timer.c), and so what the state it leaves and sk_err say:
 *  - a reset received: tcp_reset() sets sk_err (ECONNRESET; EPIPE in
 *    CLOSE_WAIT; ECONNREFUSED in SYN_SENT, which an ICMP port unreachable
 *    also gives) before tcp_done() moves it to CLOSE;
 *  - a timeout: tcp_write_err() sets ETIMEDOUT, or the soft error the
 *    retransmissions met (EHOSTUNREACH...), likewise; the keepalive timer
 *    sends a reset first;
 *  - FINs: the end that sent the first one leaves from FIN_WAIT2 or
 *    CLOSING (tcp_time_wait() or the orphan's FIN_WAIT2 timeout), the
 *    other from LAST_ACK, sk_err 0;
 *  - an abort by this end (close(2) with unread data or SO_LINGER 0,
 *    tcp_disconnect()): CLOSE from any other state, with sk_err still 0
 *    (tcp_disconnect() sets it only after the move), and a reset sent
 *    unless it was SYN_SENT.
 * States from <netinet/tcp.h>, numbered as the kernel's.
 */
static bool rst_error(int32_t err)
{
	return err == ECONNRESET || err == EPIPE || err == ECONNREFUSED;
}

const char *tt_close_cause(unsigned oldstate, int32_t sk_err)
{
	if (sk_err) {
		if (rst_error(sk_err))
			return "rst";
		if (sk_err == ETIMEDOUT)
			return "timeout";
		return tt_errno_name(sk_err);
	}
	switch (oldstate) {
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		return "fin";
	case TCP_SYN_SENT:
		return NULL;
	default:
		return "rst";
	}
}

const char *tt_closed_by(unsigned oldstate, int32_t sk_err)
{
	switch (oldstate) {
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
		return "local"; /* this end's FIN came first */
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
		return "remote"; /* the peer's did */
	}
	if (!sk_err || sk_err == ETIMEDOUT)
		return "local";
	if (rst_error(sk_err))
		return "remote";
	return NULL;
}

/* n, or null when it is none (the field's "not known" value). */
static void num_unless(struct tt_val *v, uint64_t n, uint64_t none)
{
	if (n == none)
		tt_val_set_null(v);
	else
		tt_val_set_num(v, n);
}

/* A byte count in units of unit bytes, or unknown. */
static void bytes(struct tt_val *v, uint64_t n, uint64_t unit)
{
	if (n == TT_BYTES_UNKNOWN)
		tt_val_set_null(v);
	else
		tt_val_set_num(v, n / unit);
}

/* n as exactly width digits at p (the high ones dropped); past them. */
static char *digits(char *p, unsigned long long n, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + width;
}

/*
 * RFC 3339 UTC with nanoseconds, 2026-12-07T17:35:31.653533405Z, by hand:
 * every JSON row has one, and snprintf() made it a row's dearest field.
 */
static void iso_time(char *p, const struct tm *tm, unsigned long long ns)
{
	p = digits(p, (unsigned)(tm->tm_year + 1900) % 10000, 4);
	*p++ = '-';
	p = digits(p, (unsigned)tm->tm_mon + 1, 2);
	*p++ = '-';
	p = digits(p, (unsigned)tm->tm_mday, 2);
	*p++ = 'T';
	p = digits(p, (unsigned)tm->tm_hour, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm->tm_min, 2);
	*p++ = ':';
	p = digits(p, (unsigned)tm->tm_sec, 2);
	*p++ = '.';
	p = digits(p, ns, 9);
	*p++ = 'Z';
	*p = '\0';
}

static const char *event_name(unsigned type)
{
	switch (type) {
	case TT_EV_CONNECT:
		return "connect";
	case TT_EV_ACCEPT:
		return "accept";
	case TT_EV_CLOSE:
		return "close";
	case TT_EV_OPEN:
		return "open";
	}
	return "?";
}

const char *tt_tcp_state_name(unsigned state)
{
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT",	 [3] = "SYN_RECV", [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2",   [6] = "TIME_WAIT",	 [7] = "CLOSE",	   [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK",    [10] = "LISTEN",	 [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : NULL;
}

static const char *at_name(const struct tt_event *e)
{
	switch ((e->flags & TT_EVF_AT_MASK) >> TT_EVF_AT_SHIFT) {
	case TT_AT_START:
		return "start";
	case TT_AT_INTERVAL:
		return "interval";
	case TT_AT_EXIT:
		return "exit";
	}
	return NULL;
}

/* TX, unless it still counts an active open's SYN (which end opened it unknown). */
static uint64_t tx_of(const struct tt_event *e)
{
	return e->flags & TT_EVF_TX_RAW ? TT_BYTES_UNKNOWN : e->tx_bytes;
}

const char *tt_errno_name(int32_t err)
{
	if (err <= 0 || err >= 4096)
		return NULL;
	return strerrorname_np(err);
}

const char *tt_result_name(int32_t err, char *buf, size_t len)
{
	const char *name;

	switch (err) {
	case 0:
		return "ok";
	case ECONNREFUSED:
		return "refused";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "unreachable";
	case ECONNRESET:
		return "reset";
	case TT_RES_CLOSED:
		return "closed";
	case TT_RES_PENDING:
		return "pending";
	}
	name = tt_errno_name(err);
	if (name)
		return name;
	snprintf(buf, len, "error-%d", (int)err);
	return buf;
}

void tt_field_format(const struct tt_col *col, const struct tt_src *src, struct tt_clock *c,
		     struct tt_val *v)
{
	const struct tt_event *e = src->e;
	enum tt_field f = (enum tt_field)col->field;
	char addr[TT_ADDR_STRLEN];
	uint64_t real;
	time_t secs;
	int how;

	v->ref = NULL;
	if (col->by) {
		col->by->format(col->field, tt_extra_of(src->x, col->by), v);
		return;
	}
	switch (f) {
	case TT_F_TIME_REL:
		if (!c->first_ns)
			c->first_ns = e->ts_ns;
		snprintf(v->text, sizeof(v->text), "%.3f",
			 e->ts_ns > c->first_ns ? (double)(e->ts_ns - c->first_ns) / 1e9 : 0.0);
		v->kind = TT_J_NUM;
		return;
	case TT_F_TIME_WALL:
	case TT_F_TIME_ISO:
		real = e->ts_ns + (uint64_t)c->mono_to_real;
		secs = (time_t)(real / 1000000000ull);
		how = f == TT_F_TIME_ISO || c->utc ? 1 : 2;
		if (c->tm_how != how || c->tm_secs != secs) {
			if (how == 1)
				gmtime_r(&secs, &c->tm);
			else
				localtime_r(&secs, &c->tm);
			c->tm_secs = secs;
			c->tm_how = how;
		}
		if (f == TT_F_TIME_WALL)
			strftime(v->text, sizeof(v->text), "%H:%M:%S", &c->tm);
		else
			iso_time(v->text, &c->tm, real % 1000000000ull);
		v->kind = TT_J_STR;
		return;
	case TT_F_EVENT:
		tt_val_set_str(v, event_name(e->type));
		return;
	case TT_F_PID:
		num_unless(v, e->pid, TT_TASK_UNKNOWN);
		return;
	case TT_F_UID:
		num_unless(v, e->uid, TT_TASK_UNKNOWN);
		return;
	case TT_F_COMM:
		if (e->pid == TT_TASK_UNKNOWN) {
			tt_val_set_null(v);
			return;
		}
		/* (the kernel's comm, NUL-terminated or TT_COMM_LEN bytes) */
		memcpy(v->text, e->comm, TT_COMM_LEN);
		v->text[strnlen(v->text, TT_COMM_LEN)] = '\0';
		v->kind = TT_J_STR;
		return;
	case TT_F_IP:
		tt_val_set_num(v, (unsigned)tt_family_version(e->family));
		return;
	case TT_F_LADDR:
		tt_val_set_str(v, tt_addr_format(e->family, e->laddr, addr, sizeof(addr)));
		return;
	case TT_F_RADDR:
		tt_val_set_str(v, tt_addr_format(e->family, e->raddr, addr, sizeof(addr)));
		return;
	case TT_F_LPORT:
		tt_val_set_num(v, e->lport);
		return;
	case TT_F_RPORT:
		tt_val_set_num(v, e->rport);
		return;
	case TT_F_BACKLOG:
		snprintf(v->text, sizeof(v->text), "%u/%u", e->backlog, e->backlog_max);
		v->kind = TT_J_STR;
		return;
	case TT_F_BACKLOG_CUR:
		tt_val_set_num(v, e->backlog);
		return;
	case TT_F_BACKLOG_MAX:
		tt_val_set_num(v, e->backlog_max);
		return;
	case TT_F_TX_KB:
		bytes(v, tx_of(e), 1024);
		return;
	case TT_F_RX_KB:
		bytes(v, e->rx_bytes, 1024);
		return;
	case TT_F_TX_BYTES:
		bytes(v, tx_of(e), 1);
		return;
	case TT_F_RX_BYTES:
		bytes(v, e->rx_bytes, 1);
		return;
	case TT_F_MS:
		if (e->start_ns == TT_TS_UNKNOWN || e->ts_ns < e->start_ns) {
			tt_val_set_null(v);
			return;
		}
		snprintf(v->text, sizeof(v->text), "%.2f", (double)(e->ts_ns - e->start_ns) / 1e6);
		v->kind = TT_J_NUM;
		return;
	case TT_F_DURATION_NS:
		if (e->start_ns == TT_TS_UNKNOWN || e->ts_ns < e->start_ns)
			tt_val_set_null(v);
		else
			tt_val_set_num(v, e->ts_ns - e->start_ns);
		return;
	case TT_F_COUNT:
		tt_val_set_num(v, src->count);
		return;
	case TT_F_RESULT:
		tt_val_set_str(v, tt_result_name(e->err, addr, sizeof(addr)));
		return;
	case TT_F_ERRNO:
		if (tt_errno_name(e->err))
			tt_val_set_str(v, tt_errno_name(e->err));
		else
			tt_val_set_null(v);
		return;
	case TT_F_SRTT_US:
		num_unless(v, e->srtt_us, 0);
		return;
	case TT_F_RTT_MS:
		if (e->srtt_us) {
			snprintf(v->text, sizeof(v->text), "%.2f", e->srtt_us / 1e3);
			v->kind = TT_J_NUM;
		} else {
			tt_val_set_null(v);
		}
		return;
	case TT_F_MIN_RTT_US:
		num_unless(v, e->min_rtt_us, TT_RTT_NONE);
		return;
	case TT_F_RETRANS_SEGS:
		tt_val_set_num(v, e->retrans_segs);
		return;
	case TT_F_SEGS_OUT:
		tt_val_set_num(v, e->segs_out);
		return;
	case TT_F_SEGS_IN:
		tt_val_set_num(v, e->segs_in);
		return;
	case TT_F_CLOSE_CAUSE:
		tt_val_set_text(v, e->type == TT_EV_OPEN ? NULL : tt_close_cause(e->oldstate, e->err));
		return;
	case TT_F_CLOSED_BY:
		tt_val_set_text(v, e->type == TT_EV_OPEN ? NULL : tt_closed_by(e->oldstate, e->err));
		return;
	case TT_F_OWNER_SOURCE:
		if (e->owner_how == TT_OWNER_CONNECT || e->owner_how == TT_OWNER_ACCEPT)
			tt_val_set_str(v, "syscall");
		else if ((e->owner_how == TT_OWNER_CLOSE || e->owner_how == TT_OWNER_FD) &&
			 e->pid != TT_TASK_UNKNOWN)
			tt_val_set_str(v, "fd");
		else
			tt_val_set_null(v);
		return;
	case TT_F_AT:
		tt_val_set_text(v, e->type == TT_EV_OPEN ? at_name(e) : NULL);
		return;
	case TT_F_AT_ROW:
		tt_val_set_text(v, e->type == TT_EV_OPEN ? at_name(e) : event_name(e->type));
		return;
	case TT_F_STATE:
		tt_val_set_text(v, e->type == TT_EV_CLOSE ? "CLOSE" : tt_tcp_state_name(e->oldstate));
		return;
	case TT_F_TX_DELTA:
		bytes(v, src->tx_delta, 1);
		return;
	case TT_F_RX_DELTA:
		bytes(v, src->rx_delta, 1);
		return;
	case TT_F_ENRICH: /* a mark, not a field */
		break;
	}
	tt_val_set_null(v);
}
