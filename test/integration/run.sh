#!/usr/bin/env bash
# Runs the integration tests: every t_* function of test/integration/test_*.sh
# (or of the files named as arguments), each in its own subshell with fresh
# network namespaces. Needs root and BPF; prints "N passed, N failed".
# Each result is also written, one line per test ("ok|FAIL|skip FILE:TEST
# SECONDS PLAN KERNEL"), to $TT_RESULTS, by default $BUILD/integration.results
# when BUILD is set: test/kernels/matrix.sh shows the host's run from it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/test_*.sh)
results=${TT_RESULTS:-${BUILD:+$BUILD/integration.results}}
[ -z "$results" ] || : >"$results" || results=
kernel=$(uname -r)

passed=0
failed=0
skipped=0
failures=()
for f in "${files[@]}"; do
	[ -f "$f" ] || f=$here/$f
	tests=$(bash -c "source '$here/lib.sh'; source '$f'; declare -F" | awk '$3 ~ /^t_/ {print $3}')
	for t in $tests; do
		start=${EPOCHREALTIME//[!0-9]/}
		(
			set -u
			source "$here/lib.sh"
			source "$f"
			require_bpf
			trap 'run_at_exit; netns_down; [ -n "${TRACE_PID:-}" ] && kill -KILL "$TRACE_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
			netns_up || { fail "cannot create the test network namespaces"; exit 1; }
			"$t"
		)
		rc=$?
		took=$(((${EPOCHREALTIME//[!0-9]/} - start) / 100000))
		took="$((took / 10)).$((took % 10))"
		name="$(basename "$f" .sh):$t"
		if [ $rc = 0 ]; then
			passed=$((passed + 1)) res=ok
			echo "ok   $name (${took}s)"
		elif [ $rc = 77 ]; then
			skipped=$((skipped + 1)) res=skip
			echo "skip $name"
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
