// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the modes share: column pieces, and the main() each of them runs. */
#include "modes.h"

/* The parent of the mode's options and the common ones: both get the opts. */
static error_t pass_input(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key != ARGP_KEY_INIT)
		return ARGP_ERR_UNKNOWN;
	state->child_inputs[0] = state->input;
	state->child_inputs[1] = state->input;
	return 0;
}

int tt_mode_main(const struct tt_mode *m, int argc, char **argv)
{
	static struct tt_opts o;
	static struct tt_col cols[TT_MAX_COLS], count_cols[TT_MAX_COLS];
	const struct argp mode_argp = { .options = m->options, .parser = m->parser };
	const struct argp_child children[] = { { &mode_argp, 0, NULL, 0 },
					       { &tt_common_argp, 0, NULL, 0 },
					       {} };
	const struct argp argp = { .parser = pass_input, .doc = m->doc, .children = children };
	struct tt_probe probe = m->probe;

	tt_opts_init(&o, m->name);
	tt_parse_args(&argp, argc, argv, &o);
	if (m->setup)
		m->setup(&o, &probe);
	probe.cols = cols;
	probe.ncols = m->cols(&o, cols);
	if (m->count_cols) {
		probe.count_cols = count_cols;
		probe.ncount_cols = m->count_cols(&o, count_cols);
	}
	return tt_run(&probe, &o);
}

/* The UID table column has no JSON key: JSON always has "uid", after "comm". */
int tt_cols_prefix(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0;

	c[n++] = (struct tt_col){ .key = "time", .field = TT_F_TIME_ISO };
	c[n++] = (struct tt_col){ .key = "event", .field = TT_F_EVENT };
	if (o->wall_time)
		c[n++] = (struct tt_col){ .title = "TIME", .field = TT_F_TIME_WALL, .width = 8 };
	if (o->rel_time)
		c[n++] = (struct tt_col){ .title = "TIME(s)", .field = TT_F_TIME_REL, .width = 9 };
	if (o->show_uid)
		c[n++] = (struct tt_col){ .title = "UID", .field = TT_F_UID, .width = 6 };
	return n;
}

int tt_addr_width(const struct tt_opts *o)
{
	return o->wide ? 39 : 16;
}

int tt_cols_container(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0, w = o->wide ? 32 : 16;

	if (!o->containers)
		return 0;
	c[n++] = (struct tt_col){ "CONTAINER", NULL, TT_F_CONTAINER, w, w };
	if (o->wide)
		c[n++] = (struct tt_col){ "POD", NULL, TT_F_POD, 40, 40 };
	return n;
}

int tt_cols_container_keys(const struct tt_opts *o, struct tt_col *c)
{
	static const struct tt_col keys[] = {
		{ NULL, "cgroup", TT_F_CGROUP },
		{ NULL, "cgroup_id", TT_F_CGROUP_ID },
		{ NULL, "container_id", TT_F_CONTAINER_ID },
		{ NULL, "container_runtime", TT_F_CONTAINER_RUNTIME },
		{ NULL, "container_name", TT_F_CONTAINER_NAME },
		{ NULL, "container_image", TT_F_CONTAINER_IMAGE },
		{ NULL, "k8s_namespace", TT_F_K8S_NAMESPACE },
		{ NULL, "k8s_pod", TT_F_K8S_POD },
		{ NULL, "k8s_pod_uid", TT_F_K8S_POD_UID },
		{ NULL, "k8s_container", TT_F_K8S_CONTAINER },
		{ NULL, "systemd_unit", TT_F_SYSTEMD_UNIT },
	};
	int n = 0;

	if (!o->containers)
		return 0;
	for (; n < (int)(sizeof(keys) / sizeof(keys[0])); n++)
		c[n] = keys[n];
	return n;
}

int tt_dns_cols(const struct tt_opts *o, struct tt_col *c)
{
	int n = 0;

	if (!o->dns)
		return 0;
	c[n++] = (struct tt_col){ "QUERY", "query", TT_F_QUERY };
	c[n++] = (struct tt_col){ NULL, "query_cname", TT_F_QUERY_CNAME };
	c[n++] = (struct tt_col){ NULL, "query_age_ns", TT_F_QUERY_AGE_NS };
	c[n++] = (struct tt_col){ NULL, "query_stale", TT_F_QUERY_STALE };
	c[n++] = (struct tt_col){ NULL, "query_scope", TT_F_QUERY_SCOPE };
	c[n++] = (struct tt_col){ NULL, "query_candidates", TT_F_QUERY_CANDIDATES };
	return n;
}
