# shellcheck shell=bash
# Least privilege (core/privs.def, tcptrace(8) PRIVILEGES): every mode runs
# with exactly the documented capabilities, CAP_BPF and CAP_PERFMON, as uid 0
# with a limited bounding set and as an unprivileged uid with ambient
# capabilities, and traces a real connection; a missing capability is named,
# and only that one; after setup the tracer holds only what the table keeps,
# with no_new_privs and a seccomp filter. In the qemu guest (test_guest.sh
# sources this file) each check runs once per attach plan, for $TT_MODE.

priv_modes() {
	if [ -n "${TT_MODE:-}" ]; then echo "$TT_MODE"; else "$TT" --list; fi
}

# The plans to check: each one in the guest (where all work), else auto.
priv_plans() {
	if [ -n "${TT_GUEST:-}" ]; then echo fentry kprobe tracepoint; else echo "${TT_ATTACH:-auto}"; fi
}

# priv_wrapper WHO CAPS: a script that runs $TT with exactly CAPS ("bpf,perfmon"):
# WHO root: uid 0, bounding and inheritable sets limited to CAPS;
# WHO user: uid 65534 with CAPS as ambient capabilities.
priv_wrapper() {
	local who=$1 caps=+${2//,/,+} w=$WORK/tt-$1-${2//,/-}
	[ -z "$2" ] && caps=""
	{
		echo "#!$(command -v bash)"
		if [ "$who" = root ]; then
			echo "exec $(command -v setpriv) --inh-caps=-all${caps:+,$caps} --bounding-set=-all${caps:+,$caps} -- $TT \"\$@\""
		else
			echo "exec $(command -v setpriv) --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all${caps:+,$caps} --ambient-caps=-all${caps:+,$caps} -- $TT \"\$@\""
		fi
	} >"$w"
	chmod 755 "$w"
	echo "$w"
}

# priv_traffic MODE: one connection from A to B while the tracer runs, then
# stops it and checks the connection's event field by field.
priv_traffic() {
	local mode=$1 pid lport
	srv s "$NS_B" $B4 0 --count 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait "$SRV_JOB"
	trace_stop || return 1
	pid=$(peer_field "$CLI_OUT" pid)
	lport=$(peer_field "$CLI_OUT" lport)
	case $mode in
	connect) expect_json 1 ".event == \"connect\" and .pid == $pid and .comm == \"ttpeer\" and
		.uid == 0 and .family == 4 and .laddr == \"$A4\" and .lport == $lport and
		.raddr == \"$B4\" and .rport == $SRV_PORT" ;;
	accept) expect_json 1 ".event == \"accept\" and .pid == $SRV_PID and .comm == \"ttpeer\" and
		.family == 4 and .laddr == \"$B4\" and .lport == $SRV_PORT and .raddr == \"$A4\" and
		.rport == $lport" ;;
	life) expect_json 1 ".event == \"close\" and .pid == $pid and .comm == \"ttpeer\" and
		.family == 4 and .laddr == \"$A4\" and .lport == $lport and .raddr == \"$B4\" and
		.rport == $SRV_PORT and .tx_bytes == 0 and .rx_bytes == 0" ;;
	*) fail "no traffic check for mode $mode" ;;
	esac
}

# priv_run WHO: every mode and plan with exactly CAP_BPF and CAP_PERFMON.
priv_run() {
	local who=$1 mode plan tt
	tt=$(priv_wrapper "$who" bpf,perfmon)
	for mode in $(priv_modes); do
		for plan in $(priv_plans); do
			[ "$plan" = auto ] && plan=""
			# Debian's kernels add kernel.perf_event_paranoid=3 (their default),
			# where perf_event_open(2), and so a kprobe, needs CAP_SYS_ADMIN:
			# documented (tcptrace(8) PRIVILEGES); 2 is upstream's default
			local paranoid
			paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
			[ "$plan" = kprobe ] && [ "$paranoid" -gt 2 ] && echo 2 >/proc/sys/kernel/perf_event_paranoid
			TT=$tt TT_ATTACH=$plan trace_start "$who-$mode-${plan:-auto}" "$mode" --json
			local rc=$?
			echo "$paranoid" >/proc/sys/kernel/perf_event_paranoid
			[ $rc = 0 ] || return 1
			local caps
			caps=$(awk '/^CapEff:/ { print $2 }' /proc/"$TRACE_PID"/status)
			priv_traffic "$mode" || fail "$mode ${plan:-auto} as $who" || return 1
			# the sandbox is on: after setup, at most CAP_BPF is left (kernels before v6.5)
			case $caps in 0000000000000000 | 0000008000000000) ;;
			*) fail "$mode ${plan:-auto} as $who: CapEff $caps after setup" || return 1 ;;
			esac
			expect_no_progs || return 1
		done
	done
}

t_cap_bpf_and_perfmon_are_enough_as_root() {
	priv_run root
}

t_cap_bpf_and_perfmon_are_enough_as_a_user() {
	priv_run user
}

# One capability missing: exit 1, one line naming it, not the one held.
t_missing_capability_is_named() {
	local mode has lacks tt err rc
	for mode in $(priv_modes); do
		for has in bpf perfmon; do
			lacks=$([ $has = bpf ] && echo perfmon || echo bpf)
			tt=$(priv_wrapper root $has)
			err=$("$tt" "$mode" ${TT_ATTACH:+--attach=$TT_ATTACH} 2>&1 >/dev/null)
			rc=$?
			expect_eq "$mode with CAP_${has^^} only: exit status" $rc 1 || return 1
			expect_eq "$mode: stderr lines ($err)" "$(wc -l <<<"$err")" 1 || return 1
			grep -q "needs CAP_${lacks^^}: " <<<"$err" || fail "$mode: does not name CAP_${lacks^^}: $err" ||
				return 1
			! grep -q "CAP_${has^^}" <<<"$err" || fail "$mode: names CAP_${has^^}, which it has: $err" ||
				return 1
		done
		tt=$(priv_wrapper user "")
		err=$("$tt" "$mode" 2>&1 >/dev/null)
		grep -q "needs CAP_BPF and CAP_PERFMON: " <<<"$err" || fail "$mode as a user: $err" || return 1
	done
}

# After setup: the capabilities -v reports and no others (bounding set too),
# no_new_privs, seccomp filter mode; and the run still traces.
t_sandbox_after_setup() {
	local mode args kept st eff bnd want
	for mode in $(priv_modes); do
		for args in "" "-O" "-c"; do
			[ "$mode" != connect ] && [ -n "$args" ] && continue
			# shellcheck disable=SC2086
			trace_start "sb-$mode" "$mode" --json $args || return 1
			st=$(cat /proc/"$TRACE_PID"/status)
			kept=$(sed -n 's/.*: after setup: capabilities \(.*\), seccomp filter of .*/\1/p' "$TRACE_ERR")
			eff=$(awk '/^CapEff:/ { print $2 }' <<<"$st")
			bnd=$(awk '/^CapBnd:/ { print $2 }' <<<"$st")
			case $kept in none) want=0000000000000000 ;; CAP_BPF) want=0000008000000000 ;;
			*) fail "$mode $args: kept '$kept'" || return 1 ;;
			esac
			expect_eq "$mode $args: CapEff" "$eff" "$want" || return 1
			expect_eq "$mode $args: CapBnd" "$bnd" "$want" || return 1
			expect_eq "$mode $args: Seccomp" "$(awk '/^Seccomp:/ { print $2 }' <<<"$st")" 2 || return 1
			expect_eq "$mode $args: NoNewPrivs" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$st")" 1 || return 1
			if [ -z "$args" ]; then
				priv_traffic "$mode" || return 1
			else
				trace_stop || return 1
			fi
		done
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

# Without a way to read tracepoint ids the syscall exits move to the raw
# sys_exit tracepoint, and the tracer says so (it costs every system call).
t_sys_exit_fallback_is_announced() {
	local tt mode
	tt=$(priv_wrapper root bpf,perfmon)
	for mode in $(priv_modes); do
		TT=$tt trace_start "fb-$mode" "$mode" --json || return 1
		trace_stop || return 1
		if grep -q 'tracepoint syscalls:' <(grep ': attaching via' "$TRACE_ERR"); then
			grep -q "^tcptrace: $mode: tracefs is not mounted (without CAP_SYS_ADMIN): system call exits are traced at the raw sys_exit tracepoint" "$TRACE_ERR" ||
				mountpoint -q /sys/kernel/tracing ||
				fail "$mode: no notice of the sys_exit fallback: $(cat "$TRACE_ERR")" || return 1
		fi
	done
}
