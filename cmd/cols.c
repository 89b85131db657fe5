// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Column pieces shared by the modes' tables. */
#include "modes.h"

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
