// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrace --dns: the DNS replies that name the destinations of connections,
 * for any resolver (glibc, musl, Go's own, Java, static binaries, loopback
 * stubs such as systemd-resolved's 127.0.0.53) in any network namespace,
 * without kprobes or knowledge of a libc. Loaded only with -d, by
 * core/enrich/dns/dns.c, which attaches every program with a BPF link to the cgroup v2
 * root (seen from the host's cgroup namespace): a socket belongs to its
 * creator's cgroup, and the root's programs run for every cgroup below it.
 * The links go when tcptrace exits, however it exits.
 *
 *  cgroup/connect4|6, cgroup/sendmsg4|6: a socket connecting or sending to
 *	port 53 (glibc and Go connect a UDP socket; musl sends with sendto() on
 *	an unconnected one; TCP connects for truncated answers): remember, by
 *	socket cookie, the process and network namespace it does so in. These
 *	programs run in the process's own context.
 *  cgroup_skb/ingress: a UDP datagram or TCP segment from source port 53,
 *	delivered to a socket remembered above: its payload goes into the
 *	mode's ring buffer (this object's "events" map is the mode's, reused
 *	by user space), tagged with that process and namespace. At ingress the
 *	current task is whoever runs the softirq (on loopback often the
 *	responder), so only the socket cookie joins a reply to its querier;
 *	and cgroup_skb programs get bpf_get_netns_cookie() only from about
 *	v6.15, so the namespace comes from the same join on every kernel.
 *
 * The ingress program runs for every packet delivered to every socket on
 * the host: anything that is not UDP or TCP from port 53 leaves after a
 * handful of loads. Every program returns 1: it never changes traffic (for
 * cgroup_skb, 0 would drop the packet; for sock_addr, refuse the call).
 *
 * Needs: cgroup_skb (v4.10) with direct packet reads, sock_addr hooks
 * (connect v4.17, sendmsg v4.18), bpf_get_netns_cookie() in them (v5.7),
 * the BPF ring buffer (v5.8), and bpf_get_current_pid_tgid() in sock_addr
 * programs, which Debian 11's 5.10 already allows: there the object loads
 * and -d names connections (measured in the qemu matrix, 5.10.0-46-amd64).
 * Where the object does not load, -d says so and the trace goes on.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "tcptrace/event.h"
#include "ringbuf.bpf.h"

#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define DNS_PORT 53

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by user space: the mode's wake-up threshold (tt_config.wakeup_bytes). */
const volatile __u32 tt_wakeup_bytes = 1;

/* Who last sent to port 53 on a socket. */
struct tt_dns_sock {
	__u64 netns;
	__u32 pid;
	__u32 pad;
};

/*
 * Sockets that sent to port 53 since tracing started, by socket cookie.
 * Resolvers use a socket per lookup or a few long-lived ones: when more
 * are in use at once, the least recently used are forgotten and their
 * replies not captured (the name is then unknown, never wrong).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct tt_dns_sock);
} dns_socks SEC(".maps");

/* A reply's record is assembled here: too big for the stack. */
struct tt_dns_buf {
	struct tt_dns_rec hdr;
	__u8 data[TT_DNS_CAP];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_dns_buf);
} dns_buf SEC(".maps");

/* Wire headers, as far as they are read here. */
struct tt_iphdr {
	__u8 ver_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
};

struct tt_ip6hdr {
	__u8 ver_tc;
	__u8 tc_flow[3];
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 addrs[32];
};

struct tt_tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff; /* data offset in the high nibble */
};

static __always_inline int remember(__u64 cookie, __u64 netns)
{
	struct tt_dns_sock s = {
		.netns = netns,
		.pid = bpf_get_current_pid_tgid() >> 32,
	};

	bpf_map_update_elem(&dns_socks, &cookie, &s, BPF_ANY);
	return 1;
}

/*
 * user_port is in network order; for an AF_INET6 socket sending to an
 * IPv4-mapped address, udpv6_sendmsg() hands the call to udp_sendmsg(), and
 * the sendmsg4 program runs.
 */
#define SOCK_ADDR_PROG(name, sec)                                                          \
	SEC(sec)                                                                           \
	int name(struct bpf_sock_addr *ctx)                                                \
	{                                                                                  \
		if (ctx->user_port != bpf_htons(DNS_PORT))                                 \
			return 1;                                                          \
		return remember(bpf_get_socket_cookie(ctx), bpf_get_netns_cookie(ctx));   \
	}

SOCK_ADDR_PROG(tt_dns_connect4, "cgroup/connect4")
SOCK_ADDR_PROG(tt_dns_connect6, "cgroup/connect6")
SOCK_ADDR_PROG(tt_dns_sendmsg4, "cgroup/sendmsg4")
SOCK_ADDR_PROG(tt_dns_sendmsg6, "cgroup/sendmsg6")

/* A reply from port 53 whose payload starts at off: to user space, if its socket is known. */
static __noinline int capture(struct __sk_buff *skb, __u32 off, __u8 proto)
{
	__u64 cookie = bpf_get_socket_cookie(skb);
	struct tt_dns_sock *s = bpf_map_lookup_elem(&dns_socks, &cookie);
	struct tt_dns_buf *b;
	__u32 zero = 0, wire, n;

	if (!s || off >= skb->len)
		return 0; /* a socket from before tracing, or a TCP segment without data */
	b = bpf_map_lookup_elem(&dns_buf, &zero);
	if (!b)
		return 0;
	wire = skb->len - off;
	n = wire < TT_DNS_CAP ? wire : TT_DNS_CAP;
	/*
	 * 1 <= n <= TT_DNS_CAP, in a way the verifier sees: clang knows it
	 * already and would drop a check, so hide n from it first.
	 */
	barrier_var(n);
	n = ((n - 1) & (TT_DNS_CAP - 1)) + 1;
	if (bpf_skb_load_bytes(skb, off, b->data, n))
		return 0;
	b->hdr.type = TT_REC_DNS;
	b->hdr.kind = TT_DNS_REPLY;
	b->hdr.proto = proto;
	b->hdr.pad = 0;
	b->hdr.len = n;
	b->hdr.pad2 = 0;
	b->hdr.wire_len = wire;
	b->hdr.pid = s->pid;
	b->hdr.ts_ns = bpf_ktime_get_ns();
	b->hdr.netns = s->netns;
	tt_output(b, sizeof(b->hdr) + n, tt_wakeup_bytes);
	return 0;
}

/*
 * The packet starts at its network header (__cgroup_bpf_run_filter_skb()
 * pushes it there), and the IP and transport headers are in its linear part
 * by now: UDP and TCP pulled them before the socket filter runs. The IP
 * version comes from the packet, not the socket: an AF_INET6 socket gets
 * IPv4 packets from IPv4-mapped peers. IPv6 extension headers are not
 * followed (reassembly removed any fragment header): such replies are not
 * seen.
 */
SEC("cgroup_skb/ingress")
int tt_dns_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	const struct tt_iphdr *ip = data;
	const struct tt_ip6hdr *ip6 = data;
	const __be16 *ports;
	__u32 off;
	__u8 proto;

	if ((void *)(ip + 1) > end)
		return 1;
	if ((ip->ver_ihl >> 4) == 4) {
		proto = ip->protocol;
		off = (ip->ver_ihl & 0xf) * 4;
	} else if ((ip->ver_ihl >> 4) == 6) {
		if ((void *)(ip6 + 1) > end)
			return 1;
		proto = ip6->nexthdr;
		off = sizeof(*ip6);
	} else {
		return 1;
	}
	if (proto != IPPROTO_UDP && proto != IPPROTO_TCP)
		return 1;
	ports = data + off;
	if ((void *)(ports + 1) > end || *ports != bpf_htons(DNS_PORT))
		return 1;
	if (proto == IPPROTO_UDP) {
		off += 8;
	} else {
		const struct tt_tcphdr *th = data + off;

		if ((void *)(th + 1) > end)
			return 1;
		off += (th->doff >> 4) * 4;
	}
	capture(skb, off, proto);
	return 1;
}
