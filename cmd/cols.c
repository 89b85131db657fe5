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
