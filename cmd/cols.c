// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* What the modes share: column pieces, and the main() each of them runs. */
#include "modes.h"

int tt_mode_setup(const struct tt_mode *m, int argc, char **argv, struct tt_opts *o,
		  struct tt_probe *probe, struct tt_col *cols, struct tt_col *count_cols)
{
	struct tt_col c[TT_MAX_COLS];
	const struct argp mode_argp = { .options = m->options, .parser = m->parser };
	struct argp_child children[2 + TT_ENRICH_MAX + 1] = { { &mode_argp, 0, NULL, 0 },
							      { &tt_common_argp, 0, NULL, 0 } };
	const struct argp argp = { .parser = tt_argp_pass_input, .doc = m->doc, .children = children };
	int ret;

	tt_enrich_children(m->probe.events, children + 2, TT_ENRICH_MAX);
	*probe = m->probe;
	tt_opts_init(o, m->name);
	ret = tt_parse_args(&argp, argc, argv, o);
	if (ret != TT_PARSED)
		return ret;
	if (m->setup)
		m->setup(o, probe);
	probe->cols = cols;
	probe->ncols = tt_enrich_cols(o, probe->events, false, c, m->cols(o, c), cols);
	if (m->count_cols) {
		probe->count_cols = count_cols;
		probe->ncount_cols =
			tt_enrich_cols(o, probe->events, true, c, m->count_cols(o, c), count_cols);
	}
	return TT_PARSED;
}

int tt_mode_main(const struct tt_mode *m, int argc, char **argv)
{
	static struct tt_opts o;
	static struct tt_col cols[TT_MAX_COLS], count_cols[TT_MAX_COLS];
	struct tt_probe probe;
	int ret = tt_mode_setup(m, argc, argv, &o, &probe, cols, count_cols);

	return ret == TT_PARSED ? tt_run(&probe, &o) : ret;
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
