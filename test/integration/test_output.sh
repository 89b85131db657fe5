# shellcheck shell=bash
# stdout to a reader that stops reading (core/out/sink.c): SIGINT or SIGTERM
# ends the run with exit 0 once everything is written, whenever the reader
# reads again; a second signal gives up, exits 0 and says how many lines
# were not written; a reader that goes away ends the run quietly. Whatever
# happens, the reader never gets part of a line.

STALL_N=600 # connections: ~140 KB of JSON, more than a pipe holds (64 KiB)

# stall_start: a tracer writing JSON into a FIFO read by `cat` ($READER),
# which stops reading; then STALL_N connections. Returns once the tracer
# waits in write(2) for the reader.
stall_start() {
	local i
	mkfifo "$WORK/fifo" || return 1
	cat "$WORK/fifo" >"$WORK/stall.out" &
	READER=$!
	srv s "$NS_B" $B4 0 --count $STALL_N || return 1
	TRACE_ERR=$WORK/stall.err
	"$TT" connect --json -P "$SRV_PORT" >"$WORK/fifo" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	# attached: the header line of -v is not wanted here (stderr is checked), so
	# wait for the programs to be held instead
	for i in $(seq 1 200); do
		[ -n "$(tracer_progs "$TRACE_PID")" ] && grep -q '^Seccomp:[[:space:]]*2' /proc/"$TRACE_PID"/status && break
		kill -0 "$TRACE_PID" 2>/dev/null || { fail "tracer exited: $(cat "$TRACE_ERR")"; return 1; }
		sleep 0.05
	done
	kill -STOP "$READER"
	client "$NS_A" $B4 "$SRV_PORT" --count $STALL_N
	wait "$SRV_JOB"
	for i in $(seq 1 200); do
		case $(cat /proc/"$TRACE_PID"/wchan 2>/dev/null) in *pipe_write*) return 0 ;; esac
		sleep 0.05
	done
	fail "the tracer does not wait for its reader: wchan $(cat /proc/"$TRACE_PID"/wchan)"
}

# exited_within SECS: the tracer has ended within SECS seconds; TRACE_RC is its status.
exited_within() {
	local i
	for i in $(seq 1 $(($1 * 10))); do
		kill -0 "$TRACE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$TRACE_PID" 2>/dev/null && { fail "the tracer still runs after $1 s"; return 1; }
	wait "$TRACE_PID"
	TRACE_RC=$?
}

# whole_lines: what the reader got is whole JSON lines; sets PRINTED (our connects).
whole_lines() {
	local out=$WORK/stall.out
	[ ! -s "$out" ] || [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "the output ends in part of a line: $(tail -c 80 "$out")" || return 1
	expect_eq "lines that are JSON" "$(jq -c . "$out" 2>/dev/null | wc -l)" "$(wc -l <"$out")" || return 1
	PRINTED=$(jq -c "select(.event == \"connect\" and .rport == $SRV_PORT)" "$out" | wc -l)
}

# all_seen WHAT N [+missed]: N connects account for the STALL_N made. When
# the kernel skipped runs (recursion), up to that many may not have been seen
# at all; "+missed": N also counts the exit's {"event":"missed"} record then.
all_seen() {
	local missed seen=$2
	missed=$(sed -n 's/^tcptrace: connect: missed up to \([0-9]*\) events: .*/\1/p' "$TRACE_ERR")
	if [ -z "$missed" ]; then
		expect_eq "$1" "$2" $STALL_N
		return
	fi
	[ "${3:-}" = +missed ] && seen=$((seen - 1))
	[ "$seen" -le $STALL_N ] && [ "$seen" -ge $((STALL_N - missed)) ] ||
		fail "$1: $seen connects, $missed missed, want $STALL_N less up to $missed"
}

# stalled CASE: stall_start, then CASE; the reader never outlives the test
# (a stopped process ignores the run's SIGTERM, and would hold its pipes).
stalled() {
	local rc
	stall_start && "$1"
	rc=$?
	kill -KILL "$READER" 2>/dev/null
	wait "$READER" 2>/dev/null
	return $rc
}

signal_then_resume() {
	kill -INT "$TRACE_PID"
	sleep 1
	kill -0 "$TRACE_PID" 2>/dev/null || fail "exited at SIGINT with output still held: $(cat "$TRACE_ERR")" || return 1
	kill -CONT "$READER"
	exited_within 10 || return 1
	wait "$READER"
	expect_eq "exit status" "$TRACE_RC" 0 || return 1
	# a storm may also make the kernel skip runs (recursion): all_seen counts them
	expect_eq "stderr" "$(grep -v ': missed up to [0-9]* events: ' "$TRACE_ERR")" "" || return 1
	whole_lines || return 1
	all_seen "connects written" "$PRINTED"
}

t_signal_while_the_reader_stalls_waits_for_it() {
	stalled signal_then_resume
}

two_signals() {
	local line dropped
	kill -INT "$TRACE_PID"
	sleep 0.5
	kill -TERM "$TRACE_PID"
	exited_within 5 || return 1
	expect_eq "exit status" "$TRACE_RC" 0 || return 1
	# a storm may also make the kernel skip runs (recursion): that line is counted elsewhere
	line=$(grep -v ': missed up to [0-9]* events: ' "$TRACE_ERR")
	expect_eq "stderr lines ($line)" "$(grep -vc ': missed up to [0-9]* events: ' "$TRACE_ERR")" 1 || return 1
	dropped=$(sed -n 's/^tcptrace: connect: output given up at a second signal while its reader did not read: \([0-9]*\) lines not written$/\1/p' <<<"$line")
	[ -n "$dropped" ] || fail "stderr: $line" || return 1
	kill -CONT "$READER"
	wait "$READER"
	whole_lines || return 1
	[ "$PRINTED" -gt 0 ] && [ "$dropped" -gt 0 ] || fail "$PRINTED written, $dropped not" || return 1
	# every connect was written or counted here
	all_seen "written + not written" $((PRINTED + dropped)) +missed
}

t_second_signal_gives_up_on_a_stalled_reader() {
	stalled two_signals
}

signal_then_reader_gone() {
	kill -INT "$TRACE_PID"
	sleep 0.5
	kill -KILL "$READER"
	wait "$READER" 2>/dev/null
	exited_within 5 || return 1
	expect_eq "exit status" "$TRACE_RC" 0 || return 1
	# (a storm may also make the kernel skip runs: that line is the run's own)
	expect_eq "stderr" "$(grep -v ': missed up to [0-9]* events: ' "$TRACE_ERR")" ""
}

t_reader_gone_after_a_signal_ends_quietly() {
	stalled signal_then_reader_gone
}
