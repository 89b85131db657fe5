#!/usr/bin/env bash
# Soak and fault test: tcptrace left running under load, and its failure
# paths. Needs root, the build's tcptrace and test/bench/loadgen, bpftool
# and jq. Only loopback addresses are used.
#
#   test/soak/soak.sh            # the long version: 10 minutes of steady load
#   test/soak/soak.sh --short    # CI: 60 s of steady load, shorter stalls (~2 min in all)
#   test/soak/soak.sh --minutes 30 --rate 500
#
# Cases:
#  steady     `life --json` and `connect -O --json` side by side under a steady
#             connection load: resident memory flat after warm-up (within
#             1 MiB), every kernel map's size and memory unchanged and its
#             entries within max_entries, every connection printed or
#             counted as lost (life: two sessions each, connect: one attempt)
#  tiny-ring  a 4 KiB ring buffer under a storm that its reader, stopped
#             (SIGSTOP), does not drain: events lost, and printed + lost =
#             connections
#  stall      stdout to a reader that stops reading (30 s; 10 s with --short)
#             under load: memory flat, events dropped while it stalls
#             counted, printed + lost = connections, the count reported
#  dev-full   output to /dev/full: exit 1, one line, for every mode
#  sigkill    SIGKILL of the tracer: none of its programs, links or maps is
#             left, nothing mounted
# Each case leads a process group of its own: whatever it started is killed
# when it ends, passed or failed, and when this script is interrupted.
# Options: --short, --minutes N (steady phase, default 10), --rate N
# (connections per second, default 300), --build DIR. Ends with
# "soak: N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build} minutes=10 rate=300 short=0
while [ $# -gt 0 ]; do
	case $1 in
	--short) short=1 ;;
	--minutes) minutes=${2:?}; shift ;;
	--rate) rate=${2:?}; shift ;;
	--build) build=${2:?}; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
steady_s=$((minutes * 60)) stall_s=30
[ $short = 1 ] && steady_s=60 stall_s=10
TT=$build/tcptrace LG=$build/test/bench/loadgen
if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && { echo "soak: needs root (BPF)" >&2; exit 1; }
	echo "soak: skipped (needs root)"
	exit 0
fi
for f in "$TT" "$LG"; do [ -x "$f" ] || { echo "soak: no $f (build first)" >&2; exit 1; }; done
for c in jq bpftool; do command -v $c >/dev/null || { echo "soak: $c missing (test/deps.sh)" >&2; exit 1; }; done
WORK=$(mktemp -d /tmp/tcptrace-soak.XXXXXX)
# Each case runs in a background subshell that leads a process group of its
# own (run below): whatever it started (tracers, loadgen, a reader) is ended
# with the group when the case ends, however it ends, and when this script
# is interrupted.
case_pid=''
end_case() {
	[ -n "$case_pid" ] || return 0
	kill -KILL -- "-$case_pid" 2>/dev/null
	# gone once their exit has released what they held (a tracer's BPF)
	for _ in $(seq 1 50); do kill -0 -- "-$case_pid" 2>/dev/null || break; sleep 0.1; done
	case_pid=''
}
cleanup() {
	end_case
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
passed=0 failed=0

fail() { echo "    FAIL: $*" >&2; return 1; }
port() { echo $((20000 + RANDOM % 30000)); }
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status 2>/dev/null; }
map_ids() { grep -h '^map_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un; }
prog_ids() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un; }
link_ids() { grep -h '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un; }

# start NAME ARGS...: the tracer in the background (NAME.out, NAME.err); sets
# PID once it says it is attached.
start() {
	local name=$1 i
	shift
	# emptied here, not by the child's redirections: the wait below must not
	# see an earlier tracer's "attached" under the same name
	: >"$WORK/$name.out"
	: >"$WORK/$name.err"
	"$TT" "$@" -v >"$WORK/$name.out" 2>"$WORK/$name.err" &
	PID=$!
	for i in $(seq 1 200); do
		grep -q ': attached$' "$WORK/$name.err" && return 0
		kill -0 "$PID" 2>/dev/null || { fail "$name did not start: $(tail -2 "$WORK/$name.err")"; return 1; }
		sleep 0.05
	done
	fail "$name did not attach in 10 s"
}

# reap PID: its exit status once it ends; SIGKILL (137) if it still runs 10 s later.
reap() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; return; }
		sleep 0.1
	done
	echo "    $1 still runs 10 s after it was told to stop: killed" >&2
	kill -KILL "$1"
	wait "$1"
}

# stop PID: SIGINT, exit status 0 within 10 s.
stop() {
	local rc
	sleep 0.3
	kill -INT "$1"
	reap "$1"
	rc=$?
	[ $rc = 0 ] || fail "tracer $1 exited $rc"
}

# load PORT RATE SECONDS [COUNT]: loadgen on 127.0.0.1, its JSON in $WORK/load.json;
# fails when it saw errors (the counts below would not add up).
load() {
	local args=(--json --threads 2 --port "$1" --duration "$3")
	[ "$2" != 0 ] && args+=(--rate "$2")
	[ -n "${4:-}" ] && args=(--json --threads 2 --port "$1" --count "$4")
	# --foreground: timeout and loadgen stay in the case's process group
	timeout --foreground $(( ${3%.*} + 60 )) "$LG" "${args[@]}" >"$WORK/load.json" || fail "loadgen failed: $(cat "$WORK/load.json")" || return 1
	jq -e '(.connect_errors // {} | length) == 0 and (.io_errors // {} | length) == 0' "$WORK/load.json" >/dev/null ||
		fail "loadgen saw errors: $(cat "$WORK/load.json")"
}
accepted() { jq -r .accepted "$WORK/load.json"; }

# lost FILE.out FILE.err: events counted as lost ({"event":"lost"} lines; the stderr summary).
lost_of() { jq -r 'select(.event == "lost") | .count' "$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
# missed FILE.out: runs the kernel skipped ({"event":"missed"}): counted, not lost silently.
missed_of() { jq -r 'select(.event == "missed") | .count' "$1" 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }

maps_state() { # PID -> "id max_entries bytes_memlock" per map
	local id
	for id in $(map_ids "$1"); do
		bpftool map show id "$id" -j | jq -r '"\(.id) \(.name) \(.type) \(.max_entries) \(.bytes_memlock // 0)"'
	done
}

maps_within_bounds() { # PID
	local id name type max n
	while read -r id name type max _; do
		case $type in hash | lru_hash | percpu_hash | lru_percpu_hash) ;; *) continue ;; esac
		n=$(bpftool map dump id "$id" -j 2>/dev/null | jq length)
		[ "${n:-0}" -le "$max" ] || fail "map $name holds $n entries, more than its $max" || return 1
	done < <(maps_state "$1")
}

case_steady() {
	local p life conn rss=() t0 m0 i n
	p=$(port)
	start life life --json || return 1
	life=$PID
	start conn connect -O --json -P "$p" || return 1
	conn=$PID
	m0="$(maps_state $life; maps_state $conn)"
	load "$p" "$rate" "$steady_s" &
	local lpid=$!
	t0=$SECONDS
	while kill -0 $lpid 2>/dev/null; do
		rss+=("$((SECONDS - t0)) $(rss_kb $life) $(rss_kb $conn)")
		sleep 2
	done
	wait $lpid || return 1
	maps_within_bounds $life && maps_within_bounds $conn || return 1
	[ "$(maps_state $life; maps_state $conn)" = "$m0" ] || fail "maps changed: $m0 / $(maps_state $life; maps_state $conn)" || return 1
	stop $life && stop $conn || return 1
	# memory: after the first quarter, max - min of each within 1 MiB
	printf '%s\n' "${rss[@]}" >"$WORK/rss"
	awk -v w=$((steady_s / 4)) '$1 >= w { for (i = 2; i <= 3; i++) { if (!(i in lo) || $i < lo[i]) lo[i] = $i; if ($i > hi[i]) hi[i] = $i } }
		END { for (i = 2; i <= 3; i++) { d = hi[i] - lo[i]; printf "%s RSS %d-%d kB (%d)\n", i == 2 ? "life" : "connect", lo[i], hi[i], d; if (d > 1024) bad = 1 } exit bad }' "$WORK/rss" ||
		fail "resident memory grew by more than 1 MiB after warm-up" || return 1
	n=$(accepted)
	local lp ll lm cp cl
	lp=$(jq -c "select(.event == \"close\" and (.lport == $p or .rport == $p))" "$WORK/life.out" | wc -l)
	ll=$(lost_of "$WORK/life.out")
	lm=$(missed_of "$WORK/life.out")
	cp=$(jq -c "select(.event == \"connect\" and .rport == $p and .result == \"ok\")" "$WORK/conn.out" | wc -l)
	cl=$(lost_of "$WORK/conn.out")
	echo "    $n connections in ${steady_s} s: life $lp sessions + $ll lost + $lm missed, connect -O $cp + $cl lost"
	# life's lost and missed counts cover all of the host's sessions: they may exceed ours.
	# Allowed short: 1 in 2,000 sessions. Under loopback load that reuses
	# 4-tuples still in the server's TIME_WAIT, up to a few server sockets in 10,000
	# end with no ->CLOSE that inet_sock_set_state reports: two tracers
	# attached at once miss the same ones, and `perf record` of the
	# tracepoint shows none for those checked either (6.18).
	local short=$((2 * n - lp - ll - lm))
	[ "$short" -gt 0 ] && echo "    life: $short of $((2 * n)) sessions with no end the tracepoint reported"
	[ "$short" -le $((2 * n / 2000)) ] && [ "$lp" -le $((2 * n)) ] ||
		fail "life: $lp printed + $ll lost + $lm missed for $((2 * n)) sessions; $(grep -v '^{' "$WORK/life.err" | tail -3)" || return 1
	[ $((cp + cl)) = "$n" ] || fail "connect -O: $cp printed + $cl lost for $n attempts"
}

case_tiny_ring() {
	local p n printed lost
	p=$(port)
	start tiny connect --json -P "$p" --buffer-size 4 || return 1
	# Whether a running reader keeps up with a storm depends on the machine
	# and its load: a stopped one never does, so losses are certain.
	kill -STOP $PID
	load "$p" 0 0 20000 || { kill -CONT $PID; return 1; }
	kill -CONT $PID
	stop $PID || return 1
	n=$(accepted)
	printed=$(jq -c "select(.event == \"connect\" and .rport == $p)" "$WORK/tiny.out" | wc -l)
	lost=$(lost_of "$WORK/tiny.out")
	echo "    $n connections: $printed printed + $lost lost"
	[ "$lost" -gt 0 ] || fail "a 4 KiB ring buffer lost nothing under a storm" || return 1
	grep -q "lost $lost events" "$WORK/tiny.err" || fail "stderr does not report $lost lost: $(cat "$WORK/tiny.err")" || return 1
	[ $((printed + lost)) = "$n" ] || fail "$printed printed + $lost lost != $n connections"
}

case_stall() {
	local p reader n printed lost r0 r1 fifo=$WORK/fifo
	p=$(port)
	mkfifo "$fifo"
	cat "$fifo" >"$WORK/stall.out" &
	reader=$!
	: >"$WORK/stall.err" # the wait below greps it before the child opens it
	"$TT" connect --json -P "$p" --buffer-size 64 -v >"$fifo" 2>"$WORK/stall.err" &
	PID=$!
	for _ in $(seq 1 200); do grep -q ': attached$' "$WORK/stall.err" && break; sleep 0.05; done
	kill -STOP $reader
	load "$p" 2000 "$stall_s" &
	local lpid=$!
	sleep 2
	r0=$(rss_kb $PID)
	wait $lpid || { kill -CONT $reader; return 1; }
	r1=$(rss_kb $PID)
	kill -CONT $reader
	sleep 1
	stop $PID || return 1
	wait $reader
	n=$(accepted)
	printed=$(jq -c "select(.event == \"connect\" and .rport == $p)" "$WORK/stall.out" | wc -l)
	lost=$(lost_of "$WORK/stall.out")
	echo "    reader stopped ${stall_s} s: RSS $r0 -> $r1 kB; $n connections: $printed printed + $lost lost"
	[ $((r1 - r0)) -le 1024 ] || fail "memory grew by $((r1 - r0)) kB while stdout stalled" || return 1
	[ "$lost" -gt 0 ] || fail "nothing lost while the reader stalled" || return 1
	grep -q "lost $lost events" "$WORK/stall.err" || fail "the lost count is not reported: $(cat "$WORK/stall.err")" || return 1
	[ $((printed + lost)) = "$n" ] || fail "$printed printed + $lost lost != $n connections"
}

case_dev_full() {
	local m p rc
	for m in $("$TT" --list); do
		p=$(port)
		"$TT" "$m" --json >/dev/full 2>"$WORK/full.err" &
		PID=$!
		sleep 1.5
		timeout --foreground 60 "$LG" --port "$p" --count 5 >/dev/null
		for _ in $(seq 1 50); do kill -0 $PID 2>/dev/null || break; sleep 0.1; done
		kill -INT $PID 2>/dev/null
		reap $PID
		rc=$?
		[ $rc = 1 ] || fail "$m > /dev/full: exit $rc, want 1: $(cat "$WORK/full.err")" || return 1
		[ "$(wc -l <"$WORK/full.err")" = 1 ] && grep -q '^tcptrace: writing output: No space left on device$' "$WORK/full.err" ||
			fail "$m > /dev/full: stderr: $(cat "$WORK/full.err")" || return 1
	done
}

case_sigkill() {
	local m progs links maps left id mounts0
	# tracefs only: other work on the machine (ip netns) adds and removes mounts
	mounts0=$(grep -c ' - tracefs ' /proc/self/mountinfo)
	for m in $("$TT" --list); do
		start k "$m" --json || return 1
		progs=$(prog_ids $PID) links=$(link_ids $PID) maps=$(map_ids $PID)
		[ -n "$progs" ] || fail "$m: no programs seen" || return 1
		kill -KILL $PID
		wait $PID 2>/dev/null
		sleep 0.5 # the kernel frees them after the last reference, asynchronously
		left=""
		for id in $progs; do bpftool prog show id "$id" >/dev/null 2>&1 && left+=" prog $id"; done
		for id in $links; do bpftool link show id "$id" >/dev/null 2>&1 && left+=" link $id"; done
		for id in $maps; do bpftool map show id "$id" >/dev/null 2>&1 && left+=" map $id"; done
		[ -z "$left" ] || fail "$m: left after SIGKILL:$left" || return 1
	done
	[ "$(grep -c ' - tracefs ' /proc/self/mountinfo)" = "$mounts0" ] || fail "tracefs mounts changed: $(grep tracefs /proc/self/mountinfo)"
}

run() {
	local name=$1 t0=$SECONDS rc
	echo "=== $name"
	( set -u; "case_$name" ) &
	case_pid=$!
	wait $case_pid
	rc=$?
	end_case # what a failed check left running
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		echo "FAIL $name ($((SECONDS - t0)) s)"
	fi
}

set -m # each case (run) leads a process group of its own
run steady
run tiny_ring
run stall
run dev_full
run sigkill
echo "soak: $passed passed, $failed failed"
[ $failed = 0 ]
