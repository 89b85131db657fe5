/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Programs the kernel refuses: each program of a mode's object has a role
 * (struct tt_role, core/mode.h), and before the object loads
 * every program to load is tried the way the kernel would take it (a
 * two-instruction program of the same type and attach point). A refused
 * optional program is left out with one warning; an alternative gives way to
 * the program that does its job; a refused core program fails the plan,
 * naming the program and what the host's security settings say.
 */
#ifndef TCPTRACE_ROLES_H
#define TCPTRACE_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "mode.h"

struct bpf_object;
struct bpf_program;
struct btf;
struct tt_writer;

/*
 * Test-only: programs to treat as refused, whatever the kernel says: a
 * comma-separated list of program names (tt_connect_pending) or section
 * prefixes ending in '/' (iter/, fexit/). It can only take programs away
 * (tcptrace(8) ENVIRONMENT).
 */
#define TT_REFUSE_ENV "TCPTRACE_REFUSE"

/* Whether list (TT_REFUSE_ENV's syntax) names the program name or its section sec. */
bool tt_refuse_listed(const char *list, const char *name, const char *sec);

/* -EPERM if TT_REFUSE_ENV names the program (name may be NULL) or section, else 0. */
int tt_refuse_env(const char *name, const char *sec);

/*
 * For an enricher's object, which degrades as a whole: -EPERM, naming in
 * *prog the first of its programs TT_REFUSE_ENV names, else 0.
 */
int tt_refuse_env_obj(struct bpf_object *obj, const struct bpf_program **prog);

/*
 * The host's security settings in words, for a refusal's message: from
 * the text of securityfs' lockdown ("none [integrity] confidentiality") and
 * lsm ("lockdown,capability,bpf") files, either NULL when unreadable.
 * Writes e.g. "lockdown integrity; LSMs lockdown,capability,landlock,bpf"
 * to buf; "" when neither is known.
 */
void tt_security_format(const char *lockdown, const char *lsm, char *buf, size_t len);
/* The same, read from this host (securityfs, mounted or a private mount). */
void tt_security_read(char *buf, size_t len);

/* The role of prog in roles, or NULL. */
const struct tt_role *tt_role_of(const struct tt_role *roles, int n, const char *prog);

/*
 * Whether the kernel refuses programs like prog: 0 when it takes one
 * (or the answer is not a refusal: the real load will say), or -EPERM /
 * -EACCES. vmlinux resolves the attach points of tracing programs.
 */
int tt_prog_refused(const struct bpf_program *prog, const struct btf *vmlinux);

/* What applying the roles ended in. */
struct tt_roles_result {
	const char *refused;  /* the core program refused (NULL: none) */
	const char *sec;      /* its section */
	int err;	      /* the kernel's answer for it */
	const char *words;    /* that answer in words */
};

/*
 * Checks every program of obj marked to load (autoload): a refused one is
 * handled by its role (a program without a role is core). Warnings go to
 * w, naming mode; with verbose, alternatives taken say so on stderr.
 * Returns 0, or -EPERM with res naming the core program refused (nothing
 * said: the caller may try another plan).
 */
int tt_roles_apply(struct bpf_object *obj, const struct tt_role *roles, int n,
		   const struct btf *vmlinux, struct tt_writer *w, const char *mode, int verbose,
		   struct tt_roles_result *res);

#endif /* TCPTRACE_ROLES_H */
