/*
 * bpf-attach-probe: checks, without libbpf, that the running kernel accepts
 * one way of attaching a BPF program to the TCP paths tcptrace uses, and that
 * the program then runs. It loads a tiny program that counts its runs in an
 * array map, attaches it, makes one TCP connection over 127.0.0.1, and reports
 * the count. Build: gcc -static -O2 -o bpf-attach-probe bpf-attach-probe.c
 *
 * usage: bpf-attach-probe METHOD
 *   tracepoint  perf tracepoint sock:inet_sock_set_state (needs tracefs mounted)
 *   raw_tp      raw tracepoint inet_sock_set_state
 *   tp_btf      BTF-typed raw tracepoint inet_sock_set_state
 *   kprobe      kprobe on tcp_v4_connect (perf kprobe PMU)
 *   kretprobe   kretprobe on inet_csk_accept
 *   fentry      fentry on tcp_v4_connect (BPF trampoline, BTF id from vmlinux)
 *   fexit       fexit on inet_csk_accept
 * Exit: 0 attached and ran, 1 refused or did not run, 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int fail(const char *what)
{
	fprintf(stderr, "bpf-attach-probe: %s: %s\n", what, strerror(errno));
	return 1;
}

/* ---- vmlinux BTF: find a type id by kind and name ------------------------ */

struct btf_hdr {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

static int btf_find(const char *name, unsigned want_kind)
{
	FILE *f = fopen("/sys/kernel/btf/vmlinux", "rb");
	if (!f)
		return -1;
	static char *buf;
	static size_t len;
	if (!buf) {
		size_t cap = 1 << 20, n;
		buf = malloc(cap);
		while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
			len += n;
			if (len == cap)
				buf = realloc(buf, cap *= 2);
		}
	}
	fclose(f);
	struct btf_hdr *h = (struct btf_hdr *)buf;
	if (len < sizeof(*h) || h->magic != 0xeb9f)
		return -1;
	const char *types = buf + h->hdr_len + h->type_off;
	const char *strs = buf + h->hdr_len + h->str_off;
	size_t off = 0;
	for (int id = 1; off + 12 <= h->type_len; id++) {
		const uint32_t *t = (const uint32_t *)(types + off);
		unsigned kind = (t[1] >> 24) & 0x1f, vlen = t[1] & 0xffff;
		if (kind == want_kind && strcmp(strs + t[0], name) == 0)
			return id;
		off += 12;
		switch (kind) {
		case 1: case 14: case 17: off += 4; break;          /* int var decl_tag */
		case 3: off += 12; break;                            /* array */
		case 4: case 5: case 15: case 19: off += 12 * vlen; break; /* struct union datasec enum64 */
		case 6: case 13: off += 8 * vlen; break;             /* enum func_proto */
		default: break;                                      /* no trailing data */
		}
	}
	errno = ENOENT;
	return -1;
}

/* ---- the program: counts[0] += 1; return 0 ------------------------------- */

static int load(int map_fd, enum bpf_prog_type type, enum bpf_attach_type eat,
		int btf_id)
{
	struct bpf_insn insn[] = {
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = BPF_REG_10, .off = -4, .imm = 0 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_2, .imm = -4 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = BPF_REG_0, .off = 2, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 1 },
		{ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = BPF_REG_0,
		  .src_reg = BPF_REG_1, .imm = BPF_ADD },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	static char log[65536];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = eat;
	a.attach_btf_id = btf_id;
	a.insns = (uintptr_t)insn;
	a.insn_cnt = sizeof(insn) / sizeof(insn[0]);
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	int fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0 && log[0])
		fprintf(stderr, "%s", log);
	return fd;
}

static int perf_attach(struct perf_event_attr *pa, int prog_fd)
{
	pa->size = sizeof(*pa);
	pa->sample_period = 1;
	pa->wakeup_events = 1;
	int pfd = (int)syscall(__NR_perf_event_open, pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ||
	    ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return -1;
	return pfd;
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The retprobe bit of the kprobe PMU: "config:N" in its format directory. */
static int kprobe_retbit(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/kprobe/format/retprobe", "r");
	int bit = 0;
	if (f) {
		if (fscanf(f, "config:%d", &bit) != 1)
			bit = 0;
		fclose(f);
	}
	return bit;
}

static int tcp_once(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (void *)&sa, sizeof(sa)) < 0 || listen(l, 4) < 0 ||
	    getsockname(l, (void *)&sa, &sl) < 0)
		return fail("listen on 127.0.0.1");
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (void *)&sa, sizeof(sa)) < 0)
		return fail("connect to 127.0.0.1");
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return fail("accept");
	close(s);
	close(c);
	close(l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bpf-attach-probe tracepoint|raw_tp|tp_btf|kprobe|kretprobe|fentry|fexit\n");
		return 2;
	}
	const char *m = argv[1];

	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	int map_fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (map_fd < 0)
		return fail("map create");

	int prog_fd = -1, link_fd = -1;
	const char *target;
	struct perf_event_attr pa;
	memset(&pa, 0, sizeof(pa));

	if (!strcmp(m, "tracepoint")) {
		target = "sock:inet_sock_set_state";
		int id = read_int("/sys/kernel/tracing/events/sock/inet_sock_set_state/id");
		if (id < 0)
			id = read_int("/sys/kernel/debug/tracing/events/sock/inet_sock_set_state/id");
		if (id < 0) {
			fprintf(stderr, "bpf-attach-probe: tracepoint id: tracefs not mounted\n");
			return 1;
		}
		if ((prog_fd = load(map_fd, BPF_PROG_TYPE_TRACEPOINT, 0, 0)) < 0)
			return fail("load tracepoint program");
		pa.type = PERF_TYPE_TRACEPOINT;
		pa.config = id;
		link_fd = perf_attach(&pa, prog_fd);
	} else if (!strcmp(m, "raw_tp") || !strcmp(m, "tp_btf")) {
		target = "inet_sock_set_state";
		int btf = !strcmp(m, "tp_btf");
		int id = 0;
		if (btf && (id = btf_find("btf_trace_inet_sock_set_state", 8 /* typedef */)) < 0)
			return fail("BTF id of btf_trace_inet_sock_set_state");
		prog_fd = btf ? load(map_fd, BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, id)
			      : load(map_fd, BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0);
		if (prog_fd < 0)
			return fail("load raw tracepoint program");
		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.prog_fd = prog_fd;
		a.raw_tracepoint.name = btf ? 0 : (uintptr_t)target;
		link_fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	} else if (!strcmp(m, "kprobe") || !strcmp(m, "kretprobe")) {
		int ret = !strcmp(m, "kretprobe");
		target = ret ? "inet_csk_accept" : "tcp_v4_connect";
		int type = read_int("/sys/bus/event_source/devices/kprobe/type");
		if (type < 0) {
			fprintf(stderr, "bpf-attach-probe: no kprobe PMU (kernel without CONFIG_KPROBES?)\n");
			return 1;
		}
		if ((prog_fd = load(map_fd, BPF_PROG_TYPE_KPROBE, 0, 0)) < 0)
			return fail("load kprobe program");
		pa.type = type;
		pa.config = ret ? 1ULL << kprobe_retbit() : 0;
		pa.config1 = (uintptr_t)target; /* kprobe_func */
		pa.config2 = 0;                 /* offset */
		link_fd = perf_attach(&pa, prog_fd);
	} else if (!strcmp(m, "fentry") || !strcmp(m, "fexit")) {
		int exit = !strcmp(m, "fexit");
		target = exit ? "inet_csk_accept" : "tcp_v4_connect";
		int id = btf_find(target, 12 /* func */);
		if (id < 0)
			return fail("BTF id of the function");
		prog_fd = load(map_fd, BPF_PROG_TYPE_TRACING,
			       exit ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY, id);
		if (prog_fd < 0)
			return fail("load fentry/fexit program");
		memset(&a, 0, sizeof(a));
		a.raw_tracepoint.prog_fd = prog_fd;
		link_fd = sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
	} else {
		fprintf(stderr, "bpf-attach-probe: unknown method %s\n", m);
		return 2;
	}
	if (link_fd < 0) {
		fprintf(stderr, "bpf-attach-probe: %s %s: attach refused: %s\n", m, target,
			strerror(errno));
		return 1;
	}
	if (tcp_once())
		return 1;

	uint32_t key = 0;
	uint64_t count = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&count;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0)
		return fail("map lookup");
	printf("%s %s: attached, ran %llu times for one TCP connection\n", m, target,
	       (unsigned long long)count);
	return count > 0 ? 0 : 1;
}
