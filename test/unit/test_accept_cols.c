// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * cmd/accept.c: its columns for each option, and the programs its plans load
 * for a kernel, decided from that kernel's BTF (built here in memory, for
 * kernels this machine is not: inet_csk_accept() before v6.10, no
 * bpf_task_pt_regs()).
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/btf.h>

#include "check.h"
#include "modes.h"
#include "render.h"

/* One accept through a column list, as the table/JSON writer prints it. */
static const char *accept_row(const struct tt_col *cols, int n, enum tt_format fmt)
{
	static const struct tt_event e = { .ts_ns = 1, .pid = 4242, .uid = 1000, .backlog = 3,
			      .backlog_max = 16, .family = 2, .lport = 8080,
			      .rport = 51000, .type = TT_EV_ACCEPT,
			      .laddr = { 198, 18, 0, 2 }, .raddr = { 198, 18, 0, 1 },
			      .comm = "nginx" };

	return row(cols, n, fmt, &e);
}

static void test_cols(void)
{
	struct tt_col c[TT_MAX_COLS];
	struct tt_opts o;
	const char *json;
	int n;

	tt_opts_init(&o, "accept");
	n = accept_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "PID     COMM         IP RADDR            RPORT LADDR            LPORT BL\n");
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,IP,RADDR,RPORT,LADDR,LPORT,BL\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport backlog "
			      "backlog_max");
	CHECK_STR(accept_row(c, n, TT_FMT_TABLE),
		  "4242    nginx        4  198.18.0.1       51000 198.18.0.2       8080  3/16\n");
	CHECK_STR(accept_row(c, n, TT_FMT_CSV), "4242,nginx,4,198.18.0.1,51000,198.18.0.2,8080,3/16\n");
	json = accept_row(c, n, TT_FMT_JSON);
	CHECK(strstr(json, ",\"event\":\"accept\",\"pid\":4242,\"comm\":\"nginx\",\"uid\":1000,"
			   "\"family\":4,\"laddr\":\"198.18.0.2\",\"lport\":8080,"
			   "\"raddr\":\"198.18.0.1\",\"rport\":51000,\"backlog\":3,"
			   "\"backlog_max\":16}\n") != NULL);

	o.rel_time = o.show_uid = true;
	n = accept_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE), "TIME(s)   UID    PID     COMM         IP RADDR"
					      "            RPORT LADDR            LPORT BL\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport backlog "
			      "backlog_max");

	tt_opts_init(&o, "accept");
	o.wall_time = o.wide = true;
	n = accept_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "TIME,PID,COMM,IP,RADDR,RPORT,LADDR,LPORT,BL\n");
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "TIME     PID     COMM         IP RADDR                                   RPORT "
		  "LADDR                                   LPORT BL\n");

	n = accept_count_cols(&o, c);
	CHECK_STR(keys(c, n), "family laddr lport raddr count");
	o.wide = false;
	n = accept_count_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE),
		  "LADDR                     LPORT  RADDR                     ACCEPTS\n");
}

/*
 * A kernel BTF with inet_csk_accept() taking nargs parameters (none: no such
 * function), enum bpf_func_id with or without BPF_FUNC_task_pt_regs, and
 * with or without KASAN's report function.
 */
static struct btf *kernel_btf_kasan(int nargs, bool pt_regs, bool kasan)
{
	struct btf *btf = btf__new_empty();
	int i, sock, ptr, proto, e;

	if (!btf)
		return NULL;
	sock = btf__add_struct(btf, "sock", 0);
	ptr = btf__add_ptr(btf, sock);
	if (nargs) {
		proto = btf__add_func_proto(btf, ptr);
		for (i = 0; i < nargs; i++)
			btf__add_func_param(btf, i ? "arg" : "sk", ptr);
		btf__add_func(btf, "inet_csk_accept", BTF_FUNC_STATIC, proto);
	}
	e = btf__add_enum(btf, "bpf_func_id", 4);
	btf__add_enum_value(btf, "BPF_FUNC_unspec", 0);
	if (pt_regs)
		btf__add_enum_value(btf, "BPF_FUNC_task_pt_regs", 175);
	CHECK(e > 0);
	if (kasan)
		btf__add_func(btf, "kasan_report", BTF_FUNC_GLOBAL, btf__add_func_proto(btf, 0));
	return btf;
}

static struct btf *kernel_btf(int nargs, bool pt_regs)
{
	return kernel_btf_kasan(nargs, pt_regs, false);
}

static void test_fits(void)
{
	static const char *const any[] = { "tt_accept_kprobe", "tt_accept_kretprobe", NULL };
	struct btf *btf;
	int i;

	/* v6.10 and later: (sk, struct proto_accept_arg *). */
	btf = kernel_btf(2, true);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit_old") == 0);
	CHECK(tt_accept_fits(btf, "tt_accept_exit") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_exit_catchup") == 1);
	for (i = 0; any[i]; i++)
		CHECK(tt_accept_fits(btf, any[i]) == 1);
	btf__free(btf);

	/* v5.15 to v6.9: (sk, flags, err, kern). */
	btf = kernel_btf(4, true);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit") == 0);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit_old") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_exit_catchup") == 1);
	btf__free(btf);

	/*
	 * Before v5.15: no bpf_task_pt_regs(); the registers are read at the top
	 * of the kernel stack (probes/arch.bpf.h) where it is 16 KiB long.
	 */
	btf = kernel_btf(4, false);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit_old") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_exit_catchup") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_exit") == 1);
	for (i = 0; any[i]; i++)
		CHECK(tt_accept_fits(btf, any[i]) == 1);
	btf__free(btf);

	/* KASAN doubles the stack: no syscall-exit programs without bpf_task_pt_regs(). */
	btf = kernel_btf_kasan(4, false, true);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit_old") == 1);
	CHECK(tt_accept_fits(btf, "tt_accept_exit_catchup") == 0);
	CHECK(tt_accept_fits(btf, "tt_accept_exit") == -EOPNOTSUPP);
	CHECK(tt_accept_fits(btf, "tt_accept_exit_sysexit") == 1);
	for (i = 0; any[i]; i++)
		CHECK(tt_accept_fits(btf, any[i]) == 1);
	btf__free(btf);
	btf = kernel_btf_kasan(4, true, true);
	CHECK(tt_accept_fits(btf, "tt_accept_exit") == 1);
	btf__free(btf);

	/* A signature we do not know, or no such function: no fexit program. */
	btf = kernel_btf(3, true);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit") < 0);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit_old") < 0);
	btf__free(btf);
	btf = kernel_btf(0, true);
	CHECK(tt_accept_fits(btf, "tt_accept_fexit") < 0);
	CHECK(tt_accept_fits(btf, "tt_accept_exit") == 1);
	btf__free(btf);
}

int main(void)
{
	test_cols();
	test_fits();
	return tt_test_done("accept_cols");
}
