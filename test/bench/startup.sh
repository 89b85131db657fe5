#!/usr/bin/env bash
# Start-up and memory of tcptrace, one or more builds side by side:
#
#   test/bench/startup.sh build                     # this build, 9 starts per mode
#   test/bench/startup.sh build /tmp/old/build      # two builds, interleaved
#   test/bench/startup.sh -n 21 -m accept,life build
#
# For each build and mode, N starts of `tcptrace MODE -v`, idle (no load):
#   - start to attached: from just before the fork of the tracer to the line
#     ending in ": attached" on its stderr, read from a FIFO as it comes (no
#     polling, no fork while waiting); the figure is the median of N;
#   - peak RSS: VmHWM of /proc/PID/status once it is attached (the start's
#     peak: the kernel BTF's parse, the load), median and largest of N.
# The tracer is then stopped with SIGINT. The builds and modes are
# interleaved (start i of every build and mode before start i + 1), so a
# change of the machine's load shows in all of them alike. Prints a markdown
# table; needs root (BPF). Without root it skips (exit 0) unless CI=true.
#
# Options:
#   -n N        starts per build and mode (default 9)
#   -m LIST     comma-separated modes (default accept,connect,life)
#   -a "ARGS"   more arguments for every tracer (e.g. "--containers")
set -u

n=9
modes=accept,connect,life
extra=""
die() { echo "startup: $*" >&2; exit 1; }
while getopts n:m:a:h o; do
	case $o in
	n) n=$OPTARG ;;
	m) modes=$OPTARG ;;
	a) extra=$OPTARG ;;
	*) sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || die "usage: $0 [-n N] [-m MODES] [-a ARGS] BUILD_DIR..."
[[ $n =~ ^[1-9][0-9]*$ ]] || die "-n: not a positive number: $n"
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && die "needs root"
	echo "startup: skipped (needs root)"
	exit 0
fi
builds=("$@")
for b in "${builds[@]}"; do
	[ -x "$b/tcptrace" ] || die "$b/tcptrace: not an executable"
done
IFS=, read -r -a mode_list <<<"$modes"
read -r -a extra_args <<<"$extra"

work=$(mktemp -d /tmp/tt-startup.XXXXXX)
tpid=""
cleanup() {
	if [ -n "$tpid" ]; then
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# one_start BIN MODE: sets us (start to attached) and kb (VmHWM), the
# tracer stopped; 1 if it did not attach.
one_start() {
	local fifo=$work/err t0 t1 line hwm="" ok=1 fd
	rm -f "$fifo"
	mkfifo "$fifo"
	t0=$EPOCHREALTIME
	"$1" "$2" -v "${extra_args[@]}" >/dev/null 2>"$fifo" &
	tpid=$!
	# the tracer opens the FIFO for writing: this open returns then
	exec {fd}<"$fifo"
	while IFS= read -r -t 20 -u "$fd" line; do
		if [[ $line == *": attached" ]]; then
			t1=$EPOCHREALTIME
			ok=0
			break
		fi
		echo "$line" >>"$work/log"
	done
	if [ $ok = 0 ]; then
		while IFS= read -r line; do
			[[ $line == VmHWM:* ]] && { read -r _ hwm _ <<<"$line"; break; }
		done </proc/$tpid/status
	fi
	kill -INT "$tpid" 2>/dev/null
	# its exit lines read to the end (EOF: it exited); killed after 5 s
	while :; do
		IFS= read -r -t 5 -u "$fd" line && continue
		[ $? -gt 128 ] && kill -KILL "$tpid" 2>/dev/null
		break
	done
	wait "$tpid" 2>/dev/null
	tpid=""
	exec {fd}<&-
	[ $ok = 0 ] && [ -n "$hwm" ] || return 1
	# microseconds, from the two EPOCHREALTIME values (no fork)
	t0=${t0/[.,]/} t1=${t1/[.,]/}
	us=$((10#$t1 - 10#$t0))
	kb=$hwm
}

# median of the numbers given
median() {
	local s
	s=$(printf '%s\n' "$@" | sort -n)
	sed -n "$((($# + 1) / 2))p" <<<"$s"
}

declare -A all_us all_kb
for ((i = 0; i < n; i++)); do
	for ((b = 0; b < ${#builds[@]}; b++)); do
		for m in "${mode_list[@]}"; do
			one_start "${builds[$b]}/tcptrace" "$m" || {
				cat "$work/log" >&2 2>/dev/null
				die "${builds[$b]}: $m: did not attach"
			}
			all_us[$b,$m]+=" $us"
			all_kb[$b,$m]+=" $kb"
		done
	done
done

echo "| build | mode | start→attached ms (median of $n) | peak RSS MB (median) | peak RSS MB (max) |"
echo "|---|---|---:|---:|---:|"
for ((b = 0; b < ${#builds[@]}; b++)); do
	for m in "${mode_list[@]}"; do
		# shellcheck disable=SC2086
		med=$(median ${all_us[$b,$m]})
		# shellcheck disable=SC2086
		k=$(median ${all_kb[$b,$m]})
		# shellcheck disable=SC2086
		kmax=$(printf '%s\n' ${all_kb[$b,$m]} | sort -n | tail -1)
		awk -v b="${builds[$b]}" -v m="$m${extra:+ $extra}" -v us="$med" -v k="$k" -v km="$kmax" \
			'BEGIN { printf "| %s | %s | %.1f | %.2f | %.2f |\n", b, m, us / 1000, k / 1024, km / 1024 }'
	done
done
echo
echo "$(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
