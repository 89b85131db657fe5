# shellcheck shell=bash
# Tests that hold only on the kernel of the qemu guest, for one mode,
# $TT_MODE. matrix.sh runs this file in the guest with
# test/integration/run.sh, next to test_$TT_MODE.sh which it runs once per
# attach plan. $TT_GUEST_PLANS names the plans the guest's kernel supports,
# in auto's order of preference (matrix.sh knows them from the kernel's
# config, arch.sh guest_plans: fentry kprobe tracepoint on Debian 12's 6.1
# for x86_64; kprobe tracepoint for arm64, whose 6.1 has no BPF trampolines
# for kernel functions).

TT_ALL_PLANS="fentry kprobe tracepoint"
guest_plans() { echo "${TT_GUEST_PLANS:-$TT_ALL_PLANS}"; }

# The tracer's BPF links and programs by kind, from its fd table:
# "link:tracing" is an fentry/fexit trampoline (tp_btf is link:raw_tracepoint),
# "prog:kprobe" a kprobe or kretprobe program.
tracer_hooks() {
	grep -h -e '^link_type:' -e '^prog_type:' /proc/"$TRACE_PID"/fdinfo/* 2>/dev/null |
		awk '$1 == "link_type:" { print "link:" $2 }
			$1 == "prog_type:" { t = $2 == 2 ? "kprobe" : $2 == 5 ? "tracepoint" :
				$2 == 17 ? "raw_tracepoint" : $2 == 26 ? "tracing" : $2; print "prog:" t }' |
		sort -u | tr '\n' ' '
}

# auto picks the first plan the kernel supports.
t_auto_picks_first_supported_plan() {
	local want hooks
	want=$(guest_plans | cut -d' ' -f1)
	TT_ATTACH='' trace_start auto "$TT_MODE" --json || return 1
	hooks=$(tracer_hooks)
	trace_stop || return 1
	grep -q "^tcptrace: $TT_MODE: attaching via $want: " "$TRACE_ERR" ||
		fail "auto did not pick $want on $(uname -r): $(cat "$TRACE_ERR")" || return 1
	case $want in
	fentry) grep -q 'link:tracing' <<<"$hooks" ;;
	kprobe) grep -q 'prog:kprobe' <<<"$hooks" ;;
	esac || fail "auto ($want) attached: $hooks" || return 1
	expect_no_progs
}

# Each supported plan, forced, attaches hooks of its own kind, not another
# plan's; a plan the kernel does not support is refused in one line, exit 1,
# naming what the kernel lacks and the Linux version that brings it.
t_each_plan_uses_its_own_hooks() {
	local plan hooks rc
	for plan in $TT_ALL_PLANS; do
		if ! grep -qw "$plan" <<<"$(guest_plans)"; then
			"$TT" "$TT_MODE" --attach="$plan" --duration 1 >"$WORK/out" 2>"$WORK/err"
			rc=$?
			expect_eq "--attach=$plan on $(uname -r): exit status" $rc 1 || return 1
			expect_eq "--attach=$plan: stderr lines" "$(wc -l <"$WORK/err")" 1 || return 1
			grep -q "^tcptrace: --attach=$plan: this kernel does not support it: needs .* (Linux [0-9.]*[,)]" "$WORK/err" ||
				fail "--attach=$plan: $(cat "$WORK/err")" || return 1
			continue
		fi
		TT_ATTACH=$plan trace_start "$plan" "$TT_MODE" --json || return 1
		hooks=$(tracer_hooks)
		trace_stop || return 1
		case $plan in
		fentry) grep -q 'link:tracing' <<<"$hooks" && ! grep -q 'prog:kprobe' <<<"$hooks" ;;
		kprobe) grep -q 'prog:kprobe' <<<"$hooks" && ! grep -q 'link:tracing' <<<"$hooks" ;;
		tracepoint) ! grep -q -e 'prog:kprobe' -e 'link:tracing' <<<"$hooks" ;;
		esac || fail "--attach=$plan attached: $hooks" || return 1
		expect_no_progs || return 1
	done
}

# memlock_named MODE: with exactly CAP_BPF and CAP_PERFMON, on a kernel
# before 5.11 with a finite RLIMIT_MEMLOCK: exit 1, the error naming
# CAP_SYS_RESOURCE and why.
memlock_named() {
	local err rc
	err=$("$(priv_wrapper root bpf,perfmon)" "$1" --attach=tracepoint --duration 1 2>&1 >/dev/null)
	rc=$?
	expect_eq "$1 with CAP_BPF and CAP_PERFMON on $(uname -r): exit status" $rc 1 || return 1
	# the last line: a warning of the tracepoint plan's may come first
	expect_eq "$1 with CAP_BPF and CAP_PERFMON on $(uname -r)" "$(tail -n 1 <<<"$err")" \
		"tcptrace: loading BPF programs: Operation not permitted (needs CAP_SYS_RESOURCE $MEMLOCK_WHY: run as root, or grant it)"
}

# The privilege checks (test_privileges.sh) for $TT_MODE: its
# t_cap_bpf_and_perfmon_are_enough runs this in the guest, all tracers at
# once, sharing one connection:
#  - kernel.perf_event_paranoid 2 (upstream's default): kprobe with exactly
#    CAP_BPF and CAP_PERFMON as uid 0;
#  - 3 (Debian's default): fentry and tracepoint likewise, auto as a user;
#    kprobe refused, the error naming CAP_SYS_ADMIN and the sysctl (not what
#    the process has), and working with CAP_SYS_ADMIN added; root (what it
#    keeps: t_sandbox_after_setup's tracers);
#  - 3 with tracefs mounted, its ids readable by uid 0 but perf_event_open(2)
#    refused: tracepoint, moved to the raw sys_exit tracepoint, and said.
# Plans the guest's kernel lacks ($TT_GUEST_PLANS, when set) are left out.
# Before 5.11, where BPF memory counts against RLIMIT_MEMLOCK (64 KiB in
# the guest), CAP_BPF and CAP_PERFMON are not enough: the error names
# CAP_SYS_RESOURCE (memlock_named), and the tracers get it added.
priv_guest_plans() {
	local m=$TT_MODE paranoid err rc=1 plans=" ${TT_GUEST_PLANS:-fentry kprobe tracepoint} "
	local bp=bpf,perfmon$(memlock_cap)
	if [ "$bp" != bpf,perfmon ]; then
		memlock_named "$m" || return 1
	fi
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	echo 2 >/proc/sys/kernel/perf_event_paranoid
	if [[ $plans == *" kprobe "* ]]; then
		tracer_bg kprobe-root "$m" root "$bp" kprobe
		tracers_attached || { echo "$paranoid" >/proc/sys/kernel/perf_event_paranoid; return 1; }
	fi
	echo 3 >/proc/sys/kernel/perf_event_paranoid
	[[ $plans != *" fentry "* ]] || tracer_bg fentry-root "$m" root "$bp" fentry
	tracer_bg tp-root "$m" root "$bp" tracepoint
	tracer_bg auto-user "$m" user "$bp" auto
	sandbox_tracers "$m"
	if [[ $plans == *" kprobe "* ]]; then
		tracer_bg kprobe-admin "$m" root "$bp,sys_admin" kprobe
		err=$("$(priv_wrapper root "$bp")" "$m" --attach=kprobe 2>&1 >/dev/null)
		rc=$?
	fi
	tracers_attached && mount -t tracefs tracefs /sys/kernel/tracing &&
		tracer_bg tracefs-root "$m" root "$bp" tracepoint && PRIV_TRACEFS[tracefs-root]=3 &&
		tracers_attached
	local ok=$?
	umount /sys/kernel/tracing 2>/dev/null
	echo "$paranoid" >/proc/sys/kernel/perf_event_paranoid
	[ $ok = 0 ] || return 1
	if [[ $plans == *" kprobe "* ]]; then
		expect_eq "--attach=kprobe at kernel.perf_event_paranoid 3: exit status" $rc 1 || return 1
		expect_eq "--attach=kprobe at kernel.perf_event_paranoid 3" "$err" \
			"tcptrace: --attach=kprobe: Permission denied (needs CAP_SYS_ADMIN while kernel.perf_event_paranoid is above 2, or that sysctl at 2: run as root, or grant it)" ||
			return 1
	fi
	priv_connection
}

# shellcheck source=../integration/test_privileges.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/test_privileges.sh"
