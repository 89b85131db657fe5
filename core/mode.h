/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a mode hands the shared core: its parsed options, its attach plans
 * and its columns. The runner (core/run/runner.c) does everything else.
 */
#ifndef TCPTRACE_MODE_H
#define TCPTRACE_MODE_H

#include <argp.h>
#include <errno.h>
#include <stdbool.h>

#include "core.h"
#include "enrich/enrich.h"
#include "out/output.h"
#include "tcptrace/event.h"

struct bpf_object;
struct bpf_object_skeleton;
struct btf;
struct bpf_object_open_opts;

enum tt_attach { TT_ATTACH_AUTO, TT_ATTACH_FENTRY, TT_ATTACH_KPROBE, TT_ATTACH_TRACEPOINT };

const char *tt_attach_name(enum tt_attach a);
/* Parses an --attach method name: 0, or -EINVAL. */
int tt_parse_attach(const char *s, enum tt_attach *out);

/* One way of attaching a mode: the programs it loads. */
struct tt_plan {
	enum tt_attach method;
	/*
	 * fentry/kprobe: the kernel function the feature probe targets;
	 * tracepoint: NULL for tp_btf, or a classic tracepoint's event name
	 * ("inet_sock_set_state") for kernels without tp_btf.
	 */
	const char *probe_func;
	const char *const *progs;  /* programs loaded by this plan, NULL-terminated */
	const char *what;	   /* for -v: the hooks in words */
	/*
	 * Optional, for programs that depend on the kernel (e.g. one program per
	 * signature of probe_func): called with the kernel's BTF for each of
	 * progs before load. > 0: load it; 0: leave it out on this kernel;
	 * < 0 (-errno): the plan cannot work here, the next one is tried.
	 */
	int (*fits)(const struct btf *vmlinux, const char *prog);
	/* Maps none of progs uses, NULL-terminated: created with one entry. */
	const char *const *idle_maps;
};

/*
 * What a program of a mode's BPF object is for, which decides what happens
 * when the kernel refuses to load it (a lockdown or LSM policy refusing a
 * program type, core/bpf/roles.c): one entry per program of the object, in
 * cmd/<mode>.c, checked against the object by a unit test.
 */
enum tt_role_kind {
	TT_ROLE_CORE,	     /* the plan cannot work without it: refused, the plan fails */
	TT_ROLE_OPTIONAL,    /* refused, one feature degrades (a warning says so) */
	TT_ROLE_ALTERNATIVE, /* refused, the program `instead` does the same job */
};

struct tt_role {
	const char *prog;
	enum tt_role_kind kind;
	const char *feature; /* what it does, in words */
	/*
	 * Optional: what the feature degrades to. Alternative: the program that
	 * takes its place (loaded only then).
	 */
	const char *instead;
	/* Alternative: what the other program costs (a warning), or NULL: nothing. */
	const char *note;
	/* Loaded only with this other program (a nested twin with its outer one), or NULL. */
	const char *with;
};

/* Options every mode takes (core/options.c parses them). */
struct tt_opts {
	const char *mode;	/* "connect" */
	bool rel_time;		/* -t */
	bool wall_time;		/* -T */
	bool wide;		/* -w */
	bool show_uid;		/* -U */
	bool show_lport;	/* connect -L */
	bool count;		/* -c */
	bool health;		/* life --health: RTT(ms) and RETR columns */
	bool open;		/* life --open/--interval: open records (core/run/sessions*.c) */
	double interval;	/* life --interval: seconds between walks; 0: none */
	int verbose;		/* -v */
	bool no_sandbox;	/* --no-sandbox: keep privileges, no seccomp filter */
	enum tt_format fmt;
	enum tt_attach attach;
	double duration;	/* 0 = until interrupted */
	uint32_t buffer_kb;	/* ring buffer size; 0 = the probe's default */
	const char *cgroup;
	const char *btf;
	struct tt_config cfg;
	uint8_t lports[TT_PORT_BITMAP_BYTES];
	uint8_t rports[TT_PORT_BITMAP_BYTES];
	/* The enrichers' own parsed options (tt_enrich_opts()). */
	struct {
		const struct tt_enricher *by; /* NULL: a free slot */
		_Alignas(8) unsigned char opts[TT_ENRICH_OPTS_MAX];
	} enrich[TT_ENRICH_MAX];
};

/* The skeleton glue of a mode: every bpftool skeleton starts with these. */
struct tt_skel {
	struct bpf_object_skeleton *skeleton;
	struct bpf_object *obj;
};

struct tt_probe {
	void *(*open)(const struct bpf_object_open_opts *opts);
	void (*destroy)(void *skel);
	unsigned events;	     /* the event types it writes (TT_EVBIT) */
	const struct tt_plan *plans; /* in order of preference */
	int nplans;
	const struct tt_col *cols;   /* one event */
	int ncols;
	const struct tt_col *count_cols; /* -c */
	int ncount_cols;
	unsigned count_fields;	     /* TT_COUNT_* */
	/*
	 * Optional: the map the plan's iter/bpf_map_elem programs walk at exit,
	 * once the hooks are detached; each writes struct tt_event records that
	 * are output (or counted) like any event.
	 */
	const char *exit_map;
	/*
	 * Optional, where the kernel refuses iterators (its alternative in
	 * roles): a raw_tp program that user space runs (BPF_PROG_TEST_RUN)
	 * once per key of exit_map, the key as its context; it writes the
	 * record to the map "exit_event" and returns 1, or returns 0 (none).
	 */
	const char *exit_run;
	/*
	 * Optional (life): a raw_tp program user space runs (BPF_PROG_TEST_RUN)
	 * with enum tt_open_at and TT_OPEN_BATCH keys of the "owners" map as
	 * its arguments, writing each open session's record to the ring
	 * buffer (core/run/sessions_born.c). Loaded only with --open/--interval.
	 */
	const char *open_run;
	/*
	 * Optional (life): open_run's job in one run per ring buffer's worth
	 * of records, the owners map visited in the kernel; the plans' fits()
	 * gives each kernel one of the two.
	 */
	const char *open_walk;
	/*
	 * Optional (life): a tc program user space runs at setup
	 * (BPF_PROG_TEST_RUN) in each network namespace with sessions opened
	 * before tracing, their tuples in the packet (struct tt_adopt): the
	 * sockets it finds get an owners entry, and the walks above report
	 * them; sock_diag lists the rest at each walk.
	 */
	const char *open_adopt;
	/* Every program of the object and its role (see struct tt_role). */
	const struct tt_role *roles;
	int nroles;
	/*
	 * Optional: classic tracepoints ("category/name") a loaded program
	 * is attached to as well as its own section's, NULL-terminated
	 * {program, tracepoint} pairs. One program verified once instead of
	 * a copy per tracepoint (sys_exit_accept and sys_exit_accept4).
	 */
	const char *const (*also_attach)[2];
	/*
	 * Maps with an entry per open socket, NULL-terminated: sized to the
	 * host's TCP sockets at start, at most their declared max_entries
	 * (core/bpf/maps.c).
	 */
	const char *const *socket_maps;
	/*
	 * Maps with an entry per thread inside a system call (accept(2),
	 * connect(2)), NULL-terminated: sized to the host's threads at start,
	 * at most their declared max_entries (core/bpf/maps.c).
	 */
	const char *const *thread_maps;
};

/* Common options; a mode's argp lists this as its child. */
extern const struct argp tt_common_argp;
/*
 * The parser of an argp whose children are a mode's options, the common
 * ones and the enrichers': each child's parser gets the struct tt_opts.
 */
error_t tt_argp_pass_input(int key, char *arg, struct argp_state *state);
void tt_opts_init(struct tt_opts *o, const char *mode);
/*
 * Parses argv with a mode's argp (its parser gets the struct tt_opts as
 * input): TT_PARSED, else the exit status to return from main(): 2 after a
 * one-line error for bad input, 0 after --help.
 */
int tt_parse_args(const struct argp *argp, int argc, char **argv, struct tt_opts *o);
/* tt_parse_args(): the run goes on (else it returns the exit status). */
#define TT_PARSED (-1)
/*
 * One line on stderr, "tcptrace MODE: <what> (see 'tcptrace MODE --help')";
 * returns TT_USAGE_SAID, for an argp parser to return: parsing stops and
 * the run exits 2 (tt_parse_args()), never exit() mid-way.
 */
#define TT_USAGE_SAID ECANCELED
error_t tt_usage(const struct tt_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parses a port list option into bitmap: 0, or tt_usage() naming the option. */
error_t tt_opt_ports(const struct tt_opts *o, const char *opt, const char *arg, uint8_t *bitmap);

/* Runs a mode to the end; returns the exit code. */
int tt_run(const struct tt_probe *p, struct tt_opts *o);

/* A mode as cmd/<mode>.c describes it; tt_mode_main() does the rest. */
struct tt_mode {
	const char *name;		    /* "connect" */
	const struct argp_option *options;  /* the mode's own options */
	argp_parser_t parser;		    /* gets the struct tt_opts as state->input */
	const char *doc;		    /* --help text: summary \v examples */
	struct tt_probe probe;		    /* without its columns */
	int (*cols)(const struct tt_opts *o, struct tt_col *cols);
	int (*count_cols)(const struct tt_opts *o, struct tt_col *cols); /* NULL: no -c */
	/* Optional: adapts the probe to the parsed options. */
	void (*setup)(struct tt_opts *o, struct tt_probe *p);
};

/* A mode's main(): parses its options and the common ones, runs it. */
int tt_mode_main(const struct tt_mode *m, int argc, char **argv);

/* Generates the skeleton glue for probes/<name>.bpf.c. */
#define TT_SKEL_GLUE(name)                                                               \
	static void *name##_open(const struct bpf_object_open_opts *opts)                 \
	{                                                                                 \
		return name##_bpf__open_opts(opts);                                       \
	}                                                                                 \
	static void name##_destroy(void *skel)                                           \
	{                                                                                 \
		name##_bpf__destroy(skel);                                                \
	}

#endif /* TCPTRACE_MODE_H */
