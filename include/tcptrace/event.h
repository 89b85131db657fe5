/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one ABI shared by the BPF programs (probes/) and user space: the event
 * record each hook writes to the ring buffer, the count-mode key, and the
 * load-time configuration every probe reads from .rodata.
 *
 * Fixed-width types only, every name prefixed tt_, ports in host byte order,
 * addresses as the kernel holds them (IPv4 in the first 4 bytes).
 */
#ifndef TCPTRACE_EVENT_H
#define TCPTRACE_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TT_COMM_LEN 16
#define TT_TASK_UNKNOWN 0xffffffffu /* pid/uid not known (owner never seen) */
#define TT_TS_UNKNOWN 0ull	    /* birth time not known */
#define TT_BYTES_UNKNOWN (~0ull)    /* life: tx_bytes/rx_bytes not known */
#define TT_RTT_NONE (~0u)	    /* life: min_rtt_us before the first sample */

/*
 * Every record in the ring buffer starts with its type, one byte at offset
 * 0. Events (struct tt_event) and the records that only feed user-space
 * enrichment (a new cgroup's path, a DNS reply: core/enrich/enrich.c) travel in
 * the same ring buffer, so they reach user space in the order they were
 * written.
 */
enum tt_rec_type {
	TT_EV_CONNECT = 1,
	TT_EV_ACCEPT = 2,
	TT_EV_CLOSE = 3,
	TT_EV_OPEN = 4, /* life --open/--interval: a session still open (TT_EVF_AT) */
	TT_REC_ENRICH = 16, /* first type of the enrichers' own records */
	TT_REC_CGROUP = 16, /* --containers: a new cgroup v2 (struct tt_cgroup_rec) */
	TT_REC_DNS = 17,    /* --dns: struct tt_dns_rec or tt_dns_open, by its kind */
};

struct tt_event {
	__u8 type;	   /* enum tt_rec_type: TT_EV_* */
	__u8 flags;	   /* TT_EVF_* */
	__u16 family;	   /* AF_INET or AF_INET6 */
	__u16 lport;	   /* host order */
	__u16 rport;	   /* host order */
	__u64 ts_ns;	   /* CLOCK_MONOTONIC when the event was emitted */
	__u64 start_ns;	   /* connect: SYN sent; life: birth (0 = unknown) */
	__u64 tx_bytes;	   /* life: tcp_sock.bytes_acked, payload only (TT_EVF_TX_RAW) */
	__u64 rx_bytes;	   /* life: tcp_sock.bytes_received */
	__u64 cgroup_id;   /* tt_config.containers: the owner's cgroup v2 id; 0 = unknown */
	__u64 netns;	   /* tt_config.dns: the socket's network namespace cookie; 0 = unknown */
	__u32 pid;	   /* thread group id; TT_TASK_UNKNOWN if not known */
	__u32 tid;
	__u32 uid;	   /* TT_TASK_UNKNOWN if not known */
	__u32 backlog;	   /* accept: listener queue after this accept */
	__u32 backlog_max; /* accept: listener sk_max_ack_backlog */
	__s32 err;	   /* connect --outcome: 0 ok, a positive errno, or TT_RES_*;
			    * life: sk_err when it closed (0: none) */
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[TT_COMM_LEN];
	/*
	 * life: the socket's TCP health when it closed, read from its tcp_sock
	 * as tcp_info reports it (tcp_get_info()). connect --outcome:
	 * retrans_segs is the SYNs resent before the outcome, the rest 0.
	 */
	__u32 srtt_us;	    /* smoothed RTT (tcp_sock.srtt_us / 8); 0: no sample */
	__u32 min_rtt_us;   /* tcp_sock.rtt_min; TT_RTT_NONE: no sample */
	__u32 retrans_segs; /* tcp_sock.total_retrans: segments retransmitted */
	__u32 segs_out;	    /* tcp_sock.segs_out: segments sent, retransmissions included */
	__u32 segs_in;	    /* tcp_sock.segs_in: segments received */
	__u8 oldstate;	    /* life close: the state the session left for CLOSE (TCP_*);
			     * open: the state it is in */
	__u8 owner_how;	    /* life: how pid/comm were learnt (enum tt_owner_how) */
	__u8 pad[2];
	/*
	 * life: who the session is while it lives, to join its open and close
	 * records (core/run/sessions.c): the struct sock's address, and its
	 * socket cookie (sk_cookie) if one was given out (sock_diag gives
	 * one to every socket it lists), else 0.
	 */
	__u64 sock;
	__u64 cookie;
};

_Static_assert(sizeof(struct tt_event) == 168, "tt_event layout changed");
_Static_assert(__builtin_offsetof(struct tt_event, type) == 0, "record type not first");

/* struct tt_event.flags */
#define TT_EVF_OUTCOME (1u << 0) /* connect --outcome: err holds the attempt's result */
/* life TT_EV_OPEN: which walk found it (enum tt_open_at), in bits 1-2 */
#define TT_EVF_AT_SHIFT 1
#define TT_EVF_AT_MASK (3u << TT_EVF_AT_SHIFT)
/*
 * life: tx_bytes counts an active open's SYN if it was one: which end opened
 * the session was not seen. User space decides, or makes TX unknown.
 */
#define TT_EVF_TX_RAW (1u << 3)

/* life --open/--interval: the owners-map keys one run of tt_life_open_run takes. */
#define TT_OPEN_BATCH 11

/* life --open/--interval: when an open session was reported. */
enum tt_open_at {
	TT_AT_NONE = 0, /* a close record */
	TT_AT_START,
	TT_AT_INTERVAL,
	TT_AT_EXIT,
};

/* Results of a connect attempt besides 0 (ok) and errno values (< 4096). */
#define TT_RES_CLOSED 0xfffe  /* closed by its owner before the handshake ended, no error */
#define TT_RES_PENDING 0xffff /* still in SYN_SENT when tracing stopped */

/* life: how a session's owner was learnt. */
enum tt_owner_how {
	TT_OWNER_NONE = 0, /* not known: pid TT_TASK_UNKNOWN */
	TT_OWNER_CONNECT,  /* the task that connected */
	TT_OWNER_ACCEPT,   /* the task that accepted */
	TT_OWNER_CLOSE,	   /* opened before tracing: the task that closed it, holding it */
	TT_OWNER_FD,	   /* opened before tracing: the one process holding its fd at start */
};

/* The process that opened a socket, recorded in its own context. */
struct tt_owner {
	__u64 ts_ns;
	__u64 cgroup_id; /* tt_config.containers: the task's cgroup v2 id, else 0 */
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u8 reported;
	__u8 deferred; /* connect: the outcome is connect(2)'s return value */
	__u8 pad[2];
	char comm[TT_COMM_LEN];
};

_Static_assert(sizeof(struct tt_owner) == 48, "tt_owner layout changed");

/* life: which end opened a connection (bytes_acked counts an active open's SYN). */
enum tt_sock_dir {
	TT_DIR_UNKNOWN = 0,
	TT_DIR_ACTIVE,
	TT_DIR_PASSIVE,
};

/*
 * life: an entry of the "owners" map (probes/owners.bpf.h), keyed by the
 * struct sock address. User space writes one for each session opened before
 * tracing that tt_life_adopt found (core/run/sessions_setup.c); the BPF
 * programs write the others.
 */
struct tt_sock_owner {
	union {
		__u64 birth_ns; /* birth (life.bpf.c); TT_TS_UNKNOWN if not seen */
		__u64 cookie;	/* adopted: the socket's cookie when sock_diag listed it */
	};
	struct tt_owner owner; /* valid unless how == TT_OWNER_NONE */
	__u8 how;	       /* enum tt_owner_how */
	__u8 selected;	       /* the owner passed the task filters (pid, uid, cgroup) */
	__u8 dir;	       /* enum tt_sock_dir */
	__u8 adopted;	       /* opened before tracing, found at start: cookie, not birth_ns */
	__u32 walk;	       /* the last open walk that reported it (life.bpf.c) */
};

_Static_assert(sizeof(struct tt_sock_owner) == 64, "tt_sock_owner layout changed");

/*
 * life --open/--interval: one session opened before tracing, as
 * tt_life_adopt (BPF_PROG_TEST_RUN of a tc program) takes it in the test
 * packet, after an Ethernet header's 14 bytes: the tuple as a packet to
 * this end would carry it (source: the peer), network byte order; an IPv4
 * session (or an IPv6 one on IPv4-mapped addresses) as AF_INET, its
 * addresses in the first 4 bytes. The program writes sk: the struct sock
 * in the caller's network namespace with that tuple, if it is in a session
 * state, else 0. A family of 0 ends the batch.
 */
struct tt_adopt {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 family; /* AF_INET, AF_INET6, or 0: the end */
	__u8 pad[3];
	__u64 sk;
};

_Static_assert(sizeof(struct tt_adopt) == 48, "tt_adopt layout changed");

/* tt_adopt entries per run: the test packet stays under a page with the skb's overhead. */
#define TT_ADOPT_BATCH 64
#define TT_ADOPT_HDR 14

/*
 * connect: an attempt in SYN_SENT (value of the "connecting" map, which user
 * space reads at exit to report attempts still pending).
 */
struct tt_attempt {
	struct tt_owner owner;
	__u16 family;
	__u16 lport; /* 0 until connect(2) returns */
	__u16 rport;
	__u16 pad;
	__u8 laddr[16];
	__u8 raddr[16];
};

_Static_assert(sizeof(struct tt_attempt) == 88, "tt_attempt layout changed");

/* Key of the in-kernel aggregation used by count mode (-c). */
struct tt_count_key {
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u16 result; /* connect --outcome: struct tt_event.err */
	__u8 laddr[16];
	__u8 raddr[16];
};

_Static_assert(sizeof(struct tt_count_key) == 40, "tt_count_key layout changed");

/* Which fields of struct tt_count_key a mode aggregates by. */
#define TT_COUNT_LADDR (1u << 0)
#define TT_COUNT_LPORT (1u << 1)
#define TT_COUNT_RADDR (1u << 2)
#define TT_COUNT_RPORT (1u << 3)
#define TT_COUNT_RESULT (1u << 4)

/*
 * Load-time configuration: every probe declares
 *	const volatile struct tt_config tt_cfg;
 * and user space fills it before load, so filters are constants the verifier
 * folds away when they are off.
 */
struct tt_config {
	__u32 filter_pid;   /* 0 = any */
	__u32 filter_uid;   /* TT_TASK_UNKNOWN = any */
	__u16 filter_family; /* 0 = any */
	__u8 filter_lports; /* 1 = tt_lports bitmap applies */
	__u8 filter_rports; /* 1 = tt_rports bitmap applies */
	__u8 filter_cgroup; /* 1 = task must be under cgroup_map[0] */
	__u8 count_mode;    /* 1 = aggregate into counts, no ring buffer */
	__u8 count_fields;  /* TT_COUNT_* */
	__u8 outcome;	    /* connect: report each attempt at its outcome */
	__u32 wakeup_bytes; /* force a wake-up once this much data is queued */
	__u8 failed_only;   /* connect --failed: drop attempts that succeeded */
	__u8 containers;    /* record the owner's cgroup id (struct tt_event.cgroup_id) */
	__u8 dns;	    /* record the socket's netns cookie (struct tt_event.netns);
			     * life: also a TT_DNS_OPEN record per active open */
	__u8 open;	    /* life --open/--interval: close events carry sock and cookie */
	__u64 min_latency_ns; /* connect --min-latency: drop faster attempts */
};

_Static_assert(sizeof(struct tt_config) == 32, "tt_config layout changed");

/*
 * Ids of kernel types in the running kernel's BTF, for bpf_rdonly_cast()
 * (common.bpf.h); all 0 where the kernel lacks it (before v6.2).
 */
struct tt_btf_ids {
	__u32 file;
	__u32 socket;
	__u32 sock;
	__u32 tcp_sock; /* 0 in an object that never names it */
	__u32 task_struct;
	__u32 pad;
};

_Static_assert(sizeof(struct tt_btf_ids) == 24, "tt_btf_ids layout changed");

#define TT_PORT_BITMAP_BYTES (65536 / 8)

/*
 * --containers (probes/containers.bpf.c): a cgroup created in the cgroup v2
 * hierarchy while tracing, so that user space knows its path even if it is
 * gone by the time an event of its tasks is read. path is relative to the
 * hierarchy's root ("/system.slice/docker-<id>.scope"), NUL-terminated;
 * TT_CGF_TRUNCATED when it did not fit.
 */
#define TT_CGROUP_PATH_MAX 512
#define TT_CGF_TRUNCATED (1u << 0)

struct tt_cgroup_rec {
	__u8 type; /* TT_REC_CGROUP */
	__u8 flags; /* TT_CGF_* */
	__u16 pad;
	__u32 level; /* depth below the root (which is level 0) */
	__u64 id;    /* the cgroup id, as tt_event.cgroup_id */
	char path[TT_CGROUP_PATH_MAX];
};

_Static_assert(sizeof(struct tt_cgroup_rec) == 16 + TT_CGROUP_PATH_MAX,
	       "tt_cgroup_rec layout changed");
_Static_assert(__builtin_offsetof(struct tt_cgroup_rec, type) == 0, "record type not first");

/*
 * --dns (probes/dns.bpf.c): a message from source port 53 delivered to a
 * socket that sent to port 53 since tracing started, as its first len bytes
 * (at most TT_DNS_CAP) follow this header. UDP: the DNS message; TCP: the
 * segment's payload (a 2-byte length, then the message, when it starts one).
 */
#define TT_DNS_CAP 2048

/* The second byte of a TT_REC_DNS record. */
enum tt_dns_kind {
	TT_DNS_REPLY = 1, /* struct tt_dns_rec */
	TT_DNS_OPEN = 2,  /* struct tt_dns_open */
};

struct tt_dns_rec {
	__u8 type;	 /* TT_REC_DNS */
	__u8 kind;	 /* TT_DNS_REPLY */
	__u8 proto;	 /* IPPROTO_UDP or IPPROTO_TCP */
	__u8 pad;
	__u16 len;	 /* bytes captured, following this header */
	__u16 pad2;
	__u32 wire_len; /* bytes of the payload on the wire */
	__u32 pid;	 /* thread group id of the socket's last sender to port 53 */
	__u64 ts_ns;	 /* CLOCK_MONOTONIC at delivery */
	__u64 netns;	 /* the socket's network namespace cookie */
};

_Static_assert(sizeof(struct tt_dns_rec) == 32, "tt_dns_rec layout changed");

/*
 * --dns, life: a socket this host opened left SYN_SENT; its four-tuple and
 * namespace, which its close event carries too, so that user space keeps the
 * name it had when the session opened.
 */
struct tt_dns_open {
	__u8 type; /* TT_REC_DNS */
	__u8 kind; /* TT_DNS_OPEN */
	__u16 family;
	__u16 lport;
	__u16 rport;
	__u32 pid;
	__u32 pad2;
	__u64 start_ns; /* SYN sent (the session's birth) */
	__u64 netns;
	__u8 laddr[16];
	__u8 raddr[16];
};

_Static_assert(sizeof(struct tt_dns_open) == 64, "tt_dns_open layout changed");

#endif /* TCPTRACE_EVENT_H */
