# shellcheck shell=bash
# tcptrace connect against real connections between two network namespaces
# and on loopback: every field of every event is checked against what the
# peer itself reports (pid, ports) and the addresses the test assigned.

source "$(dirname "${BASH_SOURCE[0]}")/lib-containers.sh"
# shellcheck source=test/integration/dns.sh
source "$(dirname "${BASH_SOURCE[0]}")/dns.sh"

# start_server NS ADDR [ARGS]: a ttpeer server on an ephemeral port (srv).
start_server() {
	srv server "$1" "$2" 0 "${@:3}"
}

# check_connect LINE FAMILY LADDR RADDR RPORT [UID]: the one event of this conn
# (and CONNECT_COND, a jq condition, when set).
check_connect() {
	local line=$1 pid lport
	pid=$(peer_field "$line" pid)
	lport=$(peer_field "$line" lport)
	expect_json 1 ".pid == $pid and .lport == $lport" ".event == \"connect\" and
		.comm == \"ttpeer\" and .uid == ${6:-0} and .family == $2 and
		.laddr == \"$3\" and .raddr == \"$4\" and .rport == $5 and ${CONNECT_COND:-true} and
		(.time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\\\.[0-9]{9}Z$\"))"
}

t_ipv4_between_namespaces() {
	start_server "$NS_B" $B4 --count 2
	trace_start c connect --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --count 2
	trace_stop || return 1
	[ "$(wc -l <<<"$CLI_OUT")" = 2 ] || fail "client made no 2 connections"
	while read -r line; do
		check_connect "$line" 4 $A4 $B4 "$SRV_PORT" || return 1
	done <<<"$CLI_OUT"
	expect_no_progs
}

t_ipv6_between_namespaces() {
	start_server "$NS_B" $B6
	trace_start c connect --json || return 1
	client "$NS_A" $B6 "$SRV_PORT"
	trace_stop || return 1
	check_connect "$CLI_OUT" 6 $A6 $B6 "$SRV_PORT"
}

t_ipv4_mapped_reported_once() {
	start_server "$NS_B" :: --v6only 0
	trace_start c connect --json || return 1
	client "$NS_A" ::ffff:$B4 "$SRV_PORT"
	trace_stop || return 1
	check_connect "$CLI_OUT" 6 ::ffff:$A4 ::ffff:$B4 "$SRV_PORT"
}

t_loopback() {
	start_server "$NS_A" 127.0.0.1
	trace_start c connect --json || return 1
	client "$NS_A" 127.0.0.1 "$SRV_PORT"
	trace_stop || return 1
	check_connect "$CLI_OUT" 4 127.0.0.1 127.0.0.1 "$SRV_PORT"
}

t_refused_connect_is_reported() {
	trace_start c connect --json || return 1
	client "$NS_A" $B4 9 # nothing listens on port 9 in B
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ECONNREFUSED || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 9
}

t_nonblocking_connect() {
	start_server "$NS_B" $B4
	trace_start c connect --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --nonblock
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ok || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT"
}

t_filter_pid_selects_one_process() {
	start_server "$NS_B" $B4 --count 3
	local gate=$WORK/go
	# A client waiting on a gate, so its pid is known before it connects.
	ip netns exec "$NS_A" bash -c "while [ ! -e $gate ]; do sleep 0.02; done; exec $PEER client $B4 $SRV_PORT" >"$WORK/sel.out" &
	local sel=$!
	trace_start c connect --json -p $sel || return 1
	client "$NS_A" $B4 "$SRV_PORT" --count 2
	touch "$gate"
	wait $sel
	trace_stop || return 1
	# one line, that process's: a {"event":"missed"} count of the kernel's
	# skips (host-wide, as on a busy machine) is not a line of another process
	expect_json 1 '.event != "missed"' || return 1
	check_connect "$(cat "$WORK/sel.out")" 4 $A4 $B4 "$SRV_PORT"
}

t_filter_uid() {
	start_server "$NS_B" $B4 --count 2
	trace_start c connect --json -u 65534 || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	local root_line=$CLI_OUT
	CLI_OUT=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PEER" client $B4 "$SRV_PORT")
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$root_line" pid)" || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT" 65534
}

t_filter_ports_single_list_range() {
	local p1=7101 p2=7102 p3=7203 p4=7300
	local specs=("$p1:1:0:0:0" "$p1,$p3:1:0:1:0" "7100-7150,7300:1:1:0:1")
	every_variant || specs=("${specs[2]}")
	for spec in "${specs[@]}"; do
		IFS=: read -r ports w1 w2 w3 w4 <<<"$spec"
		trace_start c connect --json -P "$ports" || return 1
		local pids=()
		for p in $p1 $p2 $p3 $p4; do
			client "$NS_A" $B4 $p # refused: a SYN is sent all the same
			pids+=("$(peer_field "$CLI_OUT" pid)")
		done
		trace_stop || return 1
		expect_json "$w1" ".pid == ${pids[0]} and .rport == $p1" || return 1
		expect_json "$w2" ".pid == ${pids[1]} and .rport == $p2" || return 1
		expect_json "$w3" ".pid == ${pids[2]} and .rport == $p3" || return 1
		expect_json "$w4" ".pid == ${pids[3]} and .rport == $p4" || return 1
	done
}

t_filter_family() {
	trace_start c connect --json -6 || return 1
	client "$NS_A" $B4 9
	local v4=$CLI_OUT
	client "$NS_A" $B6 9
	local v6=$CLI_OUT
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$v4" pid)" || return 1
	check_connect "$v6" 6 $A6 $B6 9 || return 1
	every_variant || return 0
	trace_start c4 connect --json -4 || return 1
	client "$NS_A" $B4 9
	v4=$CLI_OUT
	client "$NS_A" $B6 9
	v6=$CLI_OUT
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$v6" pid)" || return 1
	check_connect "$v4" 4 $A4 $B4 9
}

t_filter_cgroup() {
	local cg
	cg=$(cgroup2_root)/tt-test-$$ || return 1
	mkdir "$cg" || return 1
	trace_start c connect --json --cgroup "$cg" || { rmdir "$cg"; return 1; }
	client "$NS_A" $B4 9
	local outside=$CLI_OUT
	CLI_OUT=$(bash -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $PEER client $B4 9")
	trace_stop
	local rc=$?
	rmdir "$cg"
	mountpoint -q "$WORK/cgroup2" && umount "$WORK/cgroup2"
	[ $rc = 0 ] || return 1
	expect_json 0 ".pid == $(peer_field "$outside" pid)" || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 9
}

t_count_mode() {
	local p1 p2 p3
	p1=$(rand_port)
	p2=$((p1 + 1))
	p3=$((p1 + 2))
	trace_start c connect -c --json -P "$p1-$p3" || return 1
	client "$NS_A" $B4 $p1 --count 3
	client "$NS_A" $B4 $p2 --count 2
	client "$NS_A" $B6 $p3
	trace_stop || return 1
	expect_eq "count rows" "$(cat "$TRACE_OUT")" \
"{\"family\":4,\"laddr\":\"$A4\",\"raddr\":\"$B4\",\"rport\":$p1,\"count\":3}
{\"family\":4,\"laddr\":\"$A4\",\"raddr\":\"$B4\",\"rport\":$p2,\"count\":2}
{\"family\":6,\"laddr\":\"$A6\",\"raddr\":\"$B6\",\"rport\":$p3,\"count\":1}"
}

t_count_mode_table() {
	plan_independent
	local p
	p=$(rand_port)
	trace_start c connect -c -P "$p" || return 1
	client "$NS_A" $B4 "$p" --count 2
	trace_stop || return 1
	expect_eq "count table" "$(cat "$TRACE_OUT")" \
"LADDR                     RADDR                     RPORT  CONNECTS
$A4$(printf '%*s' $((26 - ${#A4})) '')$B4$(printf '%*s' $((26 - ${#B4})) '')$(printf '%-6s' "$p") 2"
}

t_table_output() {
	plan_independent
	trace_start c connect -t -U -L || return 1
	client "$NS_A" $B4 9
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME(s)   UID    PID     COMM         IP SADDR            LPORT  DADDR            DPORT" || return 1
	local pid lport
	pid=$(peer_field "$CLI_OUT" pid)
	lport=$(peer_field "$CLI_OUT" lport)
	grep -Eq "^[0-9]+\\.[0-9]{3} +0 +$pid +ttpeer +4 +$A4 +$lport +$B4 +9\$" "$TRACE_OUT" ||
		fail "no table row for pid $pid: $(cat "$TRACE_OUT")"
}

t_wall_clock_and_wide() {
	plan_independent
	trace_start c connect -T -w || return 1
	client "$NS_A" $B6 9
	trace_stop || return 1
	local pid
	pid=$(peer_field "$CLI_OUT" pid)
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME     PID     COMM         IP SADDR                                   DADDR                                   DPORT" || return 1
	grep -Eq "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] +$pid +ttpeer +6 +$A6 +$B6 +9\$" "$TRACE_OUT" ||
		fail "no table row: $(cat "$TRACE_OUT")"
}

t_csv_output() {
	plan_independent
	trace_start c connect --csv -U -L || return 1
	client "$NS_A" $B4 9
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" "UID,PID,COMM,IP,SADDR,LPORT,DADDR,DPORT" || return 1
	local want
	want="0,$(peer_field "$CLI_OUT" pid),ttpeer,4,$A4,$(peer_field "$CLI_OUT" lport),$B4,9"
	grep -qx "$want" "$TRACE_OUT" || fail "no CSV row '$want': $(cat "$TRACE_OUT")"
}

t_symlink_dispatch() {
	plan_independent
	ln -s "$TT" "$WORK/tcpconnect"
	TT=$WORK/tcpconnect trace_start c --json || return 1
	client "$NS_A" $B4 9
	trace_stop || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 9
}

t_sigterm_exits_zero_and_detaches() {
	trace_start c connect --json || return 1
	client "$NS_A" $B4 9
	trace_stop TERM || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 9 || return 1
	expect_no_progs
}

t_duration() {
	plan_independent
	local start=$SECONDS
	"$TT" connect --duration 1 --json >"$WORK/d.out" 2>"$WORK/d.err"
	expect_eq "exit status" $? 0 || return 1
	[ $((SECONDS - start)) -le 4 ] || fail "--duration 1 took $((SECONDS - start)) s"
}

t_closed_pipe_exits_zero() {
	plan_independent
	# head exits after one line; the tracer must notice and exit 0 promptly.
	( "$TT" connect --json 2>"$WORK/p.err"; echo "rc=$?" >"$WORK/p.rc" ) | head -n 1 >"$WORK/p.out" &
	local pipeline=$!
	# connects until one is traced: starting may take seconds on a busy host
	for _ in $(seq 1 100); do
		client "$NS_A" $B4 9
		[ -f "$WORK/p.rc" ] && break
		sleep 0.2
	done
	[ -f "$WORK/p.rc" ] || { kill $pipeline; fail "the tracer did not exit"; return 1; }
	wait $pipeline
	expect_eq "tracer status" "$(cat "$WORK/p.rc" 2>/dev/null)" "rc=0" || return 1
	jq -e .pid "$WORK/p.out" >/dev/null || fail "first line is not an event: $(cat "$WORK/p.out")"
	# A busy host may make the kernel skip a run (recursion): reported, not an error.
	! grep -qv ': missed up to [0-9]* events: ' "$WORK/p.err" ||
		fail "stderr not empty: $(cat "$WORK/p.err")"
}

t_no_privilege() {
	plan_independent
	local err rc
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TT" connect 2>&1 >/dev/null)
	rc=$?
	expect_eq "exit status" $rc 1 || return 1
	expect_eq "stderr lines" "$(wc -l <<<"$err")" 1 || return 1
	if [ -n "$(memlock_cap)" ]; then
		grep -q "CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE $MEMLOCK_WHY" <<<"$err"
	else
		grep -q 'CAP_BPF and CAP_PERFMON' <<<"$err"
	fi || fail "no privilege hint: $err"
}

t_forced_attach_method() {
	host_only "asserts --attach=kprobe fails: the host kernel has no kprobes"
	# This kernel has neither kprobes nor BPF trampolines (see DESIGN.md).
	local err rc
	err=$("$TT" connect --attach=kprobe 2>&1 >/dev/null)
	rc=$?
	expect_eq "kprobe exit" $rc 1 || return 1
	expect_eq "stderr lines" "$(wc -l <<<"$err")" 1 || return 1
	grep -q -- '--attach=kprobe' <<<"$err" || fail "unclear error: $err"
	trace_start c connect --json --attach=tracepoint || return 1
	client "$NS_A" $B4 9
	trace_stop || return 1
	grep -q 'attaching via tracepoint' "$TRACE_ERR" || fail "-v does not name the plan"
	check_connect "$CLI_OUT" 4 $A4 $B4 9
}

t_auto_picks_tracepoint_here() {
	host_only "asserts auto picks tracepoint: the host kernel refuses fentry"
	trace_start c connect --json || return 1
	trace_stop || return 1
	grep -q 'attaching via tracepoint' "$TRACE_ERR" || fail "auto did not pick tracepoint: $(cat "$TRACE_ERR")"
}

t_works_without_tracefs_mounted() {
	local was_mounted=0
	if mountpoint -q /sys/kernel/tracing; then
		was_mounted=1
		umount /sys/kernel/tracing || return 1
	fi
	trace_start c connect --json
	local rc=$?
	client "$NS_A" $B4 9
	trace_stop || rc=1
	# Whatever the tracer mounted, it unmounted; restore what was there.
	mountpoint -q /sys/kernel/tracing && fail "tracefs left mounted" && rc=1
	[ $was_mounted = 1 ] && mount -t tracefs tracefs /sys/kernel/tracing
	[ $rc = 0 ] || return 1
	check_connect "$CLI_OUT" 4 $A4 $B4 9
}

t_lost_events_are_counted() {
	# A 4 KiB ring buffer holds ~30 events; the tracer is stopped while
	# 100 connects happen: every one is either printed or counted as lost.
	local p
	p=$(rand_port)
	trace_start c connect --json -P "$p" --buffer-size 4 || return 1
	kill -STOP "$TRACE_PID"
	client "$NS_A" $B4 "$p" --count 100
	kill -CONT "$TRACE_PID"
	trace_stop || return 1
	local events lost
	events=$(json_count ".event == \"connect\" and .rport == $p")
	lost=$(jq -s 'map(select(.event == "lost") | .count) | add // 0' "$TRACE_OUT")
	[ "$lost" -gt 0 ] || fail "nothing lost with a 4 KiB buffer ($events events)" || return 1
	expect_eq "events + lost" $((events + lost)) 100 || return 1
	grep -q "lost $lost events" "$TRACE_ERR" || fail "no loss report on stderr: $(cat "$TRACE_ERR")"
}

delivery_delays_within_100ms() {
	# Each line is stamped when it is read from the pipe; the event's own time
	# says when the kernel saw the connect.
	local p
	p=$(rand_port)
	"$TT" connect --json -P "$p" -v 2>"$WORK/l.err" | while read -r line; do
		echo "${EPOCHREALTIME/./}000 $line" # no fork: the stamp is taken at once
	done >"$WORK/l.out" &
	for _ in $(seq 1 100); do grep -q ': attached$' "$WORK/l.err" && break; sleep 0.05; done
	local i
	for i in 1 2 3 4 5; do
		client "$NS_A" $B4 "$p"
		sleep 0.3
	done
	pkill -INT -f "$TT connect --json -P $p" ; wait
	grep -v '"event":"missed"' "$WORK/l.out" >"$WORK/l.events"
	expect_eq "lines" "$(wc -l <"$WORK/l.events")" 5 || return 1
	while read -r seen line; do
		local t ns
		t=$(jq -r .time <<<"$line")
		ns=$(( $(date -d "${t%%.*}Z" +%s) * 1000000000 + 10#$(sed 's/.*\.\([0-9]*\)Z/\1/' <<<"$t") ))
		[ $(( (seen - ns) / 1000000 )) -le 100 ] ||
			fail "event seen $(( (seen - ns) / 1000000 )) ms after it happened" || return 1
	done <"$WORK/l.events"
}

t_events_arrive_within_100ms() {
	plan_independent
	# Scheduling on a loaded 2-CPU machine can delay a whole run; a tracer
	# that is late every time fails.
	local try
	for try in 1 2 3; do
		delivery_delays_within_100ms && return 0
		echo "    (attempt $try late, retrying)" >&2
	done
	return 1
}

t_write_error_exits_one() {
	plan_independent
	local err
	err=$("$TT" connect --duration 0.5 2>&1 >/dev/full)
	expect_eq "exit status" $? 1 || return 1
	expect_eq "stderr" "$err" "tcptrace: writing output: No space left on device"
}

# ---- --outcome: the result and latency of every attempt ----

# check_outcome LINE FAMILY LADDR RADDR RPORT RESULT ERRNO MIN_NS MAX_NS [SYN]: the
# one event of this attempt (by pid), all of its fields; ERRNO null for none; SYN
# the SYNs resent (default 0; any: a number).
check_outcome() {
	local line=$1 pid lport errno=$7 syn=".syn_retrans == ${10:-0}"
	pid=$(peer_field "$line" pid)
	lport=$(peer_field "$line" lport)
	[ "$errno" = null ] || errno="\"$errno\""
	[ "${10:-}" != any ] || syn="(.syn_retrans | type) == \"number\""
	expect_json 1 ".pid == $pid" ".lport == $lport and .event == \"connect\" and
		.comm == \"ttpeer\" and .uid == 0 and .family == $2 and
		.laddr == \"$3\" and .raddr == \"$4\" and .rport == $5 and
		.result == \"$6\" and .errno == $errno and
		.latency_ns >= $8 and .latency_ns <= $9 and $syn"
}

t_outcome_ok_and_refused() {
	local fam addr laddr ok no
	for fam in 4 6; do
		if [ $fam = 4 ]; then addr=$B4 laddr=$A4; else addr=$B6 laddr=$A6; fi
		start_server "$NS_B" $addr
		trace_start o connect -O --json || return 1
		client "$NS_A" $addr "$SRV_PORT"
		ok=$CLI_OUT
		client "$NS_A" $addr 9
		no=$CLI_OUT
		trace_stop || return 1
		expect_eq "client result" "$(peer_field "$no" result)" ECONNREFUSED || return 1
		check_outcome "$ok" $fam $laddr $addr "$SRV_PORT" ok null 1 500000000 || return 1
		check_outcome "$no" $fam $laddr $addr 9 refused ECONNREFUSED 1 500000000 || return 1
		wait
	done
	expect_no_progs
}

t_outcome_nonblocking() {
	start_server "$NS_B" $B6
	trace_start o connect -O --json || return 1
	client "$NS_A" $B6 "$SRV_PORT" --nonblock
	local ok=$CLI_OUT
	client "$NS_A" $B6 9 --nonblock
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ECONNREFUSED || return 1
	check_outcome "$ok" 6 $A6 $B6 "$SRV_PORT" ok null 1 500000000 || return 1
	check_outcome "$CLI_OUT" 6 $A6 $B6 9 refused ECONNREFUSED 1 500000000
}

t_outcome_timeout() {
	need_nft
	nft_in "$NS_B" "tcp dport 7001 drop"
	trace_start o connect -O --json || return 1
	# The SYN and one retransmit 1 s later (TCP_SYNCNT=1), whose timer
	# TCP_USER_TIMEOUT cuts from 2 s to 0.5 s: the kernel gives up at 1.5 s.
	client "$NS_A" $B4 7001 --syncnt 1 --user-timeout 1500
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ETIMEDOUT || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 7001 timeout ETIMEDOUT 1400000000 4500000000 1
}

# An address of the veth subnet with no host behind it: neighbour discovery
# fails (one probe, 100 ms here) and the kernel answers itself with an ICMP
# host unreachable.
t_outcome_unreachable() {
	local dev=tta$$
	in_a bash -c "echo 1 >/proc/sys/net/ipv4/neigh/$dev/mcast_solicit &&
		echo 100 >/proc/sys/net/ipv4/neigh/$dev/retrans_time_ms &&
		echo 1 >/proc/sys/net/ipv6/neigh/$dev/mcast_solicit &&
		echo 100 >/proc/sys/net/ipv6/neigh/$dev/retrans_time_ms" || return 1
	trace_start o connect -O --json || return 1
	client "$NS_A" 198.18.0.3 80
	local v4=$CLI_OUT
	client "$NS_A" 2001:db8::3 80
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$v4" result)" EHOSTUNREACH || return 1
	check_outcome "$v4" 4 $A4 198.18.0.3 80 unreachable EHOSTUNREACH 1 5000000000 any || return 1
	check_outcome "$CLI_OUT" 6 $A6 2001:db8::3 80 unreachable EHOSTUNREACH 1 5000000000 any
}

# No route at all: connect() fails before any SYN; reported all the same.
t_outcome_no_route() {
	trace_start o connect -O --json || return 1
	client "$NS_A" 198.19.0.1 80
	local v4=$CLI_OUT
	client "$NS_A" 2001:db8:1::1 443
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$v4" result)" ENETUNREACH || return 1
	check_outcome "$v4" 4 0.0.0.0 198.19.0.1 80 unreachable ENETUNREACH 0 0 || return 1
	check_outcome "$CLI_OUT" 6 :: 2001:db8:1::1 443 unreachable ENETUNREACH 0 0
}

# nftables drops only the first SYN: the retransmit 1 s later gets through.
t_outcome_slow_handshake() {
	need_nft
	start_server "$NS_B" $B4
	nft_in "$NS_B" "tcp dport $SRV_PORT tcp flags syn limit rate 1/minute burst 1 packets drop"
	trace_start o connect -O --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	trace_stop || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT" ok null 900000000 3000000000 1
}

# The owner closes the socket before the handshake ends.
t_outcome_closed() {
	need_nft
	nft_in "$NS_B" "tcp dport 7002 drop"
	trace_start o connect -O --json || return 1
	client "$NS_A" $B4 7002 --abort
	trace_stop || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 7002 closed null 1 1000000000
}

# A slow one, a fast one, a refused one and one without a route: --failed and
# --min-latency keep exactly the right ones, in the kernel.
t_outcome_failed_and_min_latency() {
	need_nft
	start_server "$NS_B" $B4 --count 2
	nft_in "$NS_B" "tcp dport $SRV_PORT tcp flags syn limit rate 1/minute burst 1 packets drop"
	local f=$WORK/failed m=$WORK/min
	"$TT" connect --failed --json ${TT_ATTACH:+--attach=$TT_ATTACH} -v >"$f.out" 2>"$f.err" &
	local fpid=$!
	"$TT" connect --min-latency 500 --json ${TT_ATTACH:+--attach=$TT_ATTACH} -v >"$m.out" 2>"$m.err" &
	local mpid=$!
	for _ in $(seq 1 200); do
		grep -q ': attached$' "$f.err" && grep -q ': attached$' "$m.err" && break
		sleep 0.05
	done
	client "$NS_A" $B4 "$SRV_PORT" # slow: the first SYN is dropped
	local slow=$CLI_OUT
	client "$NS_A" $B4 "$SRV_PORT" # fast
	local fast=$CLI_OUT
	client "$NS_A" $B4 9
	local refused=$CLI_OUT
	client "$NS_A" 198.19.0.1 80
	local noroute=$CLI_OUT
	sleep 0.2
	kill -INT $fpid $mpid
	wait $fpid || fail "--failed tracer exited $?" || return 1
	wait $mpid || fail "--min-latency tracer exited $?" || return 1
	TRACE_OUT=$f.out
	expect_json 0 ".pid == $(peer_field "$slow" pid) or .pid == $(peer_field "$fast" pid)" || return 1
	check_outcome "$refused" 4 $A4 $B4 9 refused ECONNREFUSED 1 500000000 || return 1
	check_outcome "$noroute" 4 0.0.0.0 198.19.0.1 80 unreachable ENETUNREACH 0 0 || return 1
	TRACE_OUT=$m.out
	expect_json 1 "(.raddr == \"$B4\" and (.rport == $SRV_PORT or .rport == 9)) or
		.raddr == \"198.19.0.1\"" || return 1
	check_outcome "$slow" 4 $A4 $B4 "$SRV_PORT" ok null 900000000 3000000000 1
}

# syn_sent N PORT: waits (up to 30 s) until N connects from A to PORT are in
# SYN-SENT: a client started in the background can take a second or more to
# get there on a busy machine (or in the qemu guest).
syn_sent() {
	local n=0
	for _ in $(seq 1 300); do
		n=$(in_a ss -Htn state syn-sent "dport = :$2" | wc -l)
		[ "$n" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "$n of $1 connects to port $2 in SYN-SENT"
}

# Attempts still in SYN_SENT when tracing stops are reported as pending.
t_outcome_pending_at_exit() {
	need_nft
	nft_in "$NS_B" "tcp dport 7003 drop"
	trace_start o connect -O --json || return 1
	ip netns exec "$NS_A" "$PEER" client $B4 7003 --syncnt 6 >"$WORK/pending.out" &
	local cpid=$!
	syn_sent 1 7003 || return 1
	sleep 0.6
	trace_stop || return 1
	kill $cpid
	wait $cpid
	# The client is still blocked in connect(): the port comes from its socket.
	local pid lport
	pid=$cpid # ip netns exec execs the client: same pid
	expect_json 1 ".pid == $pid" || return 1
	lport=$(jq -r "select(.pid == $pid) | .lport" "$TRACE_OUT")
	[ "$lport" -gt 0 ] || fail "pending attempt has no source port: $(cat "$TRACE_OUT")" || return 1
	expect_json 1 ".pid == $pid and .comm == \"ttpeer\" and .family == 4 and
		.laddr == \"$A4\" and .raddr == \"$B4\" and .rport == 7003 and
		.result == \"pending\" and .errno == null and
		.latency_ns >= 400000000 and .latency_ns <= 5000000000"
}

t_outcome_table_columns() {
	plan_independent
	start_server "$NS_B" $B4
	trace_start o connect -O || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	local ok=$CLI_OUT
	client "$NS_A" $B4 9
	trace_stop || return 1
	local hdr
	hdr=$(head -n 1 "$TRACE_OUT" | tr -s ' ')
	expect_eq "header" "$hdr" "PID COMM IP SADDR DADDR DPORT RESULT LAT(ms)" || return 1
	awk -v p="$(peer_field "$ok" pid)" -v port="$SRV_PORT" -v a=$A4 -v b=$B4 \
		'$1 == p && $2 == "ttpeer" && $3 == 4 && $4 == a && $5 == b && $6 == port &&
		 $7 == "ok" && $8 ~ /^[0-9]+\.[0-9][0-9]$/ { n++ } END { exit n != 1 }' "$TRACE_OUT" ||
		fail "no ok row: $(cat "$TRACE_OUT")" || return 1
	awk -v p="$(peer_field "$CLI_OUT" pid)" -v a=$A4 -v b=$B4 \
		'$1 == p && $4 == a && $5 == b && $6 == 9 && $7 == "refused" &&
		 $8 ~ /^[0-9]+\.[0-9][0-9]$/ { n++ } END { exit n != 1 }' "$TRACE_OUT" ||
		fail "no refused row: $(cat "$TRACE_OUT")"
}

t_outcome_count_mode() {
	local closed
	closed=$(rand_port)
	start_server "$NS_B" $B4 --count 2
	trace_start o connect -O -c --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --count 2
	client "$NS_A" $B4 "$closed"
	client "$NS_A" $B4 "$closed"
	client "$NS_A" $B4 "$closed"
	trace_stop || return 1
	expect_json 1 ".raddr == \"$B4\" and .rport == $SRV_PORT" || return 1
	expect_json 1 ".raddr == \"$B4\" and .rport == $SRV_PORT and .result == \"ok\" and
		.count == 2 and .laddr == \"$A4\" and .family == 4" || return 1
	expect_json 1 ".raddr == \"$B4\" and .rport == $closed" || return 1
	expect_json 1 ".raddr == \"$B4\" and .rport == $closed and .result == \"refused\" and
		.count == 3 and .laddr == \"$A4\""
}

t_outcome_bad_options() {
	plan_independent
	local out rc
	for args in "--min-latency 0" "--min-latency abc" "--min-latency -5" "--min-latency 1e12"; do
		out=$("$TT" connect $args 2>&1)
		rc=$?
		expect_eq "exit status of connect $args" $rc 2 || return 1
		expect_eq "lines of error for $args" "$(wc -l <<<"$out")" 1 || return 1
		grep -q -- "--min-latency" <<<"$out" || fail "error does not name the option: $out" ||
			return 1
	done
}

# Count mode counts the attempts pending at exit too.
t_outcome_count_pending() {
	need_nft
	nft_in "$NS_B" "tcp dport 7004 drop"
	trace_start o connect -O -c --json || return 1
	ip netns exec "$NS_A" "$PEER" client $B4 7004 --syncnt 6 --count 2 >/dev/null &
	local cpid=$!
	ip netns exec "$NS_A" "$PEER" client $B4 7004 --syncnt 6 >/dev/null &
	local cpid2=$!
	syn_sent 2 7004 || return 1
	trace_stop || return 1
	kill $cpid $cpid2
	wait
	# Two blocked clients: two attempts pending (the second of --count 2 never starts).
	expect_json 1 ".raddr == \"$B4\" and .rport == 7004" || return 1
	expect_json 1 ".raddr == \"$B4\" and .rport == 7004 and .result == \"pending\" and .count == 2"
}

# --containers: the connecting task's cgroup, container and pod, every key:
# between namespaces a Docker container (systemd driver), on loopback a
# Kubernetes pod's container (containerd, systemd driver); the servers are
# in a systemd service, which connect does not report.
t_containers_every_key() {
	local c1 c2 p1 p2 dock k8s c_dock c_k8s
	ctr_init || return 1
	ctr_service 3 'srv\x2done' || return 1
	CG_DIR=$CTR_DIR srv s1 "$NS_B" $B4 0
	p1=$SRV_PORT
	CG_DIR=$CTR_DIR srv s2 "$NS_A" 127.0.0.1 0
	p2=$SRV_PORT
	ctr_docker_systemd 1 web || return 1
	dock=$CTR_DIR c_dock=$CTR_COND
	ctr_containerd_systemd 2 api || return 1
	k8s=$CTR_DIR c_k8s=$CTR_COND
	trace_start c connect --json --containers --host-root "$HOST" || return 1
	CG_DIR=$dock client "$NS_A" $B4 "$p1"
	c1=$CLI_OUT
	CG_DIR=$k8s client "$NS_A" 127.0.0.1 "$p2"
	c2=$CLI_OUT
	trace_stop || return 1
	CONNECT_COND=$c_dock check_connect "$c1" 4 $A4 $B4 "$p1" || return 1
	CONNECT_COND=$c_k8s check_connect "$c2" 4 127.0.0.1 127.0.0.1 "$p2"
}

# A container whose cgroup is gone by the time the tracer reads its event
# (stopped meanwhile) is named from the record of the cgroup's creation.
t_containers_removed_cgroup_still_named() {
	plan_independent
	local dir
	ctr_init || return 1
	start_server "$NS_B" $B4
	trace_start c connect --json --containers --host-root "$HOST" || return 1
	kill -STOP "$TRACE_PID"
	ctr_docker_systemd 7 short-lived || { kill -CONT "$TRACE_PID"; return 1; }
	dir=$CTR_DIR
	CG_DIR=$dir client "$NS_A" $B4 "$SRV_PORT"
	rmdir "$dir"
	kill -CONT "$TRACE_PID"
	[ ! -d "$dir" ] || fail "cgroup $dir still there" || return 1
	trace_stop || return 1
	CONNECT_COND=$CTR_COND check_connect "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT"
}

# ---- -d/--dns: the name each destination was resolved from ----

# Every kind of resolver gets its own name and pid: glibc's getaddrinfo(), a
# resolver of its own on a connected UDP socket (Go), one sending with
# sendto() on an unconnected socket (musl), TCP; through CNAMEs, for AAAA
# over an IPv6 nameserver, and for an IPv4-mapped destination of an AF_INET6
# socket. A CNAME loop and an address nobody resolved have no name.
t_dns_resolvers() {
	dns_serve "$NS_A" $DNS gai.tt.test=A:127.0.0.11 go.tt.test=A:127.0.0.12 \
		musl.tt.test=A:127.0.0.13 tcp.tt.test=A:127.0.0.14 \
		www.tt.test=CNAME:Edge.tt.test edge.tt.test=CNAME:cdn.tt.test cdn.tt.test=A:127.0.0.15 \
		mapped.tt.test=A:127.0.0.16 loop.tt.test=CNAME:back.tt.test \
		back.tt.test=CNAME:loop.tt.test loop.tt.test=A:127.0.0.17 || return 1
	dns_serve "$NS_A" ::1 six.tt.test=AAAA:$B6 || return 1
	dns_resolv_conf "$NS_A" $DNS || return 1
	trace_start c connect --json -d || return 1
	local gai go musl tcp cname six mapped loop never
	resolve "$NS_A" --style gai --family 4 gai.tt.test --connect 9 && gai=$CONN
	resolve "$NS_A" --server $DNS go.tt.test --connect 9 && go=$CONN
	resolve "$NS_A" --server $DNS --style unconnected musl.tt.test --connect 9 && musl=$CONN
	resolve "$NS_A" --server $DNS --style tcp tcp.tt.test --connect 9 && tcp=$CONN
	resolve "$NS_A" --server $DNS WWW.tt.test --connect 9 && cname=$CONN
	resolve "$NS_A" --server ::1 --style unconnected --type AAAA six.tt.test --connect 9 && six=$CONN
	resolve "$NS_A" --server $DNS mapped.tt.test --connect 9 --mapped && mapped=$CONN
	resolve "$NS_A" --server $DNS loop.tt.test --connect 9 && loop=$CONN
	client "$NS_A" 127.0.0.18 9
	never=$CLI_OUT
	trace_stop || return 1
	expect_query "$gai" gai.tt.test "$OWN and .raddr == \"127.0.0.11\" and .query_cname == null" &&
		expect_query "$go" go.tt.test "$OWN" &&
		expect_query "$musl" musl.tt.test "$OWN" &&
		expect_query "$tcp" tcp.tt.test "$OWN" &&
		expect_query "$cname" WWW.tt.test "$OWN and .query_cname == \"cdn.tt.test\"" &&
		expect_query "$six" six.tt.test "$OWN and .family == 6 and .raddr == \"$B6\"" &&
		expect_query "$mapped" mapped.tt.test \
			"$OWN and .family == 6 and .raddr == \"::ffff:127.0.0.16\"" &&
		expect_query "$loop" - ".raddr == \"127.0.0.17\" and .query_cname == null and
			.query_age_ns == null and .query_stale == null and .query_scope == null and
			.query_candidates == null" &&
		expect_query "$never" - ".raddr == \"127.0.0.18\"" || return 1
	expect_eq "CNAME loops" "$(dns_counter cname_loop)" 1
}

# Namespaces: the same name is another address in each, and an address
# resolved in one has no name in the other. One address, two names: each
# process gets its own; a third, which resolved nothing, the newest of its
# namespace, with the count of candidates.
t_dns_namespaces() {
	dns_serve "$NS_A" $DNS same.tt.test=A:127.0.0.21 s1.tt.test=A:127.0.0.23 \
		s2.tt.test=A:127.0.0.23 || return 1
	dns_serve "$NS_B" $DNS same.tt.test=A:127.0.0.22 || return 1
	trace_start c connect --json -d || return 1
	local a b cross p1 p2 p3
	resolve "$NS_A" --server $DNS same.tt.test --connect 9 && a=$CONN
	resolve "$NS_B" --server $DNS same.tt.test --connect 9 && b=$CONN
	client "$NS_B" 127.0.0.21 9
	cross=$CLI_OUT
	# p1 resolves s1, then connects after p2 resolved s2: its own answer wins
	local gate=$WORK/p1.gate
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS s1.tt.test --gate "$gate" \
		--connect 9 >"$WORK/p1.out" &
	local p1_job=$!
	for _ in $(seq 1 500); do
		grep -q '^resolved ' "$WORK/p1.out" && break
		sleep 0.02
	done
	resolve "$NS_A" --server $DNS s2.tt.test --connect 9 && p2=$CONN
	touch "$gate"
	wait $p1_job
	p1=$(grep '^conn ' "$WORK/p1.out")
	client "$NS_A" 127.0.0.23 9
	p3=$CLI_OUT
	trace_stop || return 1
	expect_query "$a" same.tt.test "$OWN and .raddr == \"127.0.0.21\"" &&
		expect_query "$b" same.tt.test "$OWN and .raddr == \"127.0.0.22\"" &&
		expect_query "$cross" - ".raddr == \"127.0.0.21\"" &&
		expect_query "$p1" s1.tt.test "$OWN" &&
		expect_query "$p2" s2.tt.test "$OWN" &&
		expect_query "$p3" s2.tt.test '.query_scope == "netns" and .query_candidates == 2'
}

# A stub relay on 127.0.0.53, as systemd-resolved's, asking the responder from
# sockets of its own: the client's connect gets the name from the client's
# own answer, not from the relay's upstream one; a process that resolved
# nothing gets it from its namespace.
t_dns_stub_relay() {
	plan_independent
	dns_serve "$NS_A" $DNS stub.tt.test=CNAME:far.tt.test far.tt.test=A:127.0.0.31 || return 1
	dns_relay "$NS_A" 127.0.0.53 $DNS || return 1
	dns_resolv_conf "$NS_A" 127.0.0.53 || return 1
	trace_start c connect --json -d || return 1
	local cli other
	resolve "$NS_A" --style gai --family 4 stub.tt.test --connect 9 && cli=$CONN
	client "$NS_A" 127.0.0.31 9
	other=$CLI_OUT
	trace_stop || return 1
	expect_query "$cli" stub.tt.test "$OWN and .query_cname == \"far.tt.test\"" &&
		expect_query "$other" stub.tt.test '.query_scope == "netns" and .query_candidates == 1'
	# the client's answer and the relay's upstream one
	expect_eq "replies parsed" "$(dns_counter parsed)" 2
}

# A stale answer (TTL 1 s, connect 1.5 s later), a truncated one (TC: glibc
# asks again over TCP), malformed ones (each counted, none mapping
# 127.0.0.66), replies to other questions: counted, never a name.
t_dns_stale_truncated_malformed() {
	plan_independent
	local k kinds="ptrloop fwdptr label64 longname rdoverrun qdcount" recs=()
	for k in $kinds; do recs+=("bad-$k.tt.test=BAD:$k"); done
	dns_serve "$NS_A" $DNS short.tt.test=A:127.0.0.41/1 big.tt.test=TC:127.0.0.42 "${recs[@]}" ||
		return 1
	dns_resolv_conf "$NS_A" $DNS || return 1
	trace_start c connect --json -d || return 1
	local stale big bad
	resolve "$NS_A" --server $DNS --style unconnected short.tt.test || return 1
	sleep 1.5
	client "$NS_A" 127.0.0.41 9
	stale=$CLI_OUT
	resolve "$NS_A" --style gai --family 4 big.tt.test --connect 9 && big=$CONN
	for k in $kinds; do
		ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS "bad-$k.tt.test" >/dev/null
	done
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS nx.tt.test >/dev/null
	client "$NS_A" 127.0.0.66 9
	bad=$CLI_OUT
	trace_stop || return 1
	expect_query "$stale" short.tt.test '.query_stale == true and .query_scope == "netns" and
		.query_age_ns > 1400000000 and .query_age_ns < 30000000000' &&
		expect_query "$big" big.tt.test "$OWN" &&
		expect_query "$bad" - || return 1
	expect_eq "TC answers" "$(dns_counter tc)" 1 &&
		expect_eq "bad names" "$(dns_counter bad_name)" 4 &&
		expect_eq "bad records" "$(dns_counter bad_record)" 1 &&
		expect_eq "not one question" "$(dns_counter qdcount)" 1 &&
		expect_eq "error answers" "$(dns_counter rcode)" 1 &&
		expect_eq "lost" "$(dns_counter lost)" 0 || return 1
	grep -q "^tcptrace: connect: --dns: 10 replies: 3 parsed, 5 malformed, 2 other (" "$TRACE_ERR" ||
		fail "no counters with -v: $(cat "$TRACE_ERR")"
}

# -c -d counts per name too; the table and CSV have QUERY last, '-' unknown;
# -d works with the other options.
t_dns_count_table_csv() {
	plan_independent
	dns_serve "$NS_A" $DNS one.tt.test=A:127.0.0.51 two.tt.test=A:127.0.0.51 || return 1
	trace_start c connect -c -d --json -P 9 || return 1
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS one.tt.test --connect 9 >/dev/null
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS one.tt.test --connect 9 >/dev/null
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS two.tt.test --connect 9 >/dev/null
	client "$NS_A" 127.0.0.52 9
	trace_stop || return 1
	expect_json 1 '.raddr == "127.0.0.51" and .query == "one.tt.test" and .count == 2' &&
		expect_json 1 '.raddr == "127.0.0.51" and .query == "two.tt.test" and .count == 1' &&
		expect_json 1 '.raddr == "127.0.0.52" and .query == null and .count == 1' || return 1
	trace_start t connect -d -t -U -L -w -O -P 9 || return 1
	resolve "$NS_A" --server $DNS one.tt.test --connect 9 || return 1
	client "$NS_A" 127.0.0.52 9
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME(s)   UID    PID     COMM         IP SADDR                                   LPORT  DADDR                                   DPORT RESULT        LAT(ms) QUERY" || return 1
	grep -Eq "^[0-9.]+ +0 +$(peer_field "$CONN" pid) +ttdns +4 +127\.0\.0\.1 +[0-9]+ +127\.0\.0\.51 +9 +refused +[0-9.]+ one\.tt\.test\$" "$TRACE_OUT" &&
		grep -Eq "^[0-9.]+ .* 127\.0\.0\.52 +9 +refused +[0-9.]+ -\$" "$TRACE_OUT" ||
		fail "table rows: $(cat "$TRACE_OUT")" || return 1
	trace_start v connect -d --csv --failed -P 9 || return 1
	resolve "$NS_A" --server $DNS two.tt.test --connect 9 || return 1
	trace_stop || return 1
	expect_eq "CSV header" "$(head -n 1 "$TRACE_OUT")" \
		"PID,COMM,IP,SADDR,DADDR,DPORT,RESULT,LAT(ms),QUERY" || return 1
	grep -Eq "^$(peer_field "$CONN" pid),ttdns,4,127\.0\.0\.1,127\.0\.0\.51,9,refused,[0-9.]+,two\.tt\.test\$" \
		"$TRACE_OUT" || fail "CSV row: $(cat "$TRACE_OUT")"
}

# The cgroup programs are there while tracing, through links only: gone
# after SIGINT and after SIGKILL. Without -d none is loaded.
t_dns_nothing_left_attached() {
	plan_independent
	local sig ids
	for sig in INT KILL; do
		trace_start c connect -d || return 1
		ids=$(grep -h '^prog_id:' /proc/"$TRACE_PID"/fdinfo/* | awk '{print $2}' | sort -u)
		[ "$(attached_ids $ids | wc -l)" = 5 ] ||
			fail "not 5 programs on the cgroup root: $(bpftool cgroup tree)" || return 1
		if [ $sig = KILL ]; then
			kill -KILL "$TRACE_PID"
			wait "$TRACE_PID" 2>/dev/null
		else
			trace_stop || return 1
		fi
		# a link goes when its last fd does; the kernel may finish that shortly after
		for _ in $(seq 1 50); do
			[ -z "$(attached_ids $ids)" ] && break
			sleep 0.1
		done
		expect_eq "programs attached after SIG$sig" "$(attached_ids $ids)" "" || return 1
	done
	# without -d: no cgroup program (prog_type 8 cgroup_skb, 18 cgroup_sock_addr)
	trace_start n connect || return 1
	local types
	types=$(awk '$1 == "prog_type:" {print $2}' /proc/"$TRACE_PID"/fdinfo/* | sort -u | tr '\n' ' ')
	trace_stop || return 1
	[ -n "$types" ] && ! grep -qwE '8|18' <<<"$types" ||
		fail "program types without -d: $types"
}

# Where cgroup BPF cannot be used (here: a cgroup namespace of its own), one
# line says why and that QUERY is disabled, JSON has the warning, and
# connections are traced all the same.
t_dns_degraded_in_a_cgroup_namespace() {
	plan_independent
	unshare --help 2>&1 | grep -q -- '--cgroup' || { echo "    no unshare --cgroup here" >&2; exit 77; }
	local out=$WORK/cgns.out err=$WORK/cgns.err pid
	unshare --cgroup "$TT" connect -d --json -P 9 -v >"$out" 2>"$err" &
	pid=$!
	for _ in $(seq 1 200); do
		grep -q ': attached$' "$err" && break
		sleep 0.05
	done
	client "$NS_A" $B4 9
	sleep 0.3
	kill -INT $pid
	wait $pid || fail "tracer exited $?: $(cat "$err")" || return 1
	# stderr: -v's lines about the mode, and the one line about -d
	expect_eq "stderr" "$(grep -v '^tcptrace: connect: ' "$err")" "tcptrace: --dns: tcptrace runs in a cgroup namespace of its own, where the host's cgroup v2 root is out of reach (run it in the host's): QUERY disabled" || return 1
	TRACE_OUT=$out
	expect_json 1 '.event == "warning" and .option == "--dns" and (.message | endswith("QUERY disabled"))' &&
		expect_json 1 ".pid == $(peer_field "$CLI_OUT" pid) and .query == null"
}

# -d as a user other than root: with CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN
# names work; without CAP_NET_ADMIN (cgroup_skb and sock_addr programs need
# it) one warning names it, and connections are traced all the same.
t_dns_needs_cap_net_admin() {
	plan_independent
	# This cell's plan where it works with CAP_BPF and CAP_PERFMON: above
	# kernel.perf_event_paranoid 2 (Debian's 3) Debian's 5.10 asks kprobes for
	# CAP_SYS_ADMIN, which would also stand in for CAP_NET_ADMIN. arm64 runs
	# this test in its kprobe cells (no fentry before 6.4); the test does
	# not depend on the plan, so there it takes the tracepoint one.
	local TT_ATTACH=${TT_ATTACH:-}
	[ "$TT_ATTACH" != kprobe ] || [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -le 2 ] ||
		TT_ATTACH=tracepoint
	command -v setpriv >/dev/null || fail "setpriv missing (util-linux)" || return 1
	dns_serve "$NS_A" $DNS capnet.tt.test=A:127.0.0.62 || return 1
	local caps mc
	mc=$(memlock_cap) # before 5.11: CAP_SYS_RESOURCE too (tcptrace(8) PRIVILEGES)
	for caps in bpf,perfmon,net_admin$mc bpf,perfmon$mc; do
		# bash and setpriv by path: the guest's busybox sh prefers its own applet
		printf '#!%s\nexec %s --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,%s --ambient-caps=-all,%s -- "%s" "$@"\n' \
			"$(command -v bash)" "$(command -v setpriv)" "+${caps//,/,+}" "+${caps//,/,+}" "$TT" >"$WORK/tt-$caps"
		chmod 755 "$WORK/tt-$caps"
	done
	TT=$WORK/tt-bpf,perfmon,net_admin$mc trace_start c connect --json -d || return 1
	resolve "$NS_A" --server $DNS capnet.tt.test --connect 9 || return 1
	trace_stop || return 1
	grep -q 'needs CAP_NET_ADMIN' "$TRACE_ERR" && fail "warned with CAP_NET_ADMIN: $(cat "$TRACE_ERR")"
	expect_query "$CONN" capnet.tt.test "$OWN" || return 1
	TT=$WORK/tt-bpf,perfmon$mc trace_start c connect --json -d || return 1
	resolve "$NS_A" --server $DNS capnet.tt.test --connect 9 || return 1
	trace_stop || return 1
	expect_eq "the -d line" "$(grep -- '--dns' "$TRACE_ERR")" \
		"tcptrace: --dns: loading its BPF programs: Operation not permitted (needs CAP_NET_ADMIN): QUERY disabled" || return 1
	expect_json 1 '.event == "warning" and .option == "--dns" and (.message | contains("(needs CAP_NET_ADMIN)"))' &&
		expect_query "$CONN" -
}

# No cgroup v2 mounted (here: in a mount namespace of the tracer's own): it
# mounts the hierarchy where no path leads (fsopen()), and names work.
t_dns_without_cgroup2_mounted() {
	plan_independent
	dns_serve "$NS_A" $DNS nomount.tt.test=A:127.0.0.61 || return 1
	cat >"$WORK/nocg2" <<'EOF'
#!/bin/sh
# $TT_REAL in a mount namespace of its own without any cgroup2 mount
exec unshare -m --propagation private sh -c '
	for m in $(awk "\$3 == \"cgroup2\" { print \$2 }" /proc/mounts); do umount "$m" || exit 1; done
	exec "$@"' sh "$TT_REAL" "$@"
EOF
	chmod +x "$WORK/nocg2"
	export TT_REAL=$TT
	TT=$WORK/nocg2 trace_start c connect --json -d || return 1
	resolve "$NS_A" --server $DNS nomount.tt.test --connect 9 || return 1
	trace_stop || return 1
	grep -q "^tcptrace: connect: DNS replies from the cgroup v2 root (a cgroup2 mount of its own)$" \
		"$TRACE_ERR" || fail "no mount of its own: $(cat "$TRACE_ERR")" || return 1
	expect_query "$CONN" nomount.tt.test "$OWN"
}

# ---- Programs the kernel refuses (core/bpf/roles.c) ----
# TCPTRACE_REFUSE (test-only) makes the tracer treat programs as refused, so
# the refused paths run on every kernel; on a host that refuses iterators
# itself, the t_outcome_* tests above take the alternative too.

# pending_client PORT: a client blocked in SYN_SENT to $B4:PORT (dropped by
# nftables) in the background; PENDING_PID is its pid.
pending_client() {
	ip netns exec "$NS_A" "$PEER" client $B4 "$1" --syncnt 6 >/dev/null &
	PENDING_PID=$!
	at_exit "kill $PENDING_PID 2>/dev/null"
	syn_sent 1 "$1"
}

# Attempts pending at exit: the iterator where the kernel allows it, one
# program run per entry where it refuses it: the same records, -v says which.
t_pending_with_and_without_iterator() {
	need_nft
	nft_in "$NS_B" "tcp dport 7005 drop"
	trace_start i connect -O --json || return 1
	local it_pid=$TRACE_PID it_progs=$TRACE_PROGS n
	TCPTRACE_REFUSE=tt_connect_pending trace_start r connect -O --json || return 1
	pending_client 7005 || return 1
	sleep 0.4
	trace_stop || return 1
	TRACE_PID=$it_pid TRACE_OUT=$WORK/i.out TRACE_ERR=$WORK/i.err
	trace_stop || return 1
	for n in i r; do
		TRACE_OUT=$WORK/$n.out
		expect_json 1 ".pid == $PENDING_PID" ".event == \"connect\" and .comm == \"ttpeer\" and
			.uid == 0 and .family == 4 and .laddr == \"$A4\" and .lport > 0 and
			.raddr == \"$B4\" and .rport == 7005 and .result == \"pending\" and
			.errno == null and .latency_ns >= 400000000 and .syn_retrans >= 0" || return 1
		expect_json 0 '.event == "warning"' || return 1
	done
	# the two stop at different times: the SYN resent 1 s in may be seen by one only
	expect_eq "records without their times" \
		"$(jq -c "select(.pid == $PENDING_PID) | del(.time, .latency_ns, .syn_retrans)" "$WORK/r.out")" \
		"$(jq -c "select(.pid == $PENDING_PID) | del(.time, .latency_ns, .syn_retrans)" "$WORK/i.out")" ||
		return 1
	grep -qx "tcptrace: connect: at exit: one program run per entry over connecting (tt_connect_pending_run)" \
		"$WORK/r.err" || fail "refused: no exit runs: $(cat "$WORK/r.err")" || return 1
	if grep -q "tt_connect_pending (iter/bpf_map_elem) refused by the kernel (Operation not permitted)" \
		"$WORK/i.err"; then
		echo "    (this kernel refuses iterators: both tracers ran the program per entry)" >&2
		grep -q "at exit: one program run per entry" "$WORK/i.err"
	else
		grep -qx "tcptrace: connect: at exit: a BPF iterator over connecting (tt_connect_pending)" \
			"$WORK/i.err" || fail "no iterator: $(cat "$WORK/i.err")"
	fi || return 1
	expect_no_progs || return 1
	TRACE_PROGS=$it_progs expect_no_progs
}

# Both refused: one warning naming the feature, the program and the kernel's
# words; every other outcome is still reported.
t_pending_not_reported_when_both_ways_refused() {
	need_nft
	nft_in "$NS_B" "tcp dport 7006 drop"
	start_server "$NS_B" $B4
	TCPTRACE_REFUSE=tt_connect_pending,tt_connect_pending_run trace_start o connect -O --json ||
		return 1
	client "$NS_A" $B4 "$SRV_PORT"
	pending_client 7006 || return 1
	trace_stop || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT" ok null 1 500000000 || return 1
	expect_json 0 '.result == "pending"' || return 1
	local msg="attempts still pending at exit (-O): tt_connect_pending_run (raw_tp) refused by the kernel (Operation not permitted (TCPTRACE_REFUSE)): not reported (no RESULT pending)"
	expect_json 1 '.event == "warning"' ".option == null and .message == \"$msg\"" || return 1
	expect_eq "the warning on stderr" "$(grep -c -F -x "tcptrace: connect: $msg" "$TRACE_ERR")" 1
}

# An optional program refused: one warning, the rest works.
t_refused_nested_program_warns() {
	start_server "$NS_B" $B4
	TCPTRACE_REFUSE=tt_connect_state_nested,tt_connect_btf_nested trace_start o connect -O --json ||
		return 1
	client "$NS_A" $B4 "$SRV_PORT"
	trace_stop || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT" ok null 1 500000000 || return 1
	# the kprobe plan has no nested program, nor a kernel that runs a
	# program nested in itself (core/bpf/needs.c: tt_kernel_skips_nested())
	if grep -q 'attaching via kprobe' "$TRACE_ERR" ||
		[ "$(bpftool btf dump file /sys/kernel/btf/vmlinux |
			grep -c "FUNC 'bpf_prog_inc_misses_counter'")" = 0 ]; then
		expect_json 0 '.event == "warning"'
		return
	fi
	expect_json 1 '.event == "warning"' '.option == null and (.message | test("^state changes in softirqs that interrupt the state program \\(-O\\): tt_connect_(state|btf)_nested \\(tp_btf/inet_sock_set_state\\) refused by the kernel \\(Operation not permitted \\(TCPTRACE_REFUSE\\)\\): their outcomes are lost, counted in the missed events$"))'
}

# A core program refused: exit 1, one line naming it, nothing on stdout.
t_refused_core_program_fails() {
	plan_independent
	TCPTRACE_REFUSE=tt_connect_state "$TT" connect --attach=tracepoint --json \
		>"$WORK/c.out" 2>"$WORK/c.err"
	expect_eq "exit status" $? 1 || return 1
	expect_eq "stdout" "$(cat "$WORK/c.out")" "" || return 1
	expect_eq "stderr lines" "$(wc -l <"$WORK/c.err")" 1 || return 1
	grep -q "^tcptrace: connect: tt_connect_state (tp_btf/inet_sock_set_state) refused by the kernel (Operation not permitted (TCPTRACE_REFUSE)) although the capabilities it needs are held: a security policy refuses this program type" \
		"$WORK/c.err" || fail "stderr: $(cat "$WORK/c.err")"
}

# --attach=auto: a plan whose core program is refused gives way to the next,
# and what that plan's optional programs would have said is not said.
t_auto_goes_on_when_a_core_program_is_refused() {
	plan_independent
	TT_ATTACH= TCPTRACE_REFUSE=tt_connect_v4_fexit,tt_connect_btf_nested,tt_connect_v4_kprobe \
		trace_start c connect -O --json || return 1
	client "$NS_A" $B4 9
	trace_stop || return 1
	grep -q 'attaching via tracepoint' "$TRACE_ERR" || fail "plan: $(cat "$TRACE_ERR")" || return 1
	expect_json 0 '.event == "warning"' || return 1
	CONNECT_COND='.result == "refused"' check_connect "$CLI_OUT" 4 $A4 $B4 9
}

# The enrichers' objects degrade as a whole, saying which program was refused.
t_refused_enricher_programs_warn() {
	plan_independent
	TCPTRACE_REFUSE=tt_dns_ingress,tt_cgroup_mkdir "$TT" connect -d --containers --json \
		--duration 0.5 >"$WORK/e.out" 2>"$WORK/e.err"
	expect_eq "exit status" $? 0 || return 1
	TRACE_OUT=$WORK/e.out
	expect_json 1 '.event == "warning" and .option == "--dns"' '.message == "tt_dns_ingress (cgroup_skb/ingress) refused by the kernel (Operation not permitted (TCPTRACE_REFUSE)): QUERY disabled"' ||
		return 1
	expect_json 1 '.event == "warning" and .option == "--containers"' '.message | startswith("cgroups created while tracing are not seen (tt_cgroup_mkdir (raw_tp/cgroup_mkdir) refused by the kernel: Operation not permitted (TCPTRACE_REFUSE))")'
}
