/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal CO-RE view of the kernel types the probes read.
 *
 * Only the members we use are declared; preserve_access_index makes clang emit
 * BTF relocations, so libbpf finds each member by name in the running kernel's
 * BTF at load time and the real layout never matters here. Nothing in this file
 * comes from the build host's kernel. The uapi headers provide the BPF enums.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
enum { false = 0, true = 1 };

#define AF_INET 2
#define AF_INET6 10

/* include/net/tcp_states.h */
enum {
	TCP_ESTABLISHED = 1,
	TCP_SYN_SENT = 2,
	TCP_SYN_RECV = 3,
	TCP_FIN_WAIT1 = 4,
	TCP_FIN_WAIT2 = 5,
	TCP_TIME_WAIT = 6,
	TCP_CLOSE = 7,
	TCP_CLOSE_WAIT = 8,
	TCP_LAST_ACK = 9,
	TCP_LISTEN = 10,
	TCP_CLOSING = 11,
	TCP_NEW_SYN_RECV = 12,
};

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be32 u6_addr32[4];
	} in6_u;
};

/* include/net/net_namespace.h: only what the DNS names need (--dns). */
struct net {
	u64 net_cookie;
};

/*
 * Before v5.12 (commit 3d368ab87cf6) net_cookie was an atomic64_t, 0 until
 * first asked for (net_gen_cookie(), v5.7, commit f318903c0bf4).
 */
typedef struct {
	s64 counter;
} atomic64_t;

struct net___atomic64 {
	atomic64_t net_cookie;
};

typedef struct {
	struct net *net;
} possible_net_t;

struct sock_common {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	volatile unsigned char skc_state;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
	unsigned long skc_flags; /* sock.sk_flags, a #define of it */
	possible_net_t skc_net;
	atomic64_t skc_cookie; /* 0 until given out (sock_gen_cookie()) */
};

/* include/net/sock.h: bits of sock.sk_flags (sock_common.skc_flags). */
enum sock_flags {
	SOCK_DEAD = 0,
	SOCK_DONE = 1,
};

/* include/net/sock.h: owned is 1 while a task holds lock_sock(). */
typedef struct {
	int owned;
} socket_lock_t;

/* include/linux/kernfs.h: a cgroup's id is its kernfs node's id (v5.5 layout). */
struct kernfs_node {
	u64 id;
};

struct cgroup_root {
	int hierarchy_id; /* 0: the default (cgroup v2) hierarchy */
};

struct cgroup {
	struct kernfs_node *kn;
	struct cgroup_root *root;
	int level;
};

/* include/linux/cgroup-defs.h since v5.15 (commit 8520e224f547). */
struct sock_cgroup_data {
	struct cgroup *cgroup;
};

struct sock {
	struct sock_common __sk_common;
	socket_lock_t sk_lock;
	u16 sk_protocol;
	int sk_err;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	struct sock_cgroup_data sk_cgrp_data;
};

struct inet_sock {
	struct sock sk;
	__be16 inet_sport;
};

struct minmax_sample {
	u32 t;
	u32 v;
};

struct minmax {
	struct minmax_sample s[3];
};

struct tcp_sock {
	u64 bytes_received;
	u64 bytes_acked;
	u32 snd_una;
	u32 write_seq;
	u32 srtt_us;
	struct minmax rtt_min;
	u32 total_retrans;
	u32 segs_in;
	u32 segs_out;
};

struct inode {
	unsigned short i_mode;
};

struct file;

struct socket {
	struct file *file;
	struct sock *sk;
};

struct file {
	void *private_data;
	struct inode *f_inode;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

/* x86: status holds TS_COMPAT while a 32-bit system call runs (arch.bpf.h). */
struct thread_info {
	unsigned long flags;
	u32 status;
};

struct task_struct {
	struct thread_info thread_info;
	void *stack; /* the kernel stack: saved user registers at its top (arch.bpf.h) */
	int pid;
	int tgid;
	struct files_struct *files;
};

/* inet_csk_accept() argument block since v6.10 (commit 92ef0fd55ac8). */
struct proto_accept_arg {
	int flags;
	int err;
	int is_empty;
	bool kern;
};

/* The classic sock:inet_sock_set_state record (v4.16, commit 563e0bb0dc74). */
struct trace_event_raw_inet_sock_set_state {
	const void *skaddr;
	int oldstate;
	int newstate;
	__u16 protocol;
};

struct seq_file;
struct bpf_map;

struct bpf_iter_meta {
	struct seq_file *seq;
};

struct bpf_iter__bpf_map_elem {
	struct bpf_iter_meta *meta;
	struct bpf_map *map;
	void *key;
	void *value;
};

/*
 * The registers a task saved on entering the kernel, as bpf_task_pt_regs()
 * and kprobes see them; libbpf's PT_REGS_*() macros (bpf_tracing.h) name
 * the members per __TARGET_ARCH_*, which the build sets for the target.
 */
#if defined(__TARGET_ARCH_x86)
/* arch/x86/include/asm/ptrace.h */
struct pt_regs {
	long unsigned int r15;
	long unsigned int r14;
	long unsigned int r13;
	long unsigned int r12;
	long unsigned int bp;
	long unsigned int bx;
	long unsigned int r11;
	long unsigned int r10;
	long unsigned int r9;
	long unsigned int r8;
	long unsigned int ax;
	long unsigned int cx;
	long unsigned int dx;
	long unsigned int si;
	long unsigned int di;
	long unsigned int orig_ax;
	long unsigned int ip;
	long unsigned int cs;
	long unsigned int flags;
	long unsigned int sp;
	long unsigned int ss;
};
#elif defined(__TARGET_ARCH_arm64)
/* arch/arm64/include/uapi/asm/ptrace.h: what PT_REGS_*() read on arm64. */
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

/*
 * arch/arm64/include/asm/ptrace.h: the kernel's frame starts with the user
 * registers (a union with user_pt_regs, whose pstate CO-RE finds through
 * the anonymous union and struct that hold it), then orig_x0 and syscallno.
 * What each member is for: arch.bpf.h.
 */
struct pt_regs {
	__u64 pstate;
	__u64 orig_x0;
	int syscallno;
};
#else
#error "unsupported target: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif

#pragma clang attribute pop

#endif /* __VMLINUX_H__ */
