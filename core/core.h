/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The core API shared by every mode: address formatting, port lists, error
 * reporting. Pure functions; the runner and the writers have their own headers.
 */
#ifndef TCPTRACE_CORE_H
#define TCPTRACE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tcptrace/event.h" /* TT_PORT_BITMAP_BYTES, as the probes see it */

#define TT_PROG "tcptrace"

/* CLOCK_MONOTONIC in nanoseconds (the probes' bpf_ktime_get_ns()). */
static inline uint64_t tt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Exit codes (DESIGN.md contracts). */
enum { TT_EXIT_OK = 0, TT_EXIT_FAIL = 1, TT_EXIT_USAGE = 2 };

/* Longest text of an address: a full IPv6 with an embedded IPv4 tail. */
#define TT_ADDR_STRLEN 46

/*
 * Formats an address as the kernel holds it: family AF_INET reads the first
 * 4 bytes, AF_INET6 all 16 (an IPv4-mapped address stays ::ffff:a.b.c.d).
 * Returns buf, or "?" text for an unknown family.
 */
const char *tt_addr_format(unsigned family, const uint8_t addr[16], char *buf, size_t len);

/*
 * The one canonical form of an address, as keys compare it (count rows, the
 * enrichers' caches): out gets the 16 bytes of addr, an IPv4 address's 12
 * unused ones zeroed or, with mapped, IPv4 as IPv4-mapped IPv6
 * ::ffff:a.b.c.d (so that a DNS A record names a connection to it from an
 * AF_INET6 socket too). in and out may be the same.
 */
void tt_addr_canon(unsigned family, const uint8_t in[16], uint8_t out[16], bool mapped);

/* 4 or 6 for AF_INET/AF_INET6, 0 otherwise. */
int tt_family_version(unsigned family);

/*
 * Parses a port list such as "80,443,8000-8099" into a 65536-bit bitmap
 * (bit p = port p). Returns 0, or -EINVAL with *why naming the bad item
 * (empty item, junk, 0, > 65535, reversed range).
 */
int tt_ports_parse(const char *list, uint8_t bitmap[TT_PORT_BITMAP_BYTES], char *why, size_t why_len);
bool tt_port_isset(const uint8_t bitmap[TT_PORT_BITMAP_BYTES], unsigned port);

/* Parses a decimal id (pid, uid): 0..UINT32_MAX-1, nothing else. */
int tt_parse_u32(const char *s, uint32_t *out);
/* Parses seconds, "2" or "0.5": > 0 and finite. */
int tt_parse_seconds(const char *s, double *out);
/* Parses life --interval: seconds, 0.1 or more (TT_INTERVAL_MIN). */
#define TT_INTERVAL_MIN 0.1
int tt_parse_interval(const char *s, double *out);
/* Parses a ring buffer size in KiB: a power of two from 4 to 1048576. */
#define TT_BUFFER_KB_MIN 4u
#define TT_BUFFER_KB_MAX (1024u * 1024u)
int tt_parse_buffer_kb(const char *s, uint32_t *out);

/*
 * Reports a failure as one line on stderr: "tcptrace: <what>: <why>", plus a
 * hint for the errors that have one (BTF; privilege errors go through
 * tt_priv_err(), core/host/privs.h). err is a negative or positive errno.
 */
void tt_err(const char *what, int err);
/*
 * The kernel's own "not supported" (include/linux/errno.h), which bpf(2)
 * returns but libc has no name for: strerror() says "Unknown error 524".
 */
#define TT_ENOTSUPP 524

/*
 * A negative or positive errno in words, also the kernel's own codes that
 * bpf(2) returns (TT_ENOTSUPP) and libbpf's (LIBBPF_ERRNO__*), which libc
 * cannot name.
 */
const char *tt_strerror(int err);
/* The hint for an errno in the context of loading BPF, or NULL. */
const char *tt_err_hint(int err);
/* "tcptrace: <fmt>" as one line on stderr. */
void tt_errf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TCPTRACE_CORE_H */
