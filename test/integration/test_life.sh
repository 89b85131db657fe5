# shellcheck shell=bash
# tcptrace life against real sessions between two network namespaces and on
# loopback: both ends of every session are checked field by field against
# what the peers report (pids, ports), the addresses the test assigned and
# the bytes the peers were told to move, whichever end closes first.

source "$(dirname "${BASH_SOURCE[0]}")/lib-containers.sh"
# shellcheck source=test/integration/dns.sh
source "$(dirname "${BASH_SOURCE[0]}")/dns.sh"

# srv_wait [JOB]: waits for a server (the last one started) to finish its
# connections; one still waiting after 30 s (a client failed) is ended, and
# the test fails.
srv_wait() {
	local job=${1:-$SRV_JOB}
	for _ in $(seq 1 300); do
		kill -0 "$job" 2>/dev/null || { wait "$job"; return 0; }
		sleep 0.1
	done
	kill "$job"
	fail "server still waiting for connections: $(cat "$WORK"/*.srv)"
}

# await_port N PORT: waits (up to 30 s) until N events of the trace, in any
# format, have PORT as a local or remote port: a session's last packets may
# still be in flight when its processes have exited.
await_port() {
	for _ in $(seq 1 300); do
		[ "$(grep -cE "\"[lr]port\":$2[,}]| $2 |,$2," "$TRACE_OUT")" -ge "$1" ] && return 0
		sleep 0.1
	done
}

# The close event of the end of a session whose peer printed LINE (by its
# local address and both ports), as a jq condition.
this_end() {
	echo ".laddr == \"$2\" and .lport == $(peer_field "$1" lport) and
		.rport == $(peer_field "$1" rport)"
}

# check_end LINE FAMILY LADDR RADDR TX RX [UID]: the one event of one end of
# a session, every field (and END_COND, a jq condition, when set; the owner
# seen as OWNER_SOURCE, syscall unless set).
check_end() {
	local line=$1 pid
	pid=$(peer_field "$line" pid)
	[ -n "$pid" ] || fail "not a connection line: '$line'" || return 1
	expect_json 1 "$(this_end "$line" "$3")" ".event == \"close\" and .pid == $pid and
		.comm == \"ttpeer\" and .uid == ${7:-0} and .family == $2 and .raddr == \"$4\" and
		.tx_bytes == $5 and .rx_bytes == $6 and .duration_ns > 0 and
		.owner_source == \"${OWNER_SOURCE:-syscall}\" and
		.duration_ns < 10000000000 and ${END_COND:-true} and
		(.time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\\\.[0-9]{9}Z$\"))"
}

# session NS_SRV SRV_ADDR NS_CLI CLOSER: one session moving 100000 bytes
# client->server and 5000 back, closed first by CLOSER (client|server);
# leaves the server's line in SRV_LINE and the client's in CLI_OUT.
session() {
	local srv_close=last cli_close=first
	[ "$4" = server ] && srv_close=first cli_close=last
	srv s "$1" "$2" 0 --recv 100000 --send 5000 --close $srv_close
	trace_start l life --json || return 1
	client "$3" "$2" "$SRV_PORT" --send 100000 --recv 5000 --close $cli_close
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	SRV_LINE=$(conns s)
	expect_eq "client port" "$(peer_field "$SRV_LINE" rport)" "$(peer_field "$CLI_OUT" lport)"
}

# ended LINE CAUSE BY: the close event of the end LINE printed ended so.
ended() {
	local by=null
	[ "$3" = null ] || by="\"$3\""
	expect_json 1 ".event == \"close\" and .lport == $(peer_field "$1" lport) and
		.rport == $(peer_field "$1" rport)" ".close_cause == \"$2\" and .closed_by == $by"
}

# A session's health keys where nothing was lost: numbers, an RTT sampled.
HEALTHY='(.srtt_us > 0) and (.min_rtt_us > 0) and (.min_rtt_us <= .srtt_us * 8) and
	(.retrans_segs | type == "number") and .segs_out > 0 and .segs_in > 0'

t_client_closes_first_between_namespaces() {
	session "$NS_B" $B4 "$NS_A" client || return 1
	END_COND=$HEALTHY check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	END_COND=$HEALTHY check_end "$SRV_LINE" 4 $B4 $A4 5000 100000 || return 1
	ended "$CLI_OUT" fin local || return 1
	ended "$SRV_LINE" fin remote || return 1
	expect_no_progs
}

# CO-RE relocations: against the kernel's types the programs name, and what
# those contain, not against all of them; and against a --btf file when given
# one (here a copy of the running kernel's), every field still right.
t_core_btf_minimised_and_from_a_file() {
	local line n m
	cp /sys/kernel/btf/vmlinux "$WORK/vmlinux.btf" || return 1
	srv s "$NS_B" $B4 0 --recv 100000 --send 5000 --close last
	trace_start l life --json --btf "$WORK/vmlinux.btf" || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 100000 --recv 5000 --close first
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	check_end "$(conns s)" 4 $B4 $A4 5000 100000 || return 1
	line=$(grep -o 'CO-RE relocations against [0-9]* of the kernel.s [0-9]* BTF types' "$TRACE_ERR")
	n=$(awk '{print $4}' <<<"$line") m=$(awk '{print $8}' <<<"$line")
	[ -n "$n" ] && [ -n "$m" ] || fail "no CO-RE line: $(cat "$TRACE_ERR")" || return 1
	[ "$n" -gt 50 ] && [ $((n * 20)) -lt "$m" ] ||
		fail "CO-RE against $n of $m types: not minimised" || return 1
	expect_eq "kernel types" "$m" "$(bpftool btf dump file "$WORK/vmlinux.btf" | grep -c '^\[')"
}

t_server_closes_first_between_namespaces() {
	session "$NS_B" $B4 "$NS_A" server || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	check_end "$SRV_LINE" 4 $B4 $A4 5000 100000 || return 1
	ended "$CLI_OUT" fin remote || return 1
	ended "$SRV_LINE" fin local
}

# ---- TCP health: what the socket says when it closes ----

# health_is LINE INFO: the close event of the end LINE printed has the health
# that end's tcp_info had when it closed (ttpeer --info, --close reset).
health_is() {
	local info=$2
	[ -n "$info" ] || fail "no tcp_info line" || return 1
	expect_eq "tcp_info state (7: CLOSE at a reset received)" \
		"$(peer_field "$info" state)" "${3:-$(peer_field "$info" state)}" || return 1
	expect_json 1 ".event == \"close\" and .lport == $(peer_field "$1" lport) and
		.rport == $(peer_field "$1" rport)" "
		.srtt_us == $(peer_field "$info" rtt) and .min_rtt_us == $(peer_field "$info" minrtt) and
		.retrans_segs == $(peer_field "$info" retrans) and
		.segs_out == $(peer_field "$info" segs_out) and .segs_in == $(peer_field "$info" segs_in)"
}

# split_info: CLI_INFO, the client's tcp_info line; CLI_OUT, its conn line.
split_info() {
	CLI_INFO=$(grep '^info ' <<<"$CLI_OUT")
	CLI_OUT=$(grep '^conn ' <<<"$CLI_OUT")
}

# reset_by END: a session that END (client|server) aborts with SO_LINGER 0
# once it has settled; the other end reads until the reset. Both print their
# tcp_info as the session ends.
reset_by() {
	local srv_close=last cli_close=reset
	[ "$1" = server ] && srv_close=reset cli_close=last
	srv s "$NS_B" $B4 0 --recv 100000 --send 5000 --close $srv_close --info
	trace_start l life --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 100000 --recv 5000 --close $cli_close --info
	srv_wait
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	SRV_LINE=$(conns s)
	SRV_INFO=$(grep '^info ' "$WORK/s.srv")
	split_info
}

# reset_checked END: reset_by END, then every field of both ends: END aborted
# (rst, local), the other end was reset (rst, remote, in CLOSE when it read
# its tcp_info), and each end's health is its own tcp_info's.
reset_checked() {
	reset_by "$1" || return 1
	local end=$CLI_OUT end_info=$CLI_INFO peer=$SRV_LINE peer_info=$SRV_INFO
	[ "$1" = server ] && end=$SRV_LINE end_info=$SRV_INFO peer=$CLI_OUT peer_info=$CLI_INFO
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	check_end "$SRV_LINE" 4 $B4 $A4 5000 100000 || return 1
	ended "$end" rst local || return 1
	ended "$peer" rst remote || return 1
	health_is "$end" "$end_info" || return 1
	health_is "$peer" "$peer_info" 7
}

t_reset_by_the_client() {
	reset_checked client
}

t_reset_by_the_server() {
	reset_checked server
}

# nftables drops the first 3 data packets towards the server: the client
# retransmits them, and says so at its close.
t_retransmissions_counted() {
	need_nft
	srv s "$NS_B" $B4 0 --recv 100000 --send 5000 --close last
	nft_in "$NS_B" "tcp dport $SRV_PORT tcp flags & (syn | fin | rst) == 0 ip length > 200" \
		"numgen inc mod 1000000000 < 3 drop" || return 1
	trace_start l life --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 100000 --recv 5000 --close reset
	srv_wait
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	split_info
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	health_is "$CLI_OUT" "$CLI_INFO" || return 1
	expect_json 1 ".lport == $(peer_field "$CLI_OUT" lport) and .rport == $SRV_PORT" \
		".retrans_segs >= 3"
}

# A rate-limited link (tbf, 2 Mbit/s) under a bulk flow: the queue makes the
# RTT tens of milliseconds, the RTT(ms) column shows it as tcp_info does.
t_rtt_of_a_slow_link() {
	local want
	plan_independent # the reads are t_reset_by_*'s; this is the table's columns
	ip -n "$NS_A" link set tta$$ qlen 1000
	tc -n "$NS_A" qdisc add dev tta$$ root tbf rate 2mbit burst 8kb latency 400ms || return 1
	srv s "$NS_B" $B4 0 --recv 200000 --send 100 --close last
	trace_start l life --health || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 200000 --recv 100 --close reset
	srv_wait
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	split_info
	want=$(peer_field "$CLI_INFO" rtt)
	[ -n "$want" ] && [ "$want" -gt 5000 ] || fail "tcp_info rtt $want us: not a slow link" || return 1
	# the client's row: its RTT in ms (2 decimals) and retransmissions
	expect_eq "RTT(ms) RETR" "$(awk -v p="$(peer_field "$CLI_OUT" lport)" \
		'$4 == p { print $(NF - 1), $NF }' "$TRACE_OUT")" \
		"$(awk -v us="$want" 'BEGIN { printf "%.2f", us / 1000 }') $(peer_field "$CLI_INFO" retrans)"
}

# Keepalive gives up on a peer that stopped answering (nftables drops all it
# gets): a timeout, decided here.
t_keepalive_timeout() {
	local out=$WORK/ka.out i
	plan_independent # sk_err is read as t_reset_by_*'s reset is; this is the timer's
	need_nft
	srv s "$NS_B" $B4 0 --close last
	trace_start l life --json || return 1
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --keepalive 1,1,2 --close last \
		--info >"$out" &
	for i in $(seq 1 100); do
		grep -q '^conn ' "$WORK/s.srv" 2>/dev/null && break
		sleep 0.05
	done
	nft_in "$NS_B" "tcp dport $SRV_PORT drop" || return 1
	for i in $(seq 1 200); do
		grep -q '^info ' "$out" && break
		sleep 0.05
	done
	wait $!
	kill "$SRV_JOB" 2>/dev/null
	await_port 1 "$SRV_PORT"
	trace_stop || return 1
	CLI_OUT=$(grep '^conn ' "$out")
	ended "$CLI_OUT" timeout local || return 1
	health_is "$CLI_OUT" "$(grep '^info ' "$out")" 7 || return 1
	expect_json 1 ".lport == $(peer_field "$CLI_OUT" lport)" \
		".pid == $(peer_field "$CLI_OUT" pid) and .comm == \"ttpeer\" and .tx_bytes == 0 and
		.rx_bytes == 0 and .duration_ns > 2000000000"
}

# On loopback the other end's packets are processed in softirq on the
# sender's stack: the current task there is the wrong process (bcc #2304).
t_client_closes_first_on_loopback() {
	session "$NS_A" 127.0.0.1 "$NS_A" client || return 1
	check_end "$CLI_OUT" 4 127.0.0.1 127.0.0.1 100000 5000 || return 1
	check_end "$SRV_LINE" 4 127.0.0.1 127.0.0.1 5000 100000
}

t_server_closes_first_on_loopback() {
	session "$NS_A" 127.0.0.1 "$NS_A" server || return 1
	check_end "$CLI_OUT" 4 127.0.0.1 127.0.0.1 100000 5000 || return 1
	check_end "$SRV_LINE" 4 127.0.0.1 127.0.0.1 5000 100000
}

t_ipv6_both_orders() {
	session "$NS_B" $B6 "$NS_A" client || return 1
	check_end "$CLI_OUT" 6 $A6 $B6 100000 5000 || return 1
	check_end "$SRV_LINE" 6 $B6 $A6 5000 100000 || return 1
	session "$NS_B" $B6 "$NS_A" server || return 1
	check_end "$CLI_OUT" 6 $A6 $B6 100000 5000 || return 1
	check_end "$SRV_LINE" 6 $B6 $A6 5000 100000
}

t_ipv4_mapped_on_dual_stack_listener() {
	srv s "$NS_B" :: 0 --v6only 0 --recv 1000 --send 2000
	trace_start l life --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 1000 --recv 2000
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 1000 2000 || return 1
	check_end "$(conns s)" 6 ::ffff:$B4 ::ffff:$A4 2000 1000
}

t_duration_is_the_session() {
	srv s "$NS_B" $B4 0 --close last
	trace_start l life --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --hold 1
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	local end
	for end in "$(this_end "$CLI_OUT" $A4)" "$(this_end "$(conns s)" $B4)"; do
		expect_json 1 "$end and .duration_ns >= 1000000000 and .duration_ns < 2000000000" ||
			return 1
	done
}

t_refused_connect_is_a_session() {
	trace_start l life --json || return 1
	client "$NS_A" $B4 9 # nothing listens on port 9 in B
	await_port 1 9
	trace_stop || return 1
	expect_eq "client result" "$(peer_field "$CLI_OUT" result)" ECONNREFUSED || return 1
	local pid lport
	pid=$(peer_field "$CLI_OUT" pid)
	lport=$(peer_field "$CLI_OUT" lport)
	expect_json 1 ".pid == $pid" || return 1
	expect_json 1 ".pid == $pid and .comm == \"ttpeer\" and .laddr == \"$A4\" and
		.lport == $lport and .raddr == \"$B4\" and .rport == 9 and .tx_bytes == 0 and
		.rx_bytes == 0 and .duration_ns > 0"
}

# conn_wait FILE: waits until the client writing FILE has connected.
conn_wait() {
	for _ in $(seq 1 100); do
		grep -q '^conn ' "$1" && return 0
		sleep 0.05
	done
	fail "client did not connect: $(cat "$1")"
}

# predating_session ARGS...: a client of server s (127.0.0.1 in $NS_A; in
# the cgroup $CG_DIR if set) opens a session and holds it with the server's
# bytes unread, a tracer starts with ARGS, then the client is killed and the
# tracer stopped once both ends closed: CLI_OUT, SRV_LINE their lines.
predating_session() {
	local cli
	${CG_DIR:+in_cgroup} ${CG_DIR:+"$CG_DIR"} nsenter --net="/run/netns/$NS_A" "$PEER" client \
		127.0.0.1 "$SRV_PORT" --hold 60 >"$WORK/cli.out" &
	cli=$!
	conn_wait "$WORK/cli.out" || { kill $cli "$SRV_JOB"; return 1; }
	trace_start l "$@" || { kill $cli "$SRV_JOB"; return 1; }
	kill $cli
	wait $cli
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	CLI_OUT=$(cat "$WORK/cli.out")
	SRV_LINE=$(conns s)
}

# A session opened before the tracer started: its opener was never seen.
# The client is killed while holding it with 3000 bytes unread, so its exit
# resets it in the client's own context and the reset reaches the server in
# softirq: the client is reported as the task that closed it, the server end
# as unknown, and neither the duration nor (which end opened it being
# unknown) TX is made up. RX is exact.
t_session_predating_the_tracer() {
	srv s "$NS_A" 127.0.0.1 0 --send 3000 --close last
	predating_session life --json || return 1
	local srv_line=$SRV_LINE
	expect_json 1 "$(this_end "$CLI_OUT" 127.0.0.1)" || return 1
	expect_json 1 "$(this_end "$CLI_OUT" 127.0.0.1) and .pid == $(peer_field "$CLI_OUT" pid) and
		.comm == \"ttpeer\" and .uid == 0 and .tx_bytes == null and .rx_bytes == 3000 and
		.duration_ns == null and .owner_source == \"fd\"" || return 1
	expect_json 1 "$(this_end "$srv_line" 127.0.0.1)" || return 1
	expect_json 1 "$(this_end "$srv_line" 127.0.0.1) and .pid == null and .comm == null and
		.uid == null and .tx_bytes == null and .rx_bytes == 0 and .duration_ns == null and
		.owner_source == null"
}

# Born before tracing, accepted after it started: the accept names the
# owner (and makes the end passive, so TX is exact); the duration is unknown.
# The client, which closes after the server, is reported as the task that
# closed it.
t_accepted_after_tracing_started() {
	local gate=$WORK/gate
	srv s "$NS_B" $B4 0 --gate "$gate" --recv 1000 --close first
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --send 1000 --close last \
		>"$WORK/cli.out" &
	local cli=$!
	conn_wait "$WORK/cli.out" || { kill $cli "$SRV_JOB"; return 1; }
	trace_start l life --json || { kill $cli "$SRV_JOB"; return 1; }
	touch "$gate"
	wait $cli
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	CLI_OUT=$(cat "$WORK/cli.out")
	local srv_line
	srv_line=$(conns s)
	expect_json 1 "$(this_end "$srv_line" $B4)" || return 1
	expect_json 1 "$(this_end "$srv_line" $B4) and .pid == $SRV_PID and .comm == \"ttpeer\" and
		.uid == 0 and .raddr == \"$A4\" and .tx_bytes == 0 and .rx_bytes == 1000 and
		.duration_ns == null and .owner_source == \"syscall\"" || return 1
	expect_json 1 "$(this_end "$CLI_OUT" $A4)" || return 1
	expect_json 1 "$(this_end "$CLI_OUT" $A4) and .pid == $(peer_field "$CLI_OUT" pid) and
		.tx_bytes == null and .rx_bytes == 0 and .duration_ns == null and
		.owner_source == \"fd\""
}

t_filter_pid_is_the_owner() {
	# The server is blocked in accept() before tracing starts; its sessions
	# close in softirq, yet -p selects them by their owner.
	srv s "$NS_B" $B4 0 --count 2 --recv 10 --send 20 --close first
	trace_start l life --json -p "$SRV_PID" || return 1
	client "$NS_A" $B4 "$SRV_PORT" --count 2 --send 10 --recv 20 --close last
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_json 2 'true' || return 1
	while read -r line; do
		check_end "$line" 4 $B4 $A4 20 10 || return 1
	done < <(conns s)
}

t_filter_local_and_remote_ports() {
	srv s "$NS_B" $B4 0 --count 2
	trace_start l life --json -L "$SRV_PORT" || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	local first=$CLI_OUT
	await_port 1 "$SRV_PORT"
	trace_stop || return 1
	expect_json 0 "$(this_end "$first" $A4)" || return 1
	check_end "$(conns s | head -n 1)" 4 $B4 $A4 0 0 || return 1
	trace_start l2 life --json -D "9,$SRV_PORT" || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	srv_wait || return 1
	await_port 1 "$SRV_PORT"
	trace_stop || return 1
	expect_json 0 "$(this_end "$(conns s | tail -n 1)" $B4)" || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 0 0
}

t_filter_family() {
	srv s4 "$NS_B" $B4 0
	local p4=$SRV_PORT j4=$SRV_JOB
	srv s6 "$NS_B" $B6 0
	trace_start l life --json -6 || return 1
	client "$NS_A" $B4 "$p4"
	local v4=$CLI_OUT
	client "$NS_A" $B6 "$SRV_PORT"
	srv_wait $j4 && srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_json 0 ".family == 4 and (.lport == $p4 or .rport == $p4)" || return 1
	expect_json 0 "$(this_end "$v4" $A4)" || return 1
	check_end "$CLI_OUT" 6 $A6 $B6 0 0 || return 1
	check_end "$(conns s6)" 6 $B6 $A6 0 0
}

t_filter_uid() {
	srv s "$NS_B" $B4 0 --count 2
	trace_start l life --json -u 65534 || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	local root_line=$CLI_OUT
	CLI_OUT=$(ip netns exec "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PEER" client $B4 "$SRV_PORT")
	srv_wait || return 1
	await_port 1 "$SRV_PORT"
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$root_line" pid)" || return 1
	expect_json 0 ".pid == $SRV_PID" || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 0 0 65534
}

t_filter_cgroup() {
	local cg
	cg=$(cgroup2_root)/tt-life-$$ || return 1
	mkdir "$cg" || return 1
	srv s "$NS_B" $B4 0 --count 2
	trace_start l life --json --cgroup "$cg" || { rmdir "$cg"; return 1; }
	client "$NS_A" $B4 "$SRV_PORT"
	local outside=$CLI_OUT
	CLI_OUT=$(bash -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $PEER client $B4 $SRV_PORT")
	srv_wait || return 1
	await_port 1 "$SRV_PORT"
	trace_stop
	local rc=$?
	rmdir "$cg"
	mountpoint -q "$WORK/cgroup2" && umount "$WORK/cgroup2"
	[ $rc = 0 ] || return 1
	expect_json 0 ".pid == $(peer_field "$outside" pid)" || return 1
	expect_json 0 ".pid == $SRV_PID" || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 0 0
}

t_table_output() {
	plan_independent
	srv s "$NS_B" $B4 0 --recv 3000 --send 2048
	trace_start l life || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 3000 --recv 2048
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS" || return 1
	local pid lport
	pid=$(peer_field "$CLI_OUT" pid)
	lport=$(peer_field "$CLI_OUT" lport)
	grep -Eq "^$pid +ttpeer +$A4 +$lport +$B4 +$SRV_PORT +2 +2 [0-9]+\\.[0-9]{2}\$" \
		"$TRACE_OUT" || fail "no client row: $(cat "$TRACE_OUT")" || return 1
	grep -Eq "^$SRV_PID +ttpeer +$B4 +$SRV_PORT +$A4 +$lport +2 +2 [0-9]+\\.[0-9]{2}\$" \
		"$TRACE_OUT" || fail "no server row: $(cat "$TRACE_OUT")"
}

t_wide_and_timestamps() {
	plan_independent
	srv s "$NS_B" $B6 0
	trace_start l life -w -t || return 1
	client "$NS_A" $B6 "$SRV_PORT"
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME(s)   PID   COMM             IP LADDR                                   LPORT RADDR                                   RPORT  TX_KB  RX_KB MS" ||
		return 1
	grep -Eq "^[0-9]+\\.[0-9]{3} +$(peer_field "$CLI_OUT" pid) +ttpeer +6 +$A6 +$(peer_field "$CLI_OUT" lport) +$B6 +$SRV_PORT +0 +0 [0-9.]+\$" \
		"$TRACE_OUT" || fail "no wide row: $(cat "$TRACE_OUT")"
}

t_csv_output() {
	plan_independent
	srv s "$NS_B" $B4 0 --recv 2048
	trace_start l life --csv -T || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 2048
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME,PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS" || return 1
	grep -Eq "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9],$(peer_field "$CLI_OUT" pid),ttpeer,4,$A4,$(peer_field "$CLI_OUT" lport),$B4,$SRV_PORT,2,0,[0-9]+\\.[0-9]{2}\$" \
		"$TRACE_OUT" || fail "no CSV row: $(cat "$TRACE_OUT")" || return 1
	trace_start l2 life -s -t || return 1
	trace_stop || return 1
	expect_eq "-s -t header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME(s),PID,COMM,IP,LADDR,LPORT,RADDR,RPORT,TX_KB,RX_KB,MS"
}

t_symlink_dispatch() {
	plan_independent
	ln -s "$TT" "$WORK/tcplife"
	srv s "$NS_B" $B4 0 --recv 7
	TT=$WORK/tcplife trace_start l --json || return 1
	client "$NS_A" $B4 "$SRV_PORT" --send 7
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 7 0 || return 1
	check_end "$(conns s)" 4 $B4 $A4 0 7
}

# The per-socket map is the documented LRU, and closed sessions leave
# nothing behind in it.
t_socket_state_is_bounded() {
	srv s "$NS_B" $B4 0 --count 300
	trace_start l life --json || { kill $SRV_JOB; return 1; }
	local id ids
	ids=$(sed -n 's/^map_id:\t*//p' /proc/"$TRACE_PID"/fdinfo/* 2>/dev/null | sort -u)
	for id in $ids; do
		bpftool map show id "$id" -j | jq -e '.name == "owners"' >/dev/null && break
		id=
	done
	[ -n "$id" ] || fail "no owners map among the tracer's maps ($ids)" || { kill $SRV_JOB; return 1; }
	# sized to the host at start (core/bpf/maps.c): a power of two in [16384, 262144]
	expect_eq "owners map" "$(bpftool map show id "$id" -j | jq -r '"\(.type) \(.max_entries >= 16384
		and .max_entries <= 262144 and (.max_entries | log2 | floor | exp2) == .max_entries)"')" \
		"lru_hash true" || { kill $SRV_JOB; return 1; }
	client "$NS_A" $B4 "$SRV_PORT" --count 300
	srv_wait || return 1
	await_port 600 "$SRV_PORT"
	local left
	left=$(bpftool map dump id "$id" -j | jq length)
	trace_stop || return 1
	# Every session, or the tracer says how many runs the kernel skipped
	# ({"event":"missed"}, counted over all sockets): never a silent loss.
	local n missed
	n=$(json_count "(.lport == $SRV_PORT or .rport == $SRV_PORT) and .pid != null and
		.duration_ns != null")
	missed=$(jq -s '[.[] | select(.event == "missed") | .count] | add // 0' "$TRACE_OUT")
	[ "$n" -le 600 ] && [ $((n + missed)) -ge 600 ] ||
		fail "$n of 600 sessions reported, $missed reported missed: $(tail -n 5 "$TRACE_ERR")" ||
		return 1
	[ "$left" -lt 50 ] || fail "$left sockets still in the owners map after 300 sessions"
}

# --containers: both ends of each session, each its owner's cgroup, every
# key: between namespaces a Docker container (cgroupfs driver) connects to
# a pod's container that only kubelet's log directories name (cgroupfs
# driver); on loopback a systemd service connects to a login session.
t_containers_both_ends() {
	local dock pod svc sess c_dock c_pod c_svc c_sess l1 l2 j1
	ctr_init || return 1
	ctr_docker_cgroupfs 1 web || return 1
	dock=$CTR_DIR c_dock=$CTR_COND
	ctr_kubelet_cgroupfs 2 worker || return 1
	pod=$CTR_DIR c_pod=$CTR_COND
	ctr_service 3 'front\x2dend' || return 1
	svc=$CTR_DIR c_svc=$CTR_COND
	ctr_session 4 || return 1
	sess=$CTR_DIR c_sess=$CTR_COND
	CG_DIR=$pod srv s1 "$NS_B" $B4 0 --recv 3000 --send 2000 --close last
	local p1=$SRV_PORT
	j1=$SRV_JOB
	CG_DIR=$sess srv s2 "$NS_A" 127.0.0.1 0 --recv 1000 --send 500 --close last
	local p2=$SRV_PORT
	trace_start l life --json --containers --host-root "$HOST" || return 1
	CG_DIR=$dock client "$NS_A" $B4 "$p1" --send 3000 --recv 2000
	l1=$CLI_OUT
	CG_DIR=$svc client "$NS_A" 127.0.0.1 "$p2" --send 1000 --recv 500
	l2=$CLI_OUT
	srv_wait "$j1" || return 1
	srv_wait || return 1
	await_port 2 "$p1"
	await_port 2 "$p2"
	trace_stop || return 1
	END_COND=$c_dock check_end "$l1" 4 $A4 $B4 3000 2000 || return 1
	END_COND=$c_pod check_end "$(conns s1)" 4 $B4 $A4 2000 3000 || return 1
	END_COND=$c_svc check_end "$l2" 4 127.0.0.1 127.0.0.1 1000 500 || return 1
	END_COND=$c_sess check_end "$(conns s2)" 4 127.0.0.1 127.0.0.1 500 1000
}

# A session opened before the tracer started (see
# t_session_predating_the_tracer): the client end is closed by the client
# itself, reported with its cgroup; the server end closes in softirq, its
# owner unknown, and gets the cgroup the server created its listener in.
t_containers_owner_never_seen() {
	local c_cli c_srv
	ctr_init || return 1
	ctr_containerd_systemd 1 api || return 1
	c_srv=$CTR_COND
	CG_DIR=$CTR_DIR srv s "$NS_A" 127.0.0.1 0 --send 3000 --close last
	ctr_docker_cgroupfs 2 caller || return 1
	c_cli=$CTR_COND
	CG_DIR=$CTR_DIR predating_session life --json --containers --host-root "$HOST" || return 1
	expect_json 1 "$(this_end "$CLI_OUT" 127.0.0.1)" ".pid == $(peer_field "$CLI_OUT" pid) and
		$c_cli" || return 1
	expect_json 1 "$(this_end "$SRV_LINE" 127.0.0.1)" ".pid == null and .comm == null and
		$c_srv"
}

# ---- -d/--dns ----

# The name of a session this host opened is the one it had when it opened:
# here the cache forgets it while the session lives (a flood of 141 answers
# of 120 addresses each, more than its 16,384 entries), and the session's
# close still has it; a session opened after the flood has none, nor does
# the accepting end.
t_dns_name_outlives_the_cache() {
	dns_serve "$NS_A" $DNS long.tt.test=A:$B4 --many || return 1
	srv s "$NS_B" $B4 0 --count 2 --close last
	trace_start l life --json -d || return 1
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS long.tt.test --connect "$SRV_PORT" \
		--hold 2 >"$WORK/long.out" &
	local long_job=$! names=() i held control
	for _ in $(seq 1 750); do
		grep -q '^conn ' "$WORK/long.out" && break
		sleep 0.02
	done
	for i in $(seq 0 140); do names+=("m$i.tt.test"); done
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS "${names[@]}" >/dev/null ||
		fail "the flood of answers failed" || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	control=$CLI_OUT
	wait $long_job
	held=$(grep '^conn ' "$WORK/long.out")
	srv_wait || return 1
	await_port 4 "$SRV_PORT"
	trace_stop || return 1
	expect_eq "held session" "$(peer_field "$held" result)" ok || return 1
	expect_json 1 ".event == \"close\" and .pid == $(peer_field "$held" pid) and
		.comm == \"ttdns\" and .lport == $(peer_field "$held" lport) and .raddr == \"$B4\" and
		.query == \"long.tt.test\" and $OWN and .duration_ns > 1900000000" &&
		expect_json 1 ".pid == $(peer_field "$control" pid) and .query == null" &&
		expect_json 2 ".laddr == \"$B4\" and .lport == $SRV_PORT and .query == null" || return 1
	[ "$(dns_counter cache_evicted)" -gt 0 ] && [ "$(dns_counter opens_named)" = 1 ] &&
		[ "$(dns_counter opens)" -ge 2 ] || fail "counters: $(grep '"dns"' "$TRACE_OUT")"
}

# The table: QUERY last, the name for the session opened here, '-' for the
# accepting end.
t_dns_table() {
	plan_independent
	dns_serve "$NS_A" $DNS tab.tt.test=A:$B4 || return 1
	srv s "$NS_B" $B4 0
	trace_start l life -d || return 1
	resolve "$NS_A" --server $DNS tab.tt.test --connect "$SRV_PORT" || return 1
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS QUERY" || return 1
	grep -Eq "^$(peer_field "$CONN" pid) +ttdns +$A4 +[0-9]+ +$B4 +$SRV_PORT +0 +0 +[0-9.]+ tab\.tt\.test\$" \
		"$TRACE_OUT" && grep -Eq "^[0-9]+ +ttpeer +$B4 +$SRV_PORT +$A4 +[0-9]+ +0 +0 +[0-9.]+ -\$" \
		"$TRACE_OUT" || fail "table rows: $(cat "$TRACE_OUT")"
}

# tp_btf refused (TCPTRACE_REFUSE, test-only: core/bpf/roles.c): --attach=auto
# goes on to the classic tracepoint sock:inet_sock_set_state, every field
# still right, no warning (nothing is lost but the nested program's help).
t_classic_tracepoint_when_tp_btf_refused() {
	plan_independent
	TT_ATTACH= TCPTRACE_REFUSE=tp_btf/ session "$NS_B" $B4 "$NS_A" client || return 1
	grep -q "attaching via tracepoint: tracepoint sock:inet_sock_set_state" "$TRACE_ERR" ||
		fail "plan: $(cat "$TRACE_ERR")" || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	check_end "$SRV_LINE" 4 $B4 $A4 5000 100000 || return 1
	expect_json 0 '.event == "warning"' || return 1
	expect_no_progs
}

# The accept hooks that name the owners of accepted sessions refused: one
# warning, and the server's end is still reported, its owner learnt from
# the task that closes it (the server itself here).
t_owners_degrade_when_accept_hooks_refused() {
	TCPTRACE_REFUSE=tt_accept_exit,tt_accept_exit_sysexit,tt_accept_fexit,tt_accept_fexit_old,tt_accept_kprobe,tt_accept_exit_catchup \
		session "$NS_B" $B4 "$NS_A" client || return 1
	check_end "$CLI_OUT" 4 $A4 $B4 100000 5000 || return 1
	# the server's owner: the task found closing it, as for a session predating
	# the tracer; the fentry and kprobe plans still see the accept, through
	# their catch-up program's fallback on the raw sys_exit (not refused here)
	local src=fd
	case ${TT_ATTACH:-} in fentry | kprobe) src=syscall ;; esac
	OWNER_SOURCE=$src check_end "$SRV_LINE" 4 $B4 $A4 5000 100000 || return 1
	expect_json 1 '.event == "warning" and (.message | startswith("owners of accepted sessions: "))' \
		'.message | endswith("learnt from the task that closes them, else pid and comm unknown (null)")'
}

# ---- --open / --interval: sessions while they live ----

# ss_info NS PORT: the tcp_info ss(8) reads (sock_diag) of the one session
# of NS whose local port is PORT, on one line.
ss_info() {
	in_ns "$1" ss -tinH state established "( sport = :$2 )" | tr -s ' \t\n' ' '
}

# ss_val INFO KEY: one number of it (bytes_acked:N); rtt and minrtt, which
# ss prints in ms, in us; retrans, which it prints as now/total, the total.
ss_val() {
	local v
	v=$(grep -oE "(^| )$2:[0-9./]+" <<<"$1" | head -n 1 | sed 's/.*://')
	case $2 in
	rtt | minrtt) awk -v v="${v%%/*}" 'BEGIN { printf "%d", v * 1000 + 0.5 }' ;;
	retrans) v=${v##*/} && echo "${v:-0}" ;;
	*) echo "${v:-0}" ;;
	esac
}

# await_json N FILTER: waits (up to 30 s) until N lines of the trace match.
await_json() {
	for _ in $(seq 1 300); do
		[ "$(json_count "$2")" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 events matching $2 awaited, trace: $(cat "$TRACE_OUT")"
}

# held_client NS ADDR [ARGS]: a ttpeer client of server s ($SRV_PORT) in NS,
# in the background, holding its connection 60 s; returns once it has it.
# HELD is its pid, HELD_LINE its "conn" line.
held_client() {
	ip netns exec "$1" "$PEER" client "$2" "$SRV_PORT" "${@:3}" --hold 60 >"$WORK/held.out" &
	HELD=$!
	at_exit "kill $HELD $SRV_JOB 2>/dev/null"
	conn_wait "$WORK/held.out" || return 1
	HELD_LINE=$(grep '^conn ' "$WORK/held.out")
}

# close_held: the held client killed, both ends' closes traced, the tracer
# stopped; SRV_LINE is the server's line.
close_held() {
	kill "$HELD"
	wait "$HELD"
	srv_wait || return 1
	await_json 2 ".event == \"close\" and (.lport == $SRV_PORT or .rport == $SRV_PORT)" ||
		return 1
	trace_stop || return 1
	SRV_LINE=$(conns s)
}

# ss_settled NS PORT KEY:VALUE...: waits until ss shows each of them.
ss_settled() {
	local info kv ok
	for _ in $(seq 1 200); do
		info=" $(ss_info "$1" "$2") " ok=1
		for kv in "${@:3}"; do
			[[ $info == *" $kv "* ]] || ok=0
		done
		[ $ok = 1 ] && return 0
		sleep 0.05
	done
	fail "ss never showed ${*:3} for port $2: $info"
}

# open_end LINE LADDR OWNER TX RX INFO: the start record of a session's end
# opened before the tracer, every field, the health ones against ss's INFO.
open_end() {
	expect_json 1 "$(this_end "$1" "$2") and .event == \"open\" and .at == \"start\"" \
		".pid == $3 and .comm == \"ttpeer\" and .uid == 0 and .owner_source == \"fd\" and
		.family == 4 and .tx_bytes == $4 and .rx_bytes == $5 and .duration_ns == null and
		.state == \"ESTABLISHED\" and .tx_bytes_delta == $4 and .rx_bytes_delta == $5 and
		.srtt_us == $(ss_val "$6" rtt) and .min_rtt_us == $(ss_val "$6" minrtt) and
		.segs_out == $(ss_val "$6" segs_out) and .segs_in == $(ss_val "$6" segs_in) and
		.retrans_segs == $(ss_val "$6" retrans) and .close_cause == null and
		.closed_by == null"
}

# sums LINE LADDR TX RX: the deltas of all the records of one end add up to
# its totals, and its records' totals never go down.
sums() {
	local got
	got=$(jq -s -r "map(select($(this_end "$1" "$2"))) |
		[(map(.tx_bytes_delta) | add), (map(.rx_bytes_delta) | add),
		 ([.[].tx_bytes] | . == sort), ([.[].rx_bytes] | . == sort)] | @tsv" "$TRACE_OUT")
	expect_eq "deltas of $2:$(peer_field "$1" lport)" "$got" "$3	$4	true	true"
}

# A keep-alive session opened before the tracer: at start, each end with
# the process holding its fd, its bytes so far and its health as the kernel
# reports them to ss; every interval the same, nothing moved; at its close
# the same owners, TX known (which end listened was seen at start), and the
# deltas of each end summing to what the peers moved.
t_open_session_predating_the_tracer() {
	local cli_line srv_line cinfo sinfo n
	srv s "$NS_B" $B4 0 --recv 3000 --send 2000 --close last
	held_client "$NS_A" $B4 --send 3000 --recv 2000 --keepalive 60,10,3 || return 1
	cli_line=$HELD_LINE
	# quiesced: every byte moved and acknowledged; the first probe is 60 s away
	ss_settled "$NS_A" "$(peer_field "$cli_line" lport)" bytes_acked:3001 \
		bytes_received:2000 || return 1
	ss_settled "$NS_B" "$SRV_PORT" bytes_acked:2000 bytes_received:3000 || return 1
	cinfo=$(ss_info "$NS_A" "$(peer_field "$cli_line" lport)")
	sinfo=$(ss_info "$NS_B" "$SRV_PORT")
	# a second apart: no walk catches the close half-way (its FIN counted
	# in RX before the state says so, as tcp_info reads them apart)
	trace_start l life --interval 1 --json || return 1
	await_json 4 ".event == \"open\" and .at == \"interval\" and
		(.lport == $SRV_PORT or .rport == $SRV_PORT)" || return 1
	close_held || return 1
	srv_line=$SRV_LINE
	open_end "$cli_line" $A4 "$(peer_field "$cli_line" pid)" 3000 2000 "$cinfo" || return 1
	open_end "$srv_line" $B4 "$SRV_PID" 2000 3000 "$sinfo" || return 1
	n=$(json_count "$(this_end "$cli_line" $A4) and .at == \"interval\"")
	[ "$n" -ge 2 ] || fail "$n interval records of the client's end, want 2 or more" ||
		return 1
	expect_json "$n" "$(this_end "$cli_line" $A4) and .at == \"interval\"" \
		".pid == $(peer_field "$cli_line" pid) and .tx_bytes == 3000 and .rx_bytes == 2000 and
		.tx_bytes_delta == 0 and .rx_bytes_delta == 0 and .state == \"ESTABLISHED\"" || return 1
	END_COND=".tx_bytes_delta == 0 and .rx_bytes_delta == 0 and .state == \"CLOSE\" and
		.at == null" check_close_predating "$cli_line" $A4 "$(peer_field "$cli_line" pid)" \
		3000 2000 local || return 1
	END_COND=".tx_bytes_delta == 0 and .rx_bytes_delta == 0" \
		check_close_predating "$srv_line" $B4 "$SRV_PID" 2000 3000 remote || return 1
	sums "$cli_line" $A4 3000 2000 || return 1
	sums "$srv_line" $B4 2000 3000 || return 1
	expect_json 0 ".event == \"open\" and .at == \"exit\" and
		(.lport == $SRV_PORT or .rport == $SRV_PORT)" || return 1
	expect_no_progs
}

# check_close_predating LINE LADDR PID TX RX BY: the close of an end opened
# before tracing, with the owner found at start.
check_close_predating() {
	expect_json 1 "$(this_end "$1" "$2") and .event == \"close\"" \
		".pid == $3 and .comm == \"ttpeer\" and .owner_source == \"fd\" and .tx_bytes == $4 and
		.rx_bytes == $5 and .duration_ns == null and .close_cause == \"fin\" and
		.closed_by == \"$6\" and ${END_COND:-true}"
}

# 2,000 idle sessions opened before the tracer (the server's ends still in
# its accept queue, held by no process): exactly one start record for each
# end ss lists, and one exit record, the client ends owned by their
# clients; a port and family filter applies to them as to close records.
t_open_2000_idle_sessions() {
	plan_independent # the sessions opened before tracing are found by sock_diag
	local c1 c2 want_c want_s
	srv s "$NS_B" $B4 0 --gate "$WORK/never" --backlog 4096 --count 2000
	at_exit "kill $SRV_JOB 2>/dev/null"
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --count 1000 --hold 120 \
		>"$WORK/c1.out" &
	c1=$!
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --count 1000 --hold 120 \
		>"$WORK/c2.out" &
	c2=$!
	at_exit "kill $c1 $c2 2>/dev/null"
	for _ in $(seq 1 600); do
		[ "$(cat "$WORK/c1.out" "$WORK/c2.out" | grep -c '^conn ')" = 2000 ] && break
		sleep 0.1
	done
	want_c=$(in_ns "$NS_A" ss -tnH state established "( dport = :$SRV_PORT )" | wc -l)
	want_s=$(in_ns "$NS_B" ss -tnH state established "( sport = :$SRV_PORT )" | wc -l)
	expect_eq "client ends ss lists" "$want_c" 2000 || return 1
	expect_eq "server ends ss lists" "$want_s" 2000 || return 1
	trace_start l life --open --json || return 1
	trace_stop || return 1
	expect_json 2000 ".event == \"open\" and .at == \"start\" and .rport == $SRV_PORT" \
		"(.pid == $(peer_field "$(head -n 1 "$WORK/c1.out")" pid) or
		 .pid == $(peer_field "$(head -n 1 "$WORK/c2.out")" pid)) and .comm == \"ttpeer\" and
		.owner_source == \"fd\" and .laddr == \"$A4\" and .raddr == \"$B4\" and
		.tx_bytes == 0 and .rx_bytes == 0 and .state == \"ESTABLISHED\"" || return 1
	expect_json 2000 ".event == \"open\" and .at == \"start\" and .lport == $SRV_PORT" \
		".pid == null and .comm == null and .owner_source == null and .tx_bytes == 0 and
		.rx_bytes == 0" || return 1
	expect_json 4000 ".event == \"open\" and .at == \"exit\" and
		(.rport == $SRV_PORT or .lport == $SRV_PORT)" || return 1
	# one record per session: the client ports ss lists, each once
	expect_eq "client ports" "$(jq -r "select(.at == \"start\" and .rport == $SRV_PORT) |
		.lport" "$TRACE_OUT" | sort -n | uniq | wc -l)" 2000 || return 1
	trace_start l life --open --json -D "$SRV_PORT" -4 || return 1
	trace_stop || return 1
	expect_json 2000 ".event == \"open\" and .at == \"start\"" ".rport == $SRV_PORT" ||
		return 1
	expect_json 0 ".lport == $SRV_PORT"
}

# Sessions opened before tracing go into the owners map at setup
# (tt_life_adopt finds each by its tuple, in its namespace) and are walked
# with those born while tracing: every end of both families found, each
# record with the owner found holding its fd at start. With the program
# refused, sock_diag lists them at every walk instead: the same records and
# one warning.
t_open_predating_adopted_or_listed() {
	plan_independent
	local p4 s4 j4 p6 s6 j6 c4 c6 cp4 cp6 run walked g
	srv s4 "$NS_B" $B4 0 --count 10 --hold 60
	p4=$SRV_PORT s4=$SRV_PID j4=$SRV_JOB
	srv s6 "$NS_B" $B6 0 --count 10 --hold 60
	p6=$SRV_PORT s6=$SRV_PID j6=$SRV_JOB
	at_exit "kill $j4 $j6 2>/dev/null"
	ip netns exec "$NS_A" "$PEER" client $B4 "$p4" --count 10 --hold 60 >"$WORK/c4.out" &
	c4=$!
	ip netns exec "$NS_A" "$PEER" client $B6 "$p6" --count 10 --hold 60 >"$WORK/c6.out" &
	c6=$!
	at_exit "kill $c4 $c6 2>/dev/null"
	for _ in $(seq 1 200); do
		[ "$(cat "$WORK/c4.out" "$WORK/c6.out" | grep -c '^conn ')" = 20 ] &&
			[ "$(in_ns "$NS_B" ss -tnH state established | wc -l)" = 20 ] && break
		sleep 0.05
	done
	expect_eq "server ends" "$(in_ns "$NS_B" ss -tnH state established | wc -l)" 20 || return 1
	cp4=$(peer_field "$(head -n 1 "$WORK/c4.out")" pid)
	cp6=$(peer_field "$(head -n 1 "$WORK/c6.out")" pid)
	for run in adopted listed; do
		if [ $run = adopted ]; then
			trace_start l life --interval 0.3 --json || return 1
			walked=40
		else
			TCPTRACE_REFUSE=tt_life_adopt trace_start l life --interval 0.3 --json ||
				return 1
			walked=0
		fi
		await_json 80 '.event == "open" and .at == "interval"' || return 1
		trace_stop || return 1
		grep -q "sessions opened before tracing: 40, walked with those born while tracing: $walked\$" \
			"$TRACE_ERR" || fail "$run: $(grep 'sessions opened' "$TRACE_ERR")" || return 1
		if [ $run = adopted ]; then
			expect_json 0 '.event == "warning"' || return 1
		else
			expect_json 1 '.event == "warning"' '.message | test("tt_life_adopt")' ||
				return 1
		fi
		for g in "$A4 $B4 $p4 rport $cp4 4" "$B4 $A4 $p4 lport $s4 4" \
			"$A6 $B6 $p6 rport $cp6 6" "$B6 $A6 $p6 lport $s6 6"; do
			set -- $g
			expect_json 10 ".event == \"open\" and .at == \"start\" and .$4 == $3 and
				.laddr == \"$1\"" ".raddr == \"$2\" and .family == $6" || return 1
			expect_json 10 ".event == \"open\" and .at == \"exit\" and .$4 == $3 and
				.laddr == \"$1\"" ".raddr == \"$2\"" || return 1
			expect_json "$(json_count ".event == \"open\" and .$4 == $3 and .laddr == \"$1\"")" \
				".event == \"open\" and .$4 == $3 and .laddr == \"$1\"" \
				".pid == $5 and .comm == \"ttpeer\" and .owner_source == \"fd\" and
				.duration_ns == null and .tx_bytes == 0 and .rx_bytes == 0 and
				.tx_bytes_delta == 0 and .rx_bytes_delta == 0 and .state == \"ESTABLISHED\" and
				.retrans_segs == 0 and .srtt_us > 0" || return 1
		done
		# one record per session and walk: the client ports, each in every walk
		expect_eq "$run: client ports" "$(jq -r "select(.at == \"exit\" and
			(.rport == $p4 or .rport == $p6)) | .lport" "$TRACE_OUT" | sort -un | wc -l)" 20 ||
			return 1
	done
	expect_no_progs
}

# Sessions born while tracing, each interval: the bytes since the previous
# record, whose sum over the session's records (the close's included) is
# what the peers moved; the owners are the connecting and accepting
# processes, the duration the session's so far (a walk may find the client
# closing: it closes first, and the server's end in the accept queue, its
# owner not yet known).
t_interval_deltas_sum_to_the_peers_counts() {
	local srv_line n owners
	trace_start l life --interval 0.2 --json || return 1
	srv s "$NS_B" $B4 0 --recv 300000 --send 5000 --close last
	client "$NS_A" $B4 "$SRV_PORT" --send 300000 --chunks 5,0.3 --recv 5000 --close first
	srv_wait || return 1
	await_json 2 ".event == \"close\" and (.lport == $SRV_PORT or .rport == $SRV_PORT)" ||
		return 1
	trace_stop || return 1
	srv_line=$(conns s)
	sums "$CLI_OUT" $A4 300000 5000 || return 1
	sums "$srv_line" $B4 5000 300000 || return 1
	n=$(json_count "$(this_end "$CLI_OUT" $A4) and .at == \"interval\" and
		.tx_bytes_delta > 0")
	[ "$n" -ge 2 ] || fail "client's bytes seen moving in $n intervals, want 2 or more" ||
		return 1
	n=$(json_count "$(this_end "$CLI_OUT" $A4) and .event == \"open\"")
	expect_json "$n" "$(this_end "$CLI_OUT" $A4) and .event == \"open\"" \
		".at == \"interval\" and .pid == $(peer_field "$CLI_OUT" pid) and
		.comm == \"ttpeer\" and .owner_source == \"syscall\" and .duration_ns > 0 and
		(.state == \"ESTABLISHED\" or .state == \"FIN_WAIT1\" or .state == \"FIN_WAIT2\") and
		.srtt_us > 0" || return 1
	n=$(json_count "$(this_end "$srv_line" $B4) and .event == \"open\"")
	expect_json "$n" "$(this_end "$srv_line" $B4) and .event == \"open\"" \
		"((.pid == $SRV_PID and .comm == \"ttpeer\" and .owner_source == \"syscall\") or
		(.pid == null and .comm == null and .owner_source == null)) and
		.raddr == \"$A4\"" || return 1
	# without an owner only while in the accept queue: before the accept, never after
	owners=$(jq -n -r "[inputs | select($(this_end "$srv_line" $B4) and .event == \"open\") |
		if .pid == null then \"-\" else \"o\" end] | join(\"\")" "$TRACE_OUT")
	[[ $owners =~ ^-*o+$ ]] ||
		fail "the server end's owner by record ('-' none, 'o' the server): $owners" || return 1
	expect_json 0 ".at == \"start\" and (.lport == $SRV_PORT or .rport == $SRV_PORT)"
}

# The nested twin (probes/nested.bpf.h) where the kernel skips a tp_btf
# program on a CPU where it already runs, and only there: the check came
# with bpf_prog_inc_misses_counter(), found here in the kernel's BTF by
# bpftool; a kernel without it (5.10) runs the program nested in itself.
t_nested_twin_where_the_kernel_skips_nested_runs() {
	local id names="" skips
	trace_start l life --json || return 1
	for id in $TRACE_PROGS; do
		names="$names $(bpftool prog show id "$id" -j | jq -r .name) "
	done
	trace_stop || return 1
	skips=$(bpftool btf dump file /sys/kernel/btf/vmlinux |
		grep -c "FUNC 'bpf_prog_inc_misses_counter'")
	if ! grep -q "attaching via .*tp_btf/inet_sock_set_state" "$TRACE_ERR"; then
		[[ $names != *tt_life_btf* ]] || fail "tp_btf programs without tp_btf: $names"
		return
	fi
	if [ "$skips" -ge 1 ]; then
		[[ $names == *" tt_life_btf "* && $names == *" tt_life_btf_nes"* ]] ||
			fail "the kernel skips nested runs, programs: $names"
	else
		[[ $names == *" tt_life_btf "* && $names != *tt_life_btf_nes* ]] ||
			fail "the kernel runs nested programs, programs: $names"
	fi
}

# 600 sessions born while tracing and a ring buffer that holds about twenty
# records a quarter: the walk writes them in parts, reading the ring buffer
# between them (tt_life_open_walk: the entries it wrote carry the walk's
# number; kernels before bpf_for_each_map_elem() run batches of keys), and
# each session is in each walk once, none lost, none twice.
t_open_walk_in_parts_reports_each_session_once() {
	local walks
	trace_start l life --interval 0.5 --open --json --buffer-size 16 || return 1
	srv s "$NS_B" $B4 0 --backlog 4096 --count 300 --hold 120
	at_exit "kill $SRV_JOB 2>/dev/null"
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --count 300 --hold 120 \
		>"$WORK/c.out" &
	at_exit "kill $! 2>/dev/null"
	for _ in $(seq 1 300); do
		[ "$(grep -c '^conn ' "$WORK/c.out")" = 300 ] && [ "$(conns s | wc -l)" = 300 ] &&
			break
		sleep 0.1
	done
	expect_eq "connections" "$(grep -c '^conn ' "$WORK/c.out") $(conns s | wc -l)" \
		"300 300" || return 1
	# two interval walks with every session accepted
	sleep 1.2
	trace_stop || return 1
	expect_json 0 '.event == "lost" or .event == "missed"' || return 1
	expect_json 600 ".event == \"open\" and .at == \"exit\" and
		(.lport == $SRV_PORT or .rport == $SRV_PORT)" \
		"((.rport == $SRV_PORT and .pid == $(peer_field "$(head -n 1 "$WORK/c.out")" pid) and
		.laddr == \"$A4\" and .raddr == \"$B4\") or (.lport == $SRV_PORT and
		.pid == $SRV_PID and .laddr == \"$B4\" and .raddr == \"$A4\")) and
		.comm == \"ttpeer\" and .owner_source == \"syscall\" and .tx_bytes == 0 and
		.rx_bytes == 0 and .state == \"ESTABLISHED\" and .duration_ns > 0" || return 1
	expect_eq "sessions in the exit walk" "$(jq -r "select(.at == \"exit\") |
		\"\(.lport) \(.rport)\"" "$TRACE_OUT" | sort -u | wc -l)" 600 || return 1
	# the interval walks (records 0.1 s apart or more start a new one): a
	# session at most once in each, every one in the walks after the last
	# connection was accepted
	walks=$(jq -r "select(.at == \"interval\" and (.lport == $SRV_PORT or
		.rport == $SRV_PORT)) | \"\(.time[11:29]) \(.lport) \(.rport)\"" "$TRACE_OUT" |
		awk '{ split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
			if (NR == 1 || s - last > 0.1) { w++; n[w] = 0 }
			last = s; if (seen[w, $2, $3]++) dup++; n[w]++ }
			END { for (i = 1; i <= w; i++) printf "%d ", n[i]; print "dup=" dup + 0 }')
	[[ $walks =~ 600\ .*dup=0$ ]] ||
		fail "sessions per interval walk: $walks (want 600 in the last, none twice)" ||
		return 1
}

# --open without --interval: no interval records; a session still open when
# the tracer stops gets its exit record (born while tracing: its owner, its
# duration so far), and -L keeps the server's end only.
t_open_exit_record_and_filter() {
	local port
	port=$(rand_port)
	trace_start l life --open --json -L "$port" || return 1
	srv s "$NS_B" $B4 "$port" --recv 1000 --close last
	held_client "$NS_A" $B4 --send 1000 || return 1
	ss_settled "$NS_B" "$SRV_PORT" bytes_received:1000 || return 1
	trace_stop || return 1
	expect_json 1 ".event == \"open\"" ".at == \"exit\" and .lport == $SRV_PORT and
		.pid == $SRV_PID and .comm == \"ttpeer\" and .owner_source == \"syscall\" and
		.tx_bytes == 0 and .rx_bytes == 1000 and .rx_bytes_delta == 1000 and
		.duration_ns > 0 and .state == \"ESTABLISHED\" and .raddr == \"$A4\"" || return 1
	expect_json 0 ".rport == $SRV_PORT"
}

# A network namespace created after tracing started: its sessions are in
# the interval records like any other (the owners map knows every namespace).
t_open_namespace_created_while_tracing() {
	local ns=tt-late-$$-$RANDOM cli_line srv_line
	trace_start l life --interval 0.2 --json || return 1
	ip netns add "$ns" || return 1
	at_exit "ip netns del $ns 2>/dev/null"
	ip -n "$ns" link set lo up || return 1
	srv s "$ns" 127.0.0.1 0 --recv 500 --close last
	held_client "$ns" 127.0.0.1 --send 500 || return 1
	cli_line=$HELD_LINE
	await_json 2 "$(this_end "$cli_line" 127.0.0.1) and .at == \"interval\" and
		.tx_bytes == 500" || return 1
	close_held || return 1
	srv_line=$SRV_LINE
	local n
	n=$(json_count "$(this_end "$cli_line" 127.0.0.1) and .at == \"interval\"")
	expect_json "$n" "$(this_end "$cli_line" 127.0.0.1) and .at == \"interval\"" \
		".pid == $(peer_field "$cli_line" pid) and .owner_source == \"syscall\" and
		.raddr == \"127.0.0.1\" and .rx_bytes == 0 and .duration_ns > 0" || return 1
	n=$(json_count "$(this_end "$srv_line" 127.0.0.1) and .at == \"interval\" and
		.pid == $SRV_PID and .owner_source == \"syscall\" and .rx_bytes == 500")
	[ "$n" -ge 1 ] || fail "no interval record of the server's end" || return 1
	sums "$cli_line" 127.0.0.1 500 0
}

# --open in the table: the AT column first, a start and an exit row of a
# session held open before and after the tracer, bcc's columns after it.
t_open_table_output() {
	plan_independent
	local cli_line pid lport
	srv s "$NS_B" $B4 0 --recv 3000 --close last
	held_client "$NS_A" $B4 --send 3000 || return 1
	cli_line=$HELD_LINE
	ss_settled "$NS_B" "$SRV_PORT" bytes_received:3000 || return 1
	trace_start l life --open || return 1
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"AT       PID   COMM       LADDR           LPORT RADDR           RPORT TX_KB RX_KB MS" ||
		return 1
	pid=$(peer_field "$cli_line" pid)
	lport=$(peer_field "$cli_line" lport)
	for at in start exit; do
		grep -Eq "^$at +$pid +ttpeer +$A4 +$lport +$B4 +$SRV_PORT +2 +0 -\$" "$TRACE_OUT" ||
			fail "no $at row of the client: $(cat "$TRACE_OUT")" || return 1
		grep -Eq "^$at +$SRV_PID +ttpeer +$B4 +$SRV_PORT +$A4 +$lport +0 +2 -\$" \
			"$TRACE_OUT" || fail "no $at row of the server: $(cat "$TRACE_OUT")" || return 1
	done
}

# --cgroup on sessions opened before tracing: the one holder's cgroup at
# start decides; the server's end (its holder outside) is left out.
t_open_cgroup_filter_predating() {
	plan_independent # the holder's cgroup is read from /proc in user space
	local cg cli cli_line
	cg=$(cgroup2_root)/tt-life-open-$$ || return 1
	mkdir "$cg" || return 1
	at_exit "rmdir $cg 2>/dev/null; mountpoint -q $WORK/cgroup2 && umount $WORK/cgroup2"
	srv s "$NS_B" $B4 0 --count 2 --close last
	bash -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $PEER client $B4 \
		$SRV_PORT --hold 60" >"$WORK/cli.out" &
	cli=$!
	at_exit "kill $cli 2>/dev/null"
	conn_wait "$WORK/cli.out" || return 1
	held_client "$NS_A" $B4 || return 1 # the other one, outside the cgroup
	cli_line=$(grep '^conn ' "$WORK/cli.out")
	trace_start l life --open --json --cgroup "$cg" || return 1
	trace_stop || return 1
	expect_json 1 ".event == \"open\" and .at == \"start\" and .rport == $SRV_PORT" \
		"$(this_end "$cli_line" $A4) and .pid == $(peer_field "$cli_line" pid) and
		.owner_source == \"fd\"" || return 1
	expect_json 0 ".lport == $SRV_PORT"
}

# -d on open records: the name a session was opened from is on each of its
# interval records, and still on its close.
t_dns_name_on_open_records() {
	plan_independent # the name's path is the close's, checked in every cell
	dns_serve "$NS_A" $DNS open.tt.test=A:$B4 || return 1
	srv s "$NS_B" $B4 0 --close last
	trace_start l life --interval 0.2 --json -d || return 1
	ip netns exec "$NS_A" "$TTDNS" resolve --server $DNS open.tt.test --connect "$SRV_PORT" \
		--hold 1 >"$WORK/open.out" || fail "resolve and connect failed" || return 1
	srv_wait || return 1
	await_port 2 "$SRV_PORT"
	trace_stop || return 1
	local held n
	held=$(grep '^conn ' "$WORK/open.out")
	n=$(json_count ".event == \"open\" and .lport == $(peer_field "$held" lport)")
	[ "$n" -ge 2 ] || fail "$n open records of the session, want 2 or more" || return 1
	expect_json "$n" ".event == \"open\" and .lport == $(peer_field "$held" lport)" \
		".query == \"open.tt.test\" and .pid == $(peer_field "$held" pid)" || return 1
	expect_json 1 ".event == \"close\" and .lport == $(peer_field "$held" lport)" \
		".query == \"open.tt.test\""
}
