# shellcheck shell=bash
# Least privilege (core/host/privs.def, tcptrace(8) PRIVILEGES and SECURITY).
#
# Every mode runs with exactly the documented capabilities, CAP_BPF and
# CAP_PERFMON, as uid 0 with a limited bounding set and as an unprivileged
# uid with ambient capabilities, and traces a real connection; after setup
# it holds only what tcptrace(8) says it keeps, with no_new_privs and a
# seccomp filter; a fallback to the raw sys_exit tracepoint is said on
# stderr and in JSON; a missing capability is named, and only that one; a
# system call the filter refuses ends the run with one line.
#
# The tracers of a check start together and share one connection: in the
# qemu guest (test/kernels/test_guest.sh sources this file, for $TT_MODE)
# each start costs about a second, so there one test starts every tracer of
# the mode at once (priv_guest_plans): as uid 0 with exactly CAP_BPF and
# CAP_PERFMON once per plan, where the plan decides what is needed (fentry;
# kprobe at kernel.perf_event_paranoid 2, and at Debian's 3 where it needs
# CAP_SYS_ADMIN; tracepoint, with tracefs unmounted and mounted); as a user
# once (auto: the uid only matters to tracefs); as root, for what it keeps.

TTSYSCALL=${TTSYSCALL:-$BUILD/ttsyscall}

priv_modes() {
	if [ -n "${TT_MODE:-}" ]; then echo "$TT_MODE"; else "$TT" --list; fi
}

# The effective capabilities a tracer keeps after setup (tcptrace(8)
# PRIVILEGES): CAP_BPF on kernels before 5.19 while
# kernel.unprivileged_bpf_disabled is set (they refuse every bpf(2) command
# without it), none on later kernels (Debian 12's 6.1 included). As
# /proc/PID/status shows them.
kept_caps() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	min=${min%%[!0-9]*}
	if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" != 0 ] &&
		{ [ "$maj" -lt 5 ] || { [ "$maj" = 5 ] && [ "$min" -lt 19 ]; }; }; then
		echo 0000008000000000
	else
		echo 0000000000000000
	fi
}

# priv_wrapper WHO CAPS: a script that runs $TT with exactly CAPS ("bpf,perfmon"):
# WHO root: uid 0, bounding and inheritable sets limited to CAPS;
# WHO user: uid 65534 with CAPS as ambient capabilities;
# WHO full: $TT itself (root with every capability).
priv_wrapper() {
	local who=$1 caps=+${2//,/,+} w=$WORK/tt-$1-${2//,/-}
	[ -z "$2" ] && caps=""
	[ "$who" = full ] && { echo "$TT"; return; }
	# made once: rewriting it while a tracer started before execs it is ETXTBSY
	[ -x "$w" ] && { echo "$w"; return; }
	{
		echo "#!$(command -v bash)"
		if [ "$who" = root ]; then
			echo "exec $(command -v setpriv) --inh-caps=-all${caps:+,$caps} --bounding-set=-all${caps:+,$caps} -- $TT \"\$@\""
		else
			echo "exec $(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all${caps:+,$caps} --ambient-caps=-all${caps:+,$caps} -- $TT \"\$@\""
		fi
	} >"$w.tmp"
	chmod 755 "$w.tmp"
	mv "$w.tmp" "$w"
	echo "$w"
}

# ---- tracers started together -------------------------------------------------
# Each has a NAME; TR_* hold its pid, files, mode, who, capabilities, plan,
# programs, and which event of the connection it must show (TR_CHECK: its
# mode, or connect-c for a count row). PRIV_TRACEFS: see fallback_reason.
declare -gA TR_PID TR_OUT TR_ERR TR_MODE TR_WHO TR_CAPS TR_PLAN TR_PROGS TR_CHECK PRIV_TRACEFS
TRACERS=()

# tracer_bg NAME MODE WHO CAPS PLAN [ARGS...]: starts one in the background,
# -v --json, forced onto PLAN unless it is auto.
tracer_bg() {
	local name=$1 mode=$2 who=$3 caps=$4 plan=$5 tt
	shift 5
	tt=$(priv_wrapper "$who" "$caps")
	TR_OUT[$name]=$WORK/$name.out TR_ERR[$name]=$WORK/$name.err TR_MODE[$name]=$mode
	TR_WHO[$name]=$who TR_CAPS[$name]=$caps TR_PLAN[$name]=$plan TR_CHECK[$name]=$mode
	[ "$plan" = auto ] && plan=""
	"$tt" "$mode" ${plan:+--attach=$plan} --json -v "$@" >"${TR_OUT[$name]}" 2>"${TR_ERR[$name]}" &
	TR_PID[$name]=$!
	TRACERS+=("$name")
}

# tracers_attached: every tracer started says it is attached, within 20 s.
tracers_attached() {
	local n i left
	for i in $(seq 1 400); do
		left=""
		for n in "${TRACERS[@]}"; do
			[ -n "${TR_PROGS[$n]:-}" ] && continue
			if grep -q ': attached$' "${TR_ERR[$n]}"; then
				TR_PROGS[$n]=$(tracer_progs "${TR_PID[$n]}")
				[ -n "${TR_PROGS[$n]}" ] || { fail "$n: no BPF programs seen"; return 1; }
				continue
			fi
			kill -0 "${TR_PID[$n]}" 2>/dev/null ||
				{ fail "$n exited before attaching: $(tail -n 3 "${TR_ERR[$n]}")"; return 1; }
			left="$left $n"
		done
		[ -z "$left" ] && return 0
		sleep 0.05
	done
	fail "not attached within 20 s:$left"
}

# tracers_stop: SIGINT to every tracer; each exits 0; none of their programs is left.
tracers_stop() {
	local n rc ids="" left
	sleep 0.2 # more than one poll period: everything emitted is drained
	for n in "${TRACERS[@]}"; do kill -INT "${TR_PID[$n]}" 2>/dev/null; done
	for n in "${TRACERS[@]}"; do
		wait "${TR_PID[$n]}"
		rc=$?
		[ $rc = 0 ] || fail "$n exited $rc: $(tail -n 3 "${TR_ERR[$n]}")" || return 1
		ids="$ids ${TR_PROGS[$n]}"
	done
	TRACERS=()
	# the kernel frees a program after its last link, asynchronously
	for _ in $(seq 1 20); do
		left=$(bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p' |
			grep -xF -f <(tr ' ' '\n' <<<"$ids" | grep .) | tr '\n' ' ')
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	fail "BPF programs left after exit: $left"
}

# tracers_kill: whatever a failed check left running.
tracers_kill() {
	local n
	for n in "${TRACERS[@]}"; do
		kill -KILL "${TR_PID[$n]}" 2>/dev/null
		wait "${TR_PID[$n]}" 2>/dev/null
	done
	TRACERS=()
}

# with_tracers FN: runs FN, then ends its tracers whatever happened.
with_tracers() {
	local rc
	"$@"
	rc=$?
	tracers_kill
	return $rc
}

# ---- what each tracer must have done --------------------------------------------
# The reason of the sys_exit fallback NAME must announce, or "" for none.
# Syscall-exit tracepoints are in connect's tracepoint plan and in every
# plan of accept and life (the catch-up of accepts blocked before the
# start); CAP_SYS_ADMIN avoids the fallback. test_guest.sh sets
# PRIV_TRACEFS[NAME] to kernel.perf_event_paranoid for a tracer started
# with tracefs mounted.
fallback_reason() {
	local n=$1 plan
	plan=$(sed -n 's/^tcptrace: [a-z]*: attaching via \([a-z]*\): .*/\1/p' "${TR_ERR[$n]}")
	[ "${TR_MODE[$n]}" != connect ] || [ "$plan" = tracepoint ] || return 0
	[[ ${TR_CAPS[$n]} == *sys_admin* || ${TR_WHO[$n]} == full ]] && return 0
	if [ -n "${PRIV_TRACEFS[$n]:-}" ]; then
		echo "kernel.perf_event_paranoid is ${PRIV_TRACEFS[$n]} (without CAP_SYS_ADMIN)"
	elif grep -q ': tracepoint ids from ' "${TR_ERR[$n]}"; then
		# the host: a tracefs that others mounted, readable here
		[ "$(cat /proc/sys/kernel/perf_event_paranoid)" -le 2 ] ||
			echo "kernel.perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid) (without CAP_SYS_ADMIN)"
	elif [ "${TR_WHO[$n]}" = user ] && mountpoint -q /sys/kernel/tracing; then
		echo "tracefs is not readable (without CAP_DAC_READ_SEARCH)"
	else
		echo "tracefs is not mounted (without CAP_SYS_ADMIN)"
	fi
}

# priv_status NAME: right after attaching, /proc/PID/status shows what
# tcptrace(8) says is kept (CapEff; CapBnd where it may drop it, as root),
# no_new_privs and the seccomp filter.
priv_status() {
	local n=$1 st want
	st=$(cat /proc/"${TR_PID[$n]}"/status)
	want=$(kept_caps)
	expect_eq "$n: CapEff after setup" "$(awk '/^CapEff:/ { print $2 }' <<<"$st")" "$want" || return 1
	[ "${TR_WHO[$n]}" != full ] ||
		expect_eq "$n: CapBnd after setup" "$(awk '/^CapBnd:/ { print $2 }' <<<"$st")" "$want" || return 1
	expect_eq "$n: Seccomp" "$(awk '/^Seccomp:/ { print $2 }' <<<"$st")" 2 || return 1
	expect_eq "$n: NoNewPrivs" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$st")" 1 || return 1
	# -v says the same of what it kept
	grep -q ": after setup: capabilities $([ "$want" = 0000000000000000 ] && echo none || echo CAP_BPF), seccomp filter of " "${TR_ERR[$n]}" ||
		fail "$n: -v: $(grep ': after setup: ' "${TR_ERR[$n]}")"
}

# priv_connection: one connection from A to B while every tracer runs,
# then they stop, and each one's output is checked field by field: the
# connection's event (per mode; connect -c: its count row), and the
# sys_exit fallback's warning, in JSON and on stderr, exactly where due.
priv_connection() {
	local n pid lport files=() checks="" got file events warns reason warn plan
	for n in "${TRACERS[@]}"; do
		priv_status "$n" || return 1
		plan=${TR_PLAN[$n]}
		[ "$plan" = auto ] || grep -q ": attaching via $plan: " "${TR_ERR[$n]}" ||
			fail "$n: --attach=$plan not in use: $(grep ': attaching via ' "${TR_ERR[$n]}")" || return 1
	done
	srv s "$NS_B" $B4 0 --count 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait "$SRV_JOB"
	local saved=("${TRACERS[@]}")
	tracers_stop || return 1
	pid=$(peer_field "$CLI_OUT" pid)
	lport=$(peer_field "$CLI_OUT" lport)
	for n in "${saved[@]}"; do
		files+=("${TR_OUT[$n]}")
		checks="$checks ${TR_OUT[$n]}=${TR_CHECK[$n]}"
	done
	# one jq for all (each run costs 0.3-0.8 s in the guest): per file, its
	# events of this connection and its warnings
	got=$(jq -n -r --arg checks "$checks" --argjson pid "$pid" --argjson lport "$lport" \
		--argjson spid "$SRV_PID" --argjson sport "$SRV_PORT" --arg a "$A4" --arg b "$B4" '
		def mine($m):
			if $m == "connect" then .event == "connect" and .pid == $pid and .comm == "ttpeer" and
				.uid == 0 and .family == 4 and .laddr == $a and .lport == $lport and
				.raddr == $b and .rport == $sport and (.result == null or .result == "ok")
			elif $m == "connect-c" then .event == null and .family == 4 and .raddr == $b and
				.rport == $sport and .count == 1
			elif $m == "accept" then .event == "accept" and .pid == $spid and .comm == "ttpeer" and
				.uid == 0 and .family == 4 and .laddr == $b and .lport == $sport and .raddr == $a and
				.rport == $lport
			else .event == "close" and .pid == $pid and .comm == "ttpeer" and .family == 4 and
				.laddr == $a and .lport == $lport and .raddr == $b and .rport == $sport and
				.tx_bytes == 0 and .rx_bytes == 0
			end;
		($checks | ltrimstr(" ") | split(" ") | map(split("=") | {(.[0]): .[1]}) | add) as $modes
		| reduce inputs as $e ({}; .[input_filename] += [$e])
		| to_entries[] | .key as $f
		| [$f, (.value | map(select(mine($modes[$f]))) | length),
			(.value | map(select(.event == "warning")) | tojson)] | @tsv' "${files[@]}")
	for n in "${saved[@]}"; do
		file=${TR_OUT[$n]}
		events=$(awk -F'\t' -v f="$file" '$1 == f { print $2 }' <<<"$got")
		warns=$(awk -F'\t' -v f="$file" '$1 == f { print $3 }' <<<"$got")
		expect_eq "$n: events of the connection ($(cat "$file"))" "${events:-0}" 1 || return 1
		reason=$(fallback_reason "$n")
		warn=""
		[ -z "$reason" ] ||
			warn="$reason: system call exits are traced at the raw sys_exit tracepoint, which runs at every system call's exit (about 150 ns each)"
		if [ -n "$warn" ]; then
			expect_eq "$n: JSON warnings" "${warns:-[]}" \
				"$(jq -c -n --arg m "$warn" '[{event: "warning", option: null, message: $m}]')" || return 1
		else
			expect_eq "$n: JSON warnings" "${warns:-[]}" "[]" || return 1
		fi
		expect_eq "$n: the fallback on stderr" "$(grep -c ': system call exits are traced at' "${TR_ERR[$n]}")" \
			"$([ -n "$warn" ] && echo 1 || echo 0)" || return 1
		[ -z "$warn" ] || grep -qxF "tcptrace: ${TR_MODE[$n]}: $warn" "${TR_ERR[$n]}" ||
			fail "$n: stderr: $(grep ': system call exits' "${TR_ERR[$n]}")" || return 1
	done
}

# ---- the tests ----------------------------------------------------------------------
# Exactly CAP_BPF and CAP_PERFMON, as uid 0 and as a user, for every mode and
# plan: on the host, auto (tracepoints); in the guest, every plan.
least_privilege() {
	local m
	if [ -z "${TT_GUEST:-}" ]; then
		for m in $(priv_modes); do
			tracer_bg "$m-root" "$m" root bpf,perfmon auto
			tracer_bg "$m-user" "$m" user bpf,perfmon auto
		done
		tracers_attached && priv_connection
		return
	fi
	priv_guest_plans
}

t_cap_bpf_and_perfmon_are_enough() {
	with_tracers least_privilege
}

# sandbox_tracers MODE: as root, the mode; connect -O (the exit iterator)
# and -c (the counts map read at exit) too, which must still work.
sandbox_tracers() {
	tracer_bg "$1-full" "$1" full "" auto
	[ "$1" = connect ] || return 0
	tracer_bg "$1-O" "$1" full "" auto -O
	tracer_bg "$1-c" "$1" full "" auto -c
	TR_CHECK[$1-c]=connect-c
}

# After setup as root: the capabilities tcptrace(8) names and no others
# (bounding set too), no_new_privs, seccomp filter mode. In the guest,
# t_cap_bpf_and_perfmon_are_enough starts these tracers with its own.
sandbox_after_setup() {
	local m
	for m in $(priv_modes); do sandbox_tracers "$m"; done
	tracers_attached && priv_connection
}

t_sandbox_after_setup() {
	if [ -n "${TT_GUEST:-}" ]; then
		echo "    in the guest: checked by t_cap_bpf_and_perfmon_are_enough" >&2
		exit 77
	fi
	with_tracers sandbox_after_setup
}

# One capability missing: exit 1, one line naming it, not the one held;
# with none at all, both. It fails before a plan is chosen: in the guest,
# in the first mode's cell only.
t_missing_capability_is_named() {
	local mode has lacks tt err f pids=() names=() modes
	modes=$(priv_modes)
	if [ -n "${TT_GUEST:-}" ] && [ "$modes" != "$("$TT" --list | head -n 1)" ]; then
		echo "    in the guest: checked in the $("$TT" --list | head -n 1) cell" >&2
		exit 77
	fi
	for mode in $modes; do
		for has in bpf perfmon ""; do
			tt=$(priv_wrapper "$([ -n "$has" ] && echo root || echo user)" "$has")
			f=$WORK/missing-$mode-${has:-none}
			"$tt" "$mode" 2>"$f" >/dev/null &
			pids+=($!) names+=("$f")
		done
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}"
		expect_eq "${names[i]##*/}: exit status" $? 1 || return 1
	done
	for f in "${names[@]}"; do
		err=$(cat "$f")
		has=${f##*-} mode=${f#"$WORK"/missing-} mode=${mode%-*}
		expect_eq "${f##*/}: stderr lines ($err)" "$(wc -l <"$f")" 1 || return 1
		case $has in
		none) lacks="CAP_BPF and CAP_PERFMON" ;;
		bpf) lacks=CAP_PERFMON ;;
		*) lacks=CAP_BPF ;;
		esac
		# before 5.11 with a finite RLIMIT_MEMLOCK, CAP_SYS_RESOURCE too (privs.def)
		if [ -n "$(memlock_cap)" ]; then
			lacks="${lacks/ and /, } and CAP_SYS_RESOURCE $MEMLOCK_WHY" has=several
		fi
		expect_eq "${f##*/}" "$err" "tcptrace: loading BPF programs: Operation not permitted (needs $lacks: run as root, or grant $([ $has = none ] || [ $has = several ] && echo them || echo it))" ||
			return 1
	done
}

t_no_sandbox_keeps_privileges() {
	plan_independent
	trace_start ns connect --json --no-sandbox || return 1
	expect_eq "Seccomp" "$(awk '/^Seccomp:/ { print $2 }' /proc/"$TRACE_PID"/status)" 0 || return 1
	expect_eq "CapEff" "$(awk '/^CapEff:/ { print $2 }' /proc/"$TRACE_PID"/status)" \
		"$(awk '/^CapEff:/ { print $2 }' /proc/self/status)" || return 1
	trace_stop
}

# A system call the filter does not allow, made by the tracer in its steady
# state, ends the run: exit 1, exactly one line naming the call, everything
# detached. The seam is outside tcptrace: ttsyscall (ptrace(2)) turns the
# next system call the tracer enters into getpid(2), before seccomp sees it;
# nothing in the product exists for the test or changes with it. The same
# injection into a tracer run with --no-sandbox is harmless: it is the
# filter that ends the run.
t_refused_system_call_ends_the_run() {
	host_only "ttsyscall (ptrace) runs on the host"
	local out nr i
	trace_start free connect --json --no-sandbox || return 1
	out=$("$TTSYSCALL" "$TRACE_PID" getpid)
	case $? in 0) ;; 77) echo "    $out" >&2; exit 77 ;; *) fail "ttsyscall: $out" || return 1 ;; esac
	sleep 0.3
	kill -0 "$TRACE_PID" 2>/dev/null || fail "a --no-sandbox run ended: $(cat "$TRACE_ERR")" || return 1
	trace_stop || return 1
	# without -v: stderr is that one line only
	"$TT" connect --json >"$WORK/sys.out" 2>"$WORK/sys.err" &
	TRACE_PID=$!
	for i in $(seq 1 200); do
		grep -q '^Seccomp:[[:space:]]*2' /proc/"$TRACE_PID"/status 2>/dev/null && break
		sleep 0.05
	done
	TRACE_PROGS=$(tracer_progs "$TRACE_PID")
	out=$("$TTSYSCALL" "$TRACE_PID" getpid) || fail "ttsyscall: $out" || return 1
	nr=${out#nr=}
	for i in $(seq 1 50); do kill -0 "$TRACE_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$TRACE_PID"
	expect_eq "exit status" $? 1 || return 1
	expect_eq "stderr" "$(cat "$WORK/sys.err")" \
		"tcptrace: system call getpid ($nr) is not allowed after setup: stopped by the seccomp filter (a bug: --no-sandbox runs without it)" ||
		return 1
	expect_eq "stdout" "$(cat "$WORK/sys.out")" "" || return 1
	expect_no_progs
}
