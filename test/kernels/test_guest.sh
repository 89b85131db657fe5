# shellcheck shell=bash
# Tests that hold only on the kernel of the qemu guest (Debian 12's 6.1,
# where fentry, kprobes and tracepoints all work), for one mode, $TT_MODE.
# matrix.sh runs this file in the guest with test/integration/run.sh, next to
# test_$TT_MODE.sh which it runs once per attach plan.

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

t_auto_picks_fentry() {
	TT_ATTACH='' trace_start auto "$TT_MODE" --json || return 1
	local hooks
	hooks=$(tracer_hooks)
	trace_stop || return 1
	grep -q "^tcptrace: $TT_MODE: attaching via fentry: " "$TRACE_ERR" ||
		fail "auto did not pick fentry on $(uname -r): $(cat "$TRACE_ERR")" || return 1
	grep -q 'link:tracing' <<<"$hooks" || fail "no fentry/fexit link: $hooks" || return 1
	expect_no_progs
}

# Each forced plan attaches hooks of its own kind, not another plan's.
t_each_plan_uses_its_own_hooks() {
	local plan hooks
	for plan in fentry kprobe tracepoint; do
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

# The privilege checks for every plan of $TT_MODE (test_privileges.sh loops
# over the plans in the guest): exactly CAP_BPF and CAP_PERFMON, as uid 0 and
# as a user, on fentry, kprobe and tracepoint hooks alike.
# shellcheck source=../integration/test_privileges.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/test_privileges.sh"
