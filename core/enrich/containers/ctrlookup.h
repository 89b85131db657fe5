/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the host's files say of a container (core/enrich/containers/ctrlookup.c). */
#ifndef TCPTRACE_CTRLOOKUP_H
#define TCPTRACE_CTRLOOKUP_H

#include <stdbool.h>

#include "enrich/containers/containers.h"

/*
 * Fills m with what the runtimes' state files and kubelet's log
 * directories under root (an fd of --host-root) say of the container or
 * pod that cgroup path attributes a names. true if any file held it.
 */
bool tt_ctr_lookup(int root, const struct tt_cg_attr *a, struct tt_ctr_meta *m);

#endif
