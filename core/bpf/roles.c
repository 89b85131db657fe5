// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Programs the kernel refuses (core/bpf/roles.h). A host may refuse some program
 * types to everyone, root included: lockdown with the BPF LSM, security
 * agents' BPF LSM policies, vendor kernels. Measured on a 6.18 host with
 * lockdown=integrity and the LSMs lockdown,capability,landlock,bpf: every
 * iter/ and fentry/fexit program fails to load with EPERM before the
 * verifier runs ("processed 0 insns"), while tp_btf, raw_tp, classic
 * tracepoints and cgroup programs load. A two-instruction program of the
 * same type and attach point gets the same answer in microseconds, so each
 * program to load is tried that way before the object loads, and the
 * object loads without the refused ones (libbpf loads an object whole).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/kernel.h"
#include "bpf/roles.h"
#include "host/fsmount.h"
#include "out/output.h"

bool tt_refuse_listed(const char *list, const char *name, const char *sec)
{
	const char *p = list, *end;
	size_t n;

	while (p && *p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n && p[n - 1] == '/') {
			if (sec && !strncmp(sec, p, n))
				return true;
		} else if (n && name && strlen(name) == n && !strncmp(name, p, n)) {
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

int tt_refuse_env(const char *name, const char *sec)
{
	return tt_refuse_listed(getenv(TT_REFUSE_ENV), name, sec) ? -EPERM : 0;
}

int tt_refuse_env_obj(struct bpf_object *obj, const struct bpf_program **prog)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj)
		if (tt_refuse_env(bpf_program__name(p), bpf_program__section_name(p))) {
			*prog = p;
			return -EPERM;
		}
	return 0;
}

/* "none [integrity] confidentiality": the word in brackets. */
static bool lockdown_mode(const char *text, char *out, size_t len)
{
	const char *a = text ? strchr(text, '[') : NULL, *b = a ? strchr(a, ']') : NULL;

	if (!b || (size_t)(b - a - 1) >= len || b == a + 1)
		return false;
	memcpy(out, a + 1, (size_t)(b - a - 1));
	out[b - a - 1] = '\0';
	return true;
}

void tt_security_format(const char *lockdown, const char *lsm, char *buf, size_t len)
{
	char mode[32], lsms[160] = "";
	size_t i, j = 0;
	int n = 0;

	buf[0] = '\0';
	/* one line of names: drop a trailing newline and anything not printable */
	for (i = 0; lsm && lsm[i] && j + 1 < sizeof(lsms); i++)
		if (lsm[i] > ' ' && lsm[i] < 0x7f)
			lsms[j++] = lsm[i];
	lsms[j] = '\0';
	if (lockdown_mode(lockdown, mode, sizeof(mode)))
		n = snprintf(buf, len, "lockdown %s", mode);
	if (lsms[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%sLSMs %s", n ? "; " : "", lsms);
}

static void read_text(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* securityfs where it is mounted, or a mount of our own attached nowhere. */
static int securityfs_dir(void)
{
	int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return tt_fsmount_private("securityfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
							       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	close(fd);
	return open("/sys/kernel/security", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void tt_security_read(char *buf, size_t len)
{
	char lockdown[128], lsm[160];
	int dir = securityfs_dir();

	lockdown[0] = lsm[0] = '\0';
	if (dir >= 0) {
		read_text(dir, "lockdown", lockdown, sizeof(lockdown));
		read_text(dir, "lsm", lsm, sizeof(lsm));
		close(dir);
	}
	tt_security_format(lockdown[0] ? lockdown : NULL, lsm[0] ? lsm : NULL, buf, len);
}

const struct tt_role *tt_role_of(const struct tt_role *roles, int n, const char *prog)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(roles[i].prog, prog))
			return &roles[i];
	return NULL;
}

/*
 * The kernel BTF id a tracing program attaches to, from its section as
 * libbpf reads it: fentry/F, fexit/F (the function F), tp_btf/T (the
 * typedef btf_trace_T), iter/I (the function bpf_iter_I). 0: none needed
 * or not found (the real load says what is wrong).
 */
static __u32 attach_btf_id(const struct btf *vmlinux, enum bpf_attach_type at, const char *sec)
{
	const char *target = strchr(sec, '/');
	char name[128];
	int kind = BTF_KIND_FUNC, id;

	if (!target || !vmlinux)
		return 0;
	target++;
	switch (at) {
	case BPF_TRACE_FENTRY:
	case BPF_TRACE_FEXIT:
	case BPF_MODIFY_RETURN:
		snprintf(name, sizeof(name), "%s", target);
		break;
	case BPF_TRACE_RAW_TP:
		snprintf(name, sizeof(name), "btf_trace_%s", target);
		kind = BTF_KIND_TYPEDEF;
		break;
	case BPF_TRACE_ITER:
		snprintf(name, sizeof(name), "bpf_iter_%s", target);
		break;
	default:
		return 0;
	}
	id = btf__find_by_name_kind(vmlinux, name, kind);
	return id > 0 ? (__u32)id : 0;
}

int tt_prog_refused(const struct bpf_program *prog, const struct btf *vmlinux)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	enum bpf_attach_type at = bpf_program__expected_attach_type(prog);
	const char *sec = bpf_program__section_name(prog);
	int fd = tt_refuse_env(bpf_program__name(prog), sec);
	__u32 btf_id = 0;

	if (fd)
		return fd;
	if (type == BPF_PROG_TYPE_TRACING) {
		btf_id = attach_btf_id(vmlinux, at, sec);
		if (!btf_id)
			return 0;
	}
	fd = tt_load_tiny(type, at, btf_id);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return fd == -EPERM || fd == -EACCES ? fd : 0;
}

static const char *refusal_words(const struct bpf_program *prog, int err)
{
	if (tt_refuse_env(bpf_program__name(prog), bpf_program__section_name(prog)))
		return "Operation not permitted (" TT_REFUSE_ENV ")";
	return strerror(-err);
}

#define MAX_OBJ_PROGS 64
#define MAX_SAID 16

struct apply {
	struct bpf_object *obj;
	const struct tt_role *roles;
	int n;
	const struct btf *vmlinux;
	struct tt_writer *w;
	const char *mode;
	int verbose;
	struct bpf_program *progs[MAX_OBJ_PROGS];
	int nprogs;
	unsigned long long checked; /* bit i: progs[i] was tried */
	/* progs[i] stands in for via[i], refused with via_err[i] (said once i loads) */
	struct bpf_program *via[MAX_OBJ_PROGS];
	int via_err[MAX_OBJ_PROGS];
	/*
	 * What is said once every program is settled: nothing when a core
	 * program is refused (the plan fails, another may be tried).
	 */
	struct {
		bool warn; /* a warning; else -v only */
		char text[480];
	} said[MAX_SAID];
	int nsaid;
};

/* To be said (warn: as a warning, else with -v) if the plan holds. */
static void say(struct apply *a, bool warn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct apply *a, bool warn, const char *fmt, ...)
{
	va_list ap;

	if (a->nsaid == MAX_SAID || (!warn && !a->verbose))
		return;
	va_start(ap, fmt);
	vsnprintf(a->said[a->nsaid].text, sizeof(a->said[0].text), fmt, ap);
	va_end(ap);
	a->said[a->nsaid++].warn = warn;
}

static int prog_index(const struct apply *a, const char *name)
{
	int i;

	for (i = 0; i < a->nprogs; i++)
		if (!strcmp(bpf_program__name(a->progs[i]), name))
			return i;
	return -1;
}

/* A refused program that is not core: left out, and its role says what follows. */
static void give_way(struct apply *a, struct bpf_program *prog, const struct tt_role *role,
		     int err)
{
	int alt = role->kind == TT_ROLE_ALTERNATIVE ? prog_index(a, role->instead) : -1;

	bpf_program__set_autoload(prog, false);
	if (alt >= 0) {
		/* said once the alternative is known to load (it may be refused too) */
		bpf_program__set_autoload(a->progs[alt], true);
		a->checked &= ~(1ull << alt);
		a->via[alt] = prog;
		a->via_err[alt] = err;
		return;
	}
	say(a, true, "%s: %s (%s) refused by the kernel (%s): %s", role->feature,
	    bpf_program__name(prog), bpf_program__section_name(prog), refusal_words(prog, err),
	    role->instead ? role->instead : "not available");
}

/* progs[i], standing in for a refused program, loads: said (a warning if it costs). */
static void took_alternative(struct apply *a, int i)
{
	struct bpf_program *prog = a->via[i];
	const char *name = bpf_program__name(prog), *sec = bpf_program__section_name(prog);
	const struct tt_role *role = tt_role_of(a->roles, a->n, name);

	if (role->note)
		say(a, true, "%s: %s (%s) refused by the kernel (%s): %s instead; %s", role->feature,
		    name, sec, refusal_words(prog, a->via_err[i]), role->instead, role->note);
	else
		say(a, false, "%s (%s) refused by the kernel (%s): %s does the same (%s)", name, sec,
		    refusal_words(prog, a->via_err[i]), role->instead, role->feature);
}

/* Programs loaded only with another (nested twins): not without it. */
static void drop_orphans(struct apply *a)
{
	int i, with;

	for (i = 0; i < a->nprogs; i++) {
		const struct tt_role *role = tt_role_of(a->roles, a->n, bpf_program__name(a->progs[i]));

		if (!role || !role->with || !bpf_program__autoload(a->progs[i]))
			continue;
		with = prog_index(a, role->with);
		if (with < 0 || !bpf_program__autoload(a->progs[with])) {
			bpf_program__set_autoload(a->progs[i], false);
			say(a, false, "%s left out: it goes with %s", bpf_program__name(a->progs[i]),
			    role->with);
		}
	}
}

int tt_roles_apply(struct bpf_object *obj, const struct tt_role *roles, int n,
		   const struct btf *vmlinux, struct tt_writer *w, const char *mode, int verbose,
		   struct tt_roles_result *res)
{
	struct apply a = { obj, roles, n, vmlinux, w, mode, verbose };
	struct bpf_program *prog;
	bool again = true;
	int i, err;

	memset(res, 0, sizeof(*res));
	bpf_object__for_each_program(prog, obj) {
		if (a.nprogs == MAX_OBJ_PROGS)
			return -E2BIG;
		a.progs[a.nprogs++] = prog;
	}
	/* An alternative taken is tried in turn (it may be refused too). */
	while (again) {
		again = false;
		for (i = 0; i < a.nprogs; i++) {
			const char *name = bpf_program__name(a.progs[i]);
			const struct tt_role *role;

			if (!bpf_program__autoload(a.progs[i]) || (a.checked & (1ull << i)))
				continue;
			a.checked |= 1ull << i;
			err = tt_prog_refused(a.progs[i], vmlinux);
			if (!err) {
				if (a.via[i])
					took_alternative(&a, i);
				continue;
			}
			role = tt_role_of(roles, n, name);
			if (!role || role->kind == TT_ROLE_CORE) {
				res->refused = name;
				res->sec = bpf_program__section_name(a.progs[i]);
				res->err = err;
				res->words = refusal_words(a.progs[i], err);
				return -EPERM;
			}
			give_way(&a, a.progs[i], role, err);
			again = true;
		}
	}
	drop_orphans(&a);
	for (i = 0; i < a.nsaid; i++) {
		if (a.said[i].warn)
			tt_warn(w, mode, NULL, "%s", a.said[i].text);
		else
			fprintf(stderr, TT_PROG ": %s: %s\n", mode, a.said[i].text);
	}
	return 0;
}
