// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * TCP sockets through NETLINK_SOCK_DIAG (what ss(8) reads): a dump request
 * per address family, the replies parsed here. A netlink socket stays in
 * the network namespace it was created in, so the caller opens one in each
 * namespace while it may enter them, and dumps through it later without
 * any privilege (core/run/sessions_setup.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "host/sockdiag.h"

/* tcp_info as far as the kernel sent it (older ones send less). */
static void diag_info(struct tt_diag_sock *s, const void *data, size_t len)
{
	struct tcp_info ti;

	memset(&ti, 0, sizeof(ti));
	memcpy(&ti, data, len < sizeof(ti) ? len : sizeof(ti));
	s->has_info = true;
	s->bytes_acked = ti.tcpi_bytes_acked;
	s->bytes_received = ti.tcpi_bytes_received;
	s->srtt_us = ti.tcpi_rtt;
	s->min_rtt_us = ti.tcpi_min_rtt;
	s->total_retrans = ti.tcpi_total_retrans;
	s->segs_out = ti.tcpi_segs_out;
	s->segs_in = ti.tcpi_segs_in;
	s->unacked = ti.tcpi_unacked;
	s->notsent_bytes = ti.tcpi_notsent_bytes;
}

/* One inet_diag_msg and its attributes: 0 or -EBADMSG. */
static int diag_msg(const struct nlmsghdr *h, tt_diag_fn fn, void *ctx)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	size_t len = h->nlmsg_len, off;
	struct tt_diag_sock s;

	if (len < NLMSG_LENGTH(sizeof(*m)))
		return -EBADMSG;
	memset(&s, 0, sizeof(s));
	s.family = m->idiag_family;
	if (s.family != AF_INET && s.family != AF_INET6)
		return 0;
	s.state = m->idiag_state;
	s.lport = ntohs(m->id.idiag_sport);
	s.rport = ntohs(m->id.idiag_dport);
	memcpy(s.laddr, m->id.idiag_src, s.family == AF_INET ? 4 : 16);
	memcpy(s.raddr, m->id.idiag_dst, s.family == AF_INET ? 4 : 16);
	s.inode = m->idiag_inode;
	s.uid = m->idiag_uid;
	memcpy(&s.cookie, m->id.idiag_cookie, sizeof(s.cookie));
	for (off = NLMSG_LENGTH(sizeof(*m)); off + sizeof(struct nlattr) <= len;) {
		const struct nlattr *a = (const void *)((const char *)h + off);

		if (a->nla_len < sizeof(*a) || off + a->nla_len > len)
			return -EBADMSG;
		if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO)
			diag_info(&s, a + 1, a->nla_len - sizeof(*a));
		/* the socket's cgroup v2, where the kernel reports it */
		else if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_CGROUP_ID &&
			 a->nla_len >= sizeof(*a) + sizeof(uint64_t))
			memcpy(&s.cgroup_id, a + 1, sizeof(uint64_t));
		off += NLA_ALIGN(a->nla_len);
	}
	fn(&s, ctx);
	return 0;
}

int tt_diag_parse(const void *buf, size_t len, tt_diag_fn fn, void *ctx)
{
	size_t off = 0;
	int err;

	while (off + sizeof(struct nlmsghdr) <= len) {
		const struct nlmsghdr *h = (const void *)((const char *)buf + off);

		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - off)
			return -EBADMSG;
		if (h->nlmsg_type == NLMSG_DONE)
			return 1;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			return e->error < 0 ? e->error : -EBADMSG;
		}
		if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			err = diag_msg(h, fn, ctx);
			if (err)
				return err;
		}
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return off == len ? 0 : -EBADMSG;
}

int tt_diag_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	return fd < 0 ? -errno : fd;
}

int tt_diag_dump(int fd, int family, uint32_t states, tt_diag_fn fn, void *ctx)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	/* the kernel fills up to a page or so per read; 32 KiB takes any */
	static _Alignas(struct nlmsghdr) char buf[32768];
	ssize_t n;
	int err;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = states;
	req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		err = tt_diag_parse(buf, (size_t)n, fn, ctx);
		if (err)
			return err < 0 ? err : 0;
	}
}

static bool v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, prefix, sizeof(prefix));
}

void tt_diag_adopt(const struct tt_diag_sock *d, struct tt_adopt *q)
{
	memset(q, 0, sizeof(*q));
	q->sport = htons(d->rport);
	q->dport = htons(d->lport);
	/* an IPv6 socket on IPv4-mapped addresses is hashed as IPv4 */
	if (d->family == AF_INET6 && v4_mapped(d->raddr) && v4_mapped(d->laddr)) {
		q->family = AF_INET;
		memcpy(q->saddr, d->raddr + 12, 4);
		memcpy(q->daddr, d->laddr + 12, 4);
		return;
	}
	q->family = (uint8_t)d->family;
	memcpy(q->saddr, d->raddr, 16);
	memcpy(q->daddr, d->laddr, 16);
}
