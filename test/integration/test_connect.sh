# shellcheck shell=bash
# tcptrace connect against real connections between two network namespaces
# and on loopback: every field of every event is checked against what the
# peer itself reports (pid, ports) and the addresses the test assigned.

source "$(dirname "${BASH_SOURCE[0]}")/lib-containers.sh"

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
	expect_json 1 ".pid == $pid and .lport == $lport" || return 1
	expect_json 1 ".pid == $pid and .lport == $lport and .event == \"connect\" and
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
	expect_json 1 'true' || return 1
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
	grep -q 'CAP_BPF and CAP_PERFMON' <<<"$err" || fail "no privilege hint: $err"
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

# need_nft: tests that shape traffic with nftables (test/deps.sh installs it,
# test/kernels/matrix.sh puts it in the guest); in CI it must be there.
need_nft() {
	command -v nft >/dev/null && return 0
	[ "${CI:-}" = true ] && fail "nft not installed (test/deps.sh installs nftables)"
	echo "    SKIP: nft not installed" >&2
	exit 77
}

# nft_in NS RULE...: one nftables input rule in namespace NS (its own table).
nft_in() {
	local ns=$1
	shift
	printf 'table inet tt {\n chain in {\n  type filter hook input priority 0;\n  %s\n }\n}\n' \
		"$*" | ip netns exec "$ns" nft -f -
}

# check_outcome LINE FAMILY LADDR RADDR RPORT RESULT ERRNO MIN_NS MAX_NS: the one
# event of this attempt (by pid), all of its fields; ERRNO null for none.
check_outcome() {
	local line=$1 pid lport errno=$7
	pid=$(peer_field "$line" pid)
	lport=$(peer_field "$line" lport)
	[ "$errno" = null ] || errno="\"$errno\""
	expect_json 1 ".pid == $pid" || return 1
	expect_json 1 ".pid == $pid and .lport == $lport and .event == \"connect\" and
		.comm == \"ttpeer\" and .uid == 0 and .family == $2 and
		.laddr == \"$3\" and .raddr == \"$4\" and .rport == $5 and
		.result == \"$6\" and .errno == $errno and
		.latency_ns >= $8 and .latency_ns <= $9"
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
	# TCP_SYNCNT=1: the SYN and one retransmit 1 s later; gives up at 3 s.
	client "$NS_A" $B4 7001 --syncnt 1
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ETIMEDOUT || return 1
	check_outcome "$CLI_OUT" 4 $A4 $B4 7001 timeout ETIMEDOUT 2900000000 6000000000
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
	check_outcome "$v4" 4 $A4 198.18.0.3 80 unreachable EHOSTUNREACH 1 5000000000 || return 1
	check_outcome "$CLI_OUT" 6 $A6 2001:db8::3 80 unreachable EHOSTUNREACH 1 5000000000
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
	check_outcome "$CLI_OUT" 4 $A4 $B4 "$SRV_PORT" ok null 900000000 3000000000
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
	check_outcome "$slow" 4 $A4 $B4 "$SRV_PORT" ok null 900000000 3000000000
}

# Attempts still in SYN_SENT when tracing stops are reported as pending.
t_outcome_pending_at_exit() {
	need_nft
	nft_in "$NS_B" "tcp dport 7003 drop"
	trace_start o connect -O --json || return 1
	ip netns exec "$NS_A" "$PEER" client $B4 7003 --syncnt 6 >"$WORK/pending.out" &
	local cpid=$!
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
	# both in SYN_SENT (a busy host may take more than a moment to get there)
	for _ in $(seq 1 100); do
		[ "$(ip netns exec "$NS_A" ss -Htn state syn-sent dport = 7004 | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
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
