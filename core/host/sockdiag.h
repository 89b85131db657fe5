/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TCP sockets as the kernel lists them (NETLINK_SOCK_DIAG, inet_diag): one
 * network namespace per netlink socket, the one it was created in
 * (core/host/sockdiag.c). life --open/--interval reads the sessions opened
 * before tracing through it, with the tcp_info of each (INET_DIAG_INFO).
 */
#ifndef TCPTRACE_SOCKDIAG_H
#define TCPTRACE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcptrace/event.h"

/* One socket of a dump, in host order; the tcp_info fields 0 without it. */
struct tt_diag_sock {
	uint16_t family;
	uint8_t state; /* TCP_* */
	bool has_info; /* INET_DIAG_INFO came: the fields below */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint32_t inode, uid;
	uint64_t cookie; /* idiag_cookie: the socket's sk_cookie */
	uint64_t cgroup_id; /* INET_DIAG_CGROUP_ID: the socket's cgroup v2; 0 if not reported */
	uint64_t bytes_acked, bytes_received;
	uint32_t srtt_us, min_rtt_us, total_retrans, segs_out, segs_in;
	uint32_t unacked, notsent_bytes;
};

/* TCPF_* of the states of a session (established, or closing with data possible). */
#define TT_DIAG_SESSIONS                                                                 \
	((1u << 1) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 11) | (1u << 9))
#define TT_DIAG_LISTEN (1u << 10)

typedef void (*tt_diag_fn)(const struct tt_diag_sock *s, void *ctx);

/*
 * Pure: the netlink messages of one read of a dump (len bytes of buf), each
 * socket to fn. 1 when the dump's end (NLMSG_DONE) is in it, 0 when more
 * follows, -errno for an error the kernel answered or a message that does
 * not parse (-EBADMSG).
 */
int tt_diag_parse(const void *buf, size_t len, tt_diag_fn fn, void *ctx);

/* A NETLINK_SOCK_DIAG socket in the caller's network namespace: fd, or -errno. */
int tt_diag_open(void);
/* Every TCP socket of family (AF_INET, AF_INET6) in states (TCPF_* mask) to fn: 0 or -errno. */
int tt_diag_dump(int fd, int family, uint32_t states, tt_diag_fn fn, void *ctx);

/*
 * Pure: the tuple of a listed session as a packet to this end carries it,
 * which tt_life_adopt looks up (struct tt_adopt, sk 0); an IPv6 session on
 * IPv4-mapped addresses as the IPv4 one it is hashed as.
 */
void tt_diag_adopt(const struct tt_diag_sock *d, struct tt_adopt *q);

#endif /* TCPTRACE_SOCKDIAG_H */
