#!/usr/bin/env bash
# Runs the integration tests: every t_* function of test/integration/test_*.sh
# (or of the files named as arguments), each in its own subshell with fresh
# network namespaces. Needs root and BPF; prints "N passed, N failed".
# Each result is also written, one line per test ("ok|FAIL|skip FILE:TEST
# SECONDS PLAN KERNEL"), to $TT_RESULTS, by default $BUILD/integration.results
# when BUILD is set: test/kernels/matrix.sh shows the host's run from it.
# TT_TESTS="t_a t_b" runs only the tests of those names.
#
# A test's subshell leads a process group of its own: what the test leaves
# running (a tracer, a peer, a loop waiting for a gate) is ended with it. A
# test still running after $TT_TEST_TIMEOUT seconds (default 120) is hung:
# its processes are ended, it fails, and the next one runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/test_*.sh)
results=${TT_RESULTS:-${BUILD:+$BUILD/integration.results}}
[ -z "$results" ] || : >"$results" || results=
kernel=$(uname -r)
limit=${TT_TEST_TIMEOUT:-120}
state=$(mktemp -d /tmp/tt-run.XXXXXX)

# run_test FILE TEST: one test, in the background subshell made for it.
run_test() {
	source "$here/lib.sh"
	source "$1"
	trap 'rm -rf "$WORK"' EXIT
	require_bpf
	# A test whose first command says where it does not run (host_only,
	# plan_independent) is skipped before its namespaces are made.
	local first
	first=$(declare -f "$2" | sed -n '3{s/^ *//; s/;$//; p}')
	case $first in host_only | "host_only "* | plan_independent) eval "$first" ;; esac
	trap 'run_at_exit; netns_down; rm -rf "$WORK"' EXIT
	netns_up || { fail "cannot create the test network namespaces"; exit 1; }
	"$2"
}

# watchdog PGID: ends the test's process group once it has run $limit s.
watchdog() {
	sleep "$limit"
	: >"$state/hung"
	kill -TERM -- "-$1" 2>/dev/null # the test's EXIT trap removes its namespaces
	sleep 2
	kill -KILL -- "-$1" 2>/dev/null
}

tpid='' wpid=''
end_test() {
	[ -z "$wpid" ] || kill -- "-$wpid" 2>/dev/null
	[ -z "$tpid" ] || kill -KILL -- "-$tpid" 2>/dev/null
	tpid='' wpid=''
}
# Interrupted: the test ends as a hung one does, its EXIT trap included.
on_signal() {
	[ -z "$tpid" ] || { kill -TERM -- "-$tpid" 2>/dev/null; wait "$tpid"; }
	exit 130
}
trap 'end_test; rm -rf "$state"' EXIT
trap on_signal INT TERM HUP

set -m # background jobs (each test, its watchdog) lead process groups of their own
passed=0
failed=0
skipped=0
failures=()
for f in "${files[@]}"; do
	[ -f "$f" ] || f=$here/$f
	tests=$(WORK=/nonexistent bash -c "source '$here/lib.sh'; source '$f'; declare -F" |
		awk -v only="${TT_TESTS:-}" 'BEGIN { n = split(only, w); for (i = 1; i <= n; i++) want[w[i]] = 1 }
			$3 ~ /^t_/ && (!n || $3 in want) { print $3 }')
	for t in $tests; do
		start=${EPOCHREALTIME//[!0-9]/}
		rm -f "$state/hung"
		run_test "$f" "$t" &
		tpid=$!
		watchdog "$tpid" &
		wpid=$!
		disown "$wpid"
		wait "$tpid"
		rc=$?
		end_test # the watchdog, and whatever the test left running
		took=$(((${EPOCHREALTIME//[!0-9]/} - start) / 100000))
		took="$((took / 10)).$((took % 10))"
		name="$(basename "$f" .sh):$t"
		if [ -e "$state/hung" ]; then
			echo "    hung: no result after $limit s (TT_TEST_TIMEOUT); its processes were ended" >&2
			rc=124
		fi
		if [ $rc = 0 ]; then
			passed=$((passed + 1)) res=ok
			echo "ok   $name (${took}s)"
		elif [ $rc = 77 ]; then
			skipped=$((skipped + 1)) res=skip
			echo "skip $name (${took}s)"
		else
			failed=$((failed + 1)) res=FAIL
			failures+=("$name")
			echo "FAIL $name (${took}s)"
		fi
		[ -z "$results" ] || echo "$res $name $took ${TT_ATTACH:-auto} $kernel" >>"$results"
	done
done
for n in "${failures[@]}"; do
	echo "failed: $n"
done
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
