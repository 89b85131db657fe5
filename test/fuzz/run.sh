#!/usr/bin/env bash
# Builds the libFuzzer targets of test/fuzz (clang, ASan+UBSan) and runs each
# for a fixed time: first every input in regressions/<name>/ and corpus/<name>/
# once, then new inputs mutated from them. The btfmin target is also seeded
# with this host's /sys/kernel/btf/vmlinux (too big to keep in the repo).
#
#   test/fuzz/run.sh                    # every target, 15 s each (CI)
#   test/fuzz/run.sh --seconds 3600 btfmin
#   test/fuzz/run.sh --jobs 2 --seconds 600
#
# Options: --seconds N (per target, default 15), --build DIR (default
# build-fuzz), --jobs N (libFuzzer workers per target, default 1), --keep
# (keep the work directory: new inputs, logs). A crash, leak, sanitizer
# report or timeout fails the run: the input is kept and named, to be added
# to test/fuzz/regressions/<name>/. Ends with "fuzz: N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
seconds=15 build=$top/build-fuzz jobs=1 keep=0 only=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	--jobs) jobs=${2:?}; shift ;;
	--keep) keep=1 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fuzz: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) only+=("$1") ;;
	esac
	shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: --seconds wants a positive integer" >&2; exit 2; }

cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
	cmake --build "$build" -j "$(nproc)" -- --no-print-directory >/dev/null ||
	{ echo "fuzz: build failed (clang, libclang-rt-14-dev: test/deps.sh)" >&2; exit 1; }
work=$(mktemp -d /tmp/tcptrace-fuzz.XXXXXX)
[ $keep = 1 ] && echo "fuzz: work directory $work" >&2 || trap 'rm -rf "$work"' EXIT

passed=0 failed=0
mapfile -t targets <"$build/targets.txt"
[ ${#only[@]} -gt 0 ] && targets=("${only[@]}")
for t in "${targets[@]}"; do
	[ -n "$t" ] || continue
	bin=$build/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz: no target $t" >&2; failed=$((failed + 1)); continue; }
	mkdir -p "$work/$t/new" "$work/$t/host"
	dirs=("$work/$t/new" "$here/corpus/$t")
	[ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
	if [ "$t" = btfmin ] && [ -r /sys/kernel/btf/vmlinux ]; then
		cp /sys/kernel/btf/vmlinux "$work/$t/host/vmlinux"
		dirs+=("$work/$t/host")
	fi
	start=$SECONDS
	cd "$work/$t" || exit 1 # -jobs writes fuzz-N.log in the current directory
	# -timeout: one input may take 10 s (the whole kernel BTF under ASan);
	# -max_len: room for that seed; -rss_limit_mb: leave the machine usable
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16777216 \
		-jobs="$jobs" -workers="$jobs" -print_final_stats=1 \
		-artifact_prefix="$work/$t/" "${dirs[@]}" >"$work/$t/log" 2>&1
	rc=$?
	logs=("$work/$t/log")
	for l in fuzz-*.log; do [ -e "$l" ] && logs+=("$l"); done
	runs=$(cat "${logs[@]}" | awk '/stat::number_of_executed_units/ { s += $2 } END { print s + 0 }')
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "ok   fuzz_$t: $runs inputs in $((SECONDS - start)) s"
	else
		failed=$((failed + 1))
		echo "FAIL fuzz_$t (exit $rc): $(grep -m1 -E 'ERROR|FUZZ_CHECK|runtime error' "$work/$t/log")"
		for a in "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-*; do
			[ -e "$a" ] || continue
			mkdir -p "$build/artifacts/$t"
			cp "$a" "$build/artifacts/$t/"
			echo "     input: $build/artifacts/$t/$(basename "$a") (add it to test/fuzz/regressions/$t/)"
		done
		tail -n 30 "$work/$t/log" | sed 's/^/     /'
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed = 0 ]
