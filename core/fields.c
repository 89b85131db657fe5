// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* One event field to text: the pure half of every row. */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcptrace/containers.h"
#include "tcptrace/core.h"
#include "tcptrace/dns.h"
#include "tcptrace/enrich.h"
#include "tcptrace/output.h"

void tt_clock_init(struct tt_clock *c)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	c->first_ns = 0;
	c->mono_to_real = (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
	c->utc = false;
}

static void num(struct tt_val *v, unsigned long long n)
{
	snprintf(v->text, sizeof(v->text), "%llu", n);
	v->kind = TT_J_NUM;
}

static void str(struct tt_val *v, const char *s)
{
	snprintf(v->text, sizeof(v->text), "%s", s);
	v->kind = TT_J_STR;
}

static void null(struct tt_val *v)
{
	snprintf(v->text, sizeof(v->text), "-");
	v->kind = TT_J_NULL;
}

static void task_id(struct tt_val *v, uint32_t id)
{
	if (id == TT_TASK_UNKNOWN)
		null(v);
	else
		num(v, id);
}

/* A byte count in units of unit bytes, or unknown. */
static void bytes(struct tt_val *v, uint64_t n, uint64_t unit)
{
	if (n == TT_BYTES_UNKNOWN)
		null(v);
	else
		num(v, n / unit);
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
	}
	return "?";
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

/*
 * Text that may be longer than v->text (a DNS name, up to 1,024 bytes; a
 * cgroup path): referred to, not copied (it outlives the row).
 */
static void name(struct tt_val *v, const char *s)
{
	if (strlen(s) < sizeof(v->text)) {
		str(v, s);
		return;
	}
	str(v, "");
	v->ref = s;
}

/* The same, or null. */
static void text_or_null(struct tt_val *v, const char *s)
{
	if (s)
		name(v, s);
	else
		null(v);
}

/* --containers: the table's CONTAINER and POD, and the JSON keys. */
static void container_field(enum tt_field f, const struct tt_ctr_info *ci, struct tt_val *v)
{
	static const struct tt_ctr_info none;

	if (!ci)
		ci = &none;
	switch (f) {
	case TT_F_CONTAINER:
		if (ci->name)
			text_or_null(v, ci->name);
		else if (ci->id)
			snprintf(v->text, sizeof(v->text), "%.12s", ci->id);
		else
			text_or_null(v, ci->unit ? ci->unit : "-");
		return;
	case TT_F_POD:
		text_or_null(v, ci->ns_pod ? ci->ns_pod : ci->k8s_pod ? ci->k8s_pod : "-");
		return;
	case TT_F_CGROUP_ID:
		if (ci->cgroup_id)
			num(v, ci->cgroup_id);
		else
			null(v);
		return;
	case TT_F_CGROUP:
		text_or_null(v, ci->cgroup);
		return;
	case TT_F_CONTAINER_ID:
		text_or_null(v, ci->id);
		return;
	case TT_F_CONTAINER_RUNTIME:
		text_or_null(v, ci->runtime);
		return;
	case TT_F_CONTAINER_NAME:
		text_or_null(v, ci->name);
		return;
	case TT_F_CONTAINER_IMAGE:
		text_or_null(v, ci->image);
		return;
	case TT_F_K8S_NAMESPACE:
		text_or_null(v, ci->k8s_namespace);
		return;
	case TT_F_K8S_POD:
		text_or_null(v, ci->k8s_pod);
		return;
	case TT_F_K8S_POD_UID:
		text_or_null(v, ci->k8s_pod_uid);
		return;
	case TT_F_K8S_CONTAINER:
		text_or_null(v, ci->k8s_container);
		return;
	case TT_F_SYSTEMD_UNIT:
		text_or_null(v, ci->unit);
		return;
	default:
		null(v);
	}
}

/* --dns: every field is unknown (null) when the name is. */
static void query_field(enum tt_field f, const struct tt_dns_info *d, struct tt_val *v)
{
	static const char *const scopes[] = { [TT_DNS_SCOPE_PROCESS] = "process",
					      [TT_DNS_SCOPE_NETNS] = "netns" };

	if (!d || !d->query) {
		null(v);
		return;
	}
	switch (f) {
	case TT_F_QUERY:
		name(v, d->query);
		break;
	case TT_F_QUERY_CNAME:
		if (d->cname)
			name(v, d->cname);
		else
			null(v);
		break;
	case TT_F_QUERY_AGE_NS:
		num(v, d->age_ns);
		break;
	case TT_F_QUERY_STALE:
		snprintf(v->text, sizeof(v->text), "%s", d->stale ? "true" : "false");
		v->kind = TT_J_BOOL;
		break;
	case TT_F_QUERY_SCOPE:
		if (d->scope == TT_DNS_SCOPE_PROCESS || d->scope == TT_DNS_SCOPE_NETNS)
			str(v, scopes[d->scope]);
		else
			null(v);
		break;
	case TT_F_QUERY_CANDIDATES:
		num(v, d->candidates);
		break;
	default:
		null(v);
	}
}

void tt_field_format(enum tt_field f, const struct tt_src *src, struct tt_clock *c,
		     struct tt_val *v)
{
	const struct tt_event *e = src->e;
	char addr[TT_ADDR_STRLEN];
	uint64_t real;
	time_t secs;
	struct tm tm;

	v->ref = NULL;
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
		if (f == TT_F_TIME_ISO || c->utc)
			gmtime_r(&secs, &tm);
		else
			localtime_r(&secs, &tm);
		if (f == TT_F_TIME_WALL)
			strftime(v->text, sizeof(v->text), "%H:%M:%S", &tm);
		else
			snprintf(v->text, sizeof(v->text), "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				 tm.tm_min, tm.tm_sec, (unsigned long long)(real % 1000000000ull));
		v->kind = TT_J_STR;
		return;
	case TT_F_EVENT:
		str(v, event_name(e->type));
		return;
	case TT_F_PID:
		task_id(v, e->pid);
		return;
	case TT_F_UID:
		task_id(v, e->uid);
		return;
	case TT_F_COMM:
		if (e->pid == TT_TASK_UNKNOWN) {
			null(v);
			return;
		}
		snprintf(v->text, sizeof(v->text), "%.*s", TT_COMM_LEN, e->comm);
		v->kind = TT_J_STR;
		return;
	case TT_F_IP:
		num(v, (unsigned)tt_family_version(e->family));
		return;
	case TT_F_LADDR:
		str(v, tt_addr_format(e->family, e->laddr, addr, sizeof(addr)));
		return;
	case TT_F_RADDR:
		str(v, tt_addr_format(e->family, e->raddr, addr, sizeof(addr)));
		return;
	case TT_F_LPORT:
		num(v, e->lport);
		return;
	case TT_F_RPORT:
		num(v, e->rport);
		return;
	case TT_F_BACKLOG:
		snprintf(v->text, sizeof(v->text), "%u/%u", e->backlog, e->backlog_max);
		v->kind = TT_J_STR;
		return;
	case TT_F_BACKLOG_CUR:
		num(v, e->backlog);
		return;
	case TT_F_BACKLOG_MAX:
		num(v, e->backlog_max);
		return;
	case TT_F_TX_KB:
		bytes(v, e->tx_bytes, 1024);
		return;
	case TT_F_RX_KB:
		bytes(v, e->rx_bytes, 1024);
		return;
	case TT_F_TX_BYTES:
		bytes(v, e->tx_bytes, 1);
		return;
	case TT_F_RX_BYTES:
		bytes(v, e->rx_bytes, 1);
		return;
	case TT_F_MS:
		if (e->start_ns == TT_TS_UNKNOWN || e->ts_ns < e->start_ns) {
			null(v);
			return;
		}
		snprintf(v->text, sizeof(v->text), "%.2f", (double)(e->ts_ns - e->start_ns) / 1e6);
		v->kind = TT_J_NUM;
		return;
	case TT_F_DURATION_NS:
		if (e->start_ns == TT_TS_UNKNOWN || e->ts_ns < e->start_ns)
			null(v);
		else
			num(v, e->ts_ns - e->start_ns);
		return;
	case TT_F_COUNT:
		num(v, src->count);
		return;
	case TT_F_RESULT:
		str(v, tt_result_name(e->err, addr, sizeof(addr)));
		return;
	case TT_F_ERRNO:
		if (tt_errno_name(e->err))
			str(v, tt_errno_name(e->err));
		else
			null(v);
		return;
	case TT_F_ENRICHED: /* a marker, not a field */
		break;
	case TT_F_CONTAINER:
	case TT_F_POD:
	case TT_F_CGROUP:
	case TT_F_CGROUP_ID:
	case TT_F_CONTAINER_ID:
	case TT_F_CONTAINER_RUNTIME:
	case TT_F_CONTAINER_NAME:
	case TT_F_CONTAINER_IMAGE:
	case TT_F_K8S_NAMESPACE:
	case TT_F_K8S_POD:
	case TT_F_K8S_POD_UID:
	case TT_F_K8S_CONTAINER:
	case TT_F_SYSTEMD_UNIT:
		container_field(f, src->x ? src->x->ctr : NULL, v);
		return;
	case TT_F_QUERY:
	case TT_F_QUERY_CNAME:
	case TT_F_QUERY_AGE_NS:
	case TT_F_QUERY_STALE:
	case TT_F_QUERY_SCOPE:
	case TT_F_QUERY_CANDIDATES:
		query_field(f, src->x ? src->x->dns : NULL, v);
		return;
	}
	null(v);
}
