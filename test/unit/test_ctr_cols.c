// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --containers in every mode's columns (cmd/) and fields (core/out/fields.c):
 * CONTAINER after COMM (POD with -w) in the table and CSV, the JSON keys
 * last, null for what is not known, and count rows keyed by container.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include "check.h"
#include "enrich/containers/containers.h"
#include "enrich/enrich.h"
#include "modes.h"
#include "render.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define KEYS                                                                                  \
	"cgroup cgroup_id container_id container_runtime container_name container_image "    \
	"k8s_namespace k8s_pod k8s_pod_uid k8s_container systemd_unit"

static const struct tt_event ev = {
	.ts_ns = 1000000000ull,
	.pid = 4242,
	.uid = 0,
	.family = AF_INET,
	.lport = 41000,
	.rport = 8080,
	.type = TT_EV_CONNECT,
	.laddr = { 198, 18, 0, 1 },
	.raddr = { 198, 18, 0, 2 },
	.comm = "nginx",
	.cgroup_id = 4711,
};

extern const struct tt_enricher tt_containers_enricher;

static const char *render(const struct tt_col *cols, int n, enum tt_format fmt,
			  const struct tt_ctr_info *ci)
{
	struct tt_clock clk = { .first_ns = 0, .mono_to_real = 0, .utc = true };
	struct tt_writer w = { .fmt = fmt, .cols = cols, .ncols = n };
	struct tt_extra x = { .by = { &tt_containers_enricher }, .data = { ci } };
	struct tt_src src = { .e = &ev, .x = &x };

	tt_test_open(&w);
	tt_write_src(&w, &src, &clk);
	fclose(w.out);
	return tt_test_mem;
}

int main(void)
{
	const struct tt_ctr_info k8s = {
		.cgroup_id = 4711,
		.cgroup = "/kubepods/besteffort/pod5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b/" ID,
		.id = ID,
		.runtime = "containerd",
		.name = "web",
		.image = "docker.io/library/nginx:1.25",
		.k8s_namespace = "shop",
		.k8s_pod = "web-7d4b9c8f5-x2x9z",
		.k8s_pod_uid = "5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b",
		.k8s_container = "web",
		.ns_pod = "shop/web-7d4b9c8f5-x2x9z",
	};
	const struct tt_ctr_info anon = { .cgroup_id = 77, .cgroup = "/docker/" ID, .id = ID,
					  .runtime = "docker" };
	const struct tt_ctr_info unit = { .cgroup_id = 78, .cgroup = "/system.slice/sshd.service",
					  .unit = "sshd.service" };
	const struct tt_ctr_info none = { 0 };
	struct tt_col c[TT_MAX_COLS];
	struct tt_opts o;
	int n;

	tt_opts_init(&o, "connect");
	enrich_opt(&o, TT_EVBIT(TT_EV_CONNECT), "--containers");
	n = connect_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_TABLE), "PID     COMM         CONTAINER        IP SADDR      "
					      "      DADDR            DPORT\n");
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,CONTAINER,IP,SADDR,DADDR,DPORT\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport " KEYS);
	CHECK_STR(render(c, n, TT_FMT_TABLE, &k8s), "4242    nginx        web              4  "
						    "198.18.0.1       198.18.0.2       8080\n");
	CHECK_STR(render(c, n, TT_FMT_TABLE, &anon), "4242    nginx        0123456789ab     4  "
						     "198.18.0.1       198.18.0.2       8080\n");
	CHECK_STR(render(c, n, TT_FMT_CSV, &unit),
		  "4242,nginx,sshd.service,4,198.18.0.1,198.18.0.2,8080\n");
	CHECK_STR(render(c, n, TT_FMT_CSV, &none), "4242,nginx,-,4,198.18.0.1,198.18.0.2,8080\n");
	CHECK_STR(render(c, n, TT_FMT_JSON, &k8s),
		  "{\"time\":\"1970-01-01T00:00:01.000000000Z\",\"event\":\"connect\",\"pid\":4242,"
		  "\"comm\":\"nginx\",\"uid\":0,\"family\":4,\"laddr\":\"198.18.0.1\",\"lport\":41000,"
		  "\"raddr\":\"198.18.0.2\",\"rport\":8080,"
		  "\"cgroup\":\"/kubepods/besteffort/pod5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b/" ID "\","
		  "\"cgroup_id\":4711,\"container_id\":\"" ID "\",\"container_runtime\":"
		  "\"containerd\",\"container_name\":\"web\",\"container_image\":"
		  "\"docker.io/library/nginx:1.25\",\"k8s_namespace\":\"shop\",\"k8s_pod\":"
		  "\"web-7d4b9c8f5-x2x9z\",\"k8s_pod_uid\":\"5f2e1c3a-8d4b-4e6f-9a7b-1c2d3e4f5a6b\","
		  "\"k8s_container\":\"web\",\"systemd_unit\":null}\n");
	CHECK_STR(render(c, n, TT_FMT_JSON, &none),
		  "{\"time\":\"1970-01-01T00:00:01.000000000Z\",\"event\":\"connect\",\"pid\":4242,"
		  "\"comm\":\"nginx\",\"uid\":0,\"family\":4,\"laddr\":\"198.18.0.1\",\"lport\":41000,"
		  "\"raddr\":\"198.18.0.2\",\"rport\":8080,\"cgroup\":null,\"cgroup_id\":null,"
		  "\"container_id\":null,\"container_runtime\":null,\"container_name\":null,"
		  "\"container_image\":null,\"k8s_namespace\":null,\"k8s_pod\":null,"
		  "\"k8s_pod_uid\":null,\"k8s_container\":null,\"systemd_unit\":null}\n");

	/* -w: 32 wide, and POD */
	o.wide = true;
	n = connect_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,CONTAINER,POD,IP,SADDR,DADDR,DPORT\n");
	CHECK_STR(render(c, n, TT_FMT_CSV, &k8s),
		  "4242,nginx,web,shop/web-7d4b9c8f5-x2x9z,4,198.18.0.1,198.18.0.2,8080\n");
	CHECK_STR(render(c, n, TT_FMT_CSV, &anon),
		  "4242,nginx,0123456789ab,-,4,198.18.0.1,198.18.0.2,8080\n");
	/* the id in the table is 12 digits, as docker ps shows it */
	CHECK(strstr(render(c, n, TT_FMT_TABLE, &anon), " 0123456789ab                     - "));

	/* -c: per container too (the JSON keys after the count) */
	tt_opts_init(&o, "connect");
	enrich_opt(&o, TT_EVBIT(TT_EV_CONNECT), "--container=web");
	n = connect_count_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_TABLE), "CONTAINER        LADDR                     RADDR   "
					      "                  RPORT  CONNECTS\n");
	CHECK_STR(keys(c, n), "family laddr raddr rport count " KEYS);

	tt_opts_init(&o, "accept");
	enrich_opt(&o, TT_EVBIT(TT_EV_ACCEPT), "--containers");
	n = accept_cols(&o, c);
	CHECK_STR(header(c, n, TT_FMT_CSV), "PID,COMM,CONTAINER,IP,RADDR,RPORT,LADDR,LPORT,BL\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport backlog "
			      "backlog_max " KEYS);
	n = accept_count_cols(&o, c);
	CHECK_STR(keys(c, n), "family laddr lport raddr count " KEYS);
	CHECK(c[0].by == &tt_containers_enricher && !strcmp(c[0].title, "CONTAINER"));

	tt_opts_init(&o, "life");
	o.wide = true;
	enrich_opt(&o, TT_EVBIT(TT_EV_CLOSE), "--containers");
	n = life_cols(&o, c);
	CHECK(n <= TT_MAX_COLS);
	CHECK_STR(header(c, n, TT_FMT_CSV),
		  "PID,COMM,CONTAINER,POD,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS\n");
	CHECK_STR(keys(c, n), "time event pid comm uid family laddr lport raddr rport tx_bytes "
			      "rx_bytes duration_ns srtt_us min_rtt_us retrans_segs segs_out segs_in "
			      "close_cause closed_by owner_source " KEYS);

	/* without the option: nothing added (the other tests check every column) */
	tt_opts_init(&o, "life");
	CHECK(life_cols(&o, c) == tt_life_cols(&o, c) - 1); /* only the mark goes */
	CHECK(!tt_enrich_enabled(&o, &tt_containers_enricher));
	{
		/* every mode takes its options; -d is not accept's */
		struct argp_child ch[TT_ENRICH_MAX];

		CHECK(tt_enrich_children(TT_EVBIT(TT_EV_ACCEPT), ch, TT_ENRICH_MAX) == 1);
		CHECK(tt_enrich_children(TT_EVBIT(TT_EV_CLOSE), ch, TT_ENRICH_MAX) == 2);
		CHECK(tt_enrich_children(TT_EVBIT(TT_EV_CONNECT), ch, 1) == 1);
	}
	return tt_test_done("ctr_cols");
}
