# shellcheck shell=bash
# tcptrace accept against real connections between two network namespaces
# and on loopback: every field of every event is checked against what the
# accepting peer itself reports (pid, ports), the addresses the test assigned
# and the listen() backlog it asked for.

source "$(dirname "${BASH_SOURCE[0]}")/lib-containers.sh"

# check_accept LINE FAMILY LADDR RADDR BACKLOG BACKLOG_MAX [UID]: the one
# event of the connection the server printed as LINE.
check_accept() {
	local line=$1 pid lport rport
	pid=$(peer_field "$line" pid)
	lport=$(peer_field "$line" lport)
	rport=$(peer_field "$line" rport)
	[ -n "$pid" ] && [ -n "$rport" ] || fail "not a server connection line: '$line'" || return 1
	expect_json 1 ".laddr == \"$3\" and .lport == $lport and .rport == $rport" "
		.event == \"accept\" and .pid == $pid and .comm == \"ttpeer\" and
		.uid == ${7:-0} and .family == $2 and .raddr == \"$4\" and
		.backlog == $5 and .backlog_max == $6 and
		(.time | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\\\.[0-9]{9}Z$\"))"
}

t_ipv4_between_namespaces() {
	srv s "$NS_B" $B4 0
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	# The accepting process, never the client's (bcc #2304).
	expect_json 0 ".pid == $(peer_field "$CLI_OUT" pid)" || return 1
	expect_eq "client port" "$(peer_field "$(conns s)" rport)" "$(peer_field "$CLI_OUT" lport)" ||
		return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128 || return 1
	expect_no_progs
}

t_ipv6_between_namespaces() {
	srv s "$NS_B" $B6 0 --backlog 7
	trace_start a accept --json || return 1
	client "$NS_A" $B6 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 6 $B6 $A6 0 7
}

t_ipv4_client_on_dual_stack_listener() {
	srv s "$NS_B" :: 0 --v6only 0
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 6 ::ffff:$B4 ::ffff:$A4 0 128
}

t_loopback_both_families() {
	srv s4 "$NS_A" 127.0.0.1 0
	local job4=$SRV_JOB
	srv s6 "$NS_A" ::1 0
	trace_start a accept --json || return 1
	client "$NS_A" 127.0.0.1 "$(peer_field "$(cat "$WORK/s4.ready")" port)"
	client "$NS_A" ::1 "$SRV_PORT"
	wait $job4 $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s4)" 4 127.0.0.1 127.0.0.1 0 128 || return 1
	check_accept "$(conns s6)" 6 ::1 ::1 0 128
}

# Four connections wait in the queue of listen(fd, 16), then are accepted one
# by one: each accept sees what it left behind.
t_backlog_sequence() {
	srv s "$NS_B" $B4 0 --backlog 16 --count 4 --gate "$WORK/go"
	trace_start a accept --json || return 1
	ip netns exec "$NS_A" "$PEER" client $B4 "$SRV_PORT" --count 4 --hold 2 >"$WORK/cli.out" &
	local cli=$! queued=
	for _ in $(seq 1 100); do
		queued=$(ip netns exec "$NS_B" ss -Hltn "sport = :$SRV_PORT" | awk '{print $2}')
		[ "$queued" = 4 ] && break
		sleep 0.02
	done
	expect_eq "connections queued before the first accept" "$queued" 4 || return 1
	touch "$WORK/go"
	wait $SRV_JOB $cli
	trace_stop || return 1
	local want=3
	while read -r line; do
		check_accept "$line" 4 $B4 $A4 $want 16 || return 1
		want=$((want - 1))
	done < <(conns s)
	expect_eq "connections accepted" $want -1 || return 1
	# In the order the server accepted them.
	expect_eq "BL sequence" "$(jq -r "select(.pid == $SRV_PID) | .backlog" "$TRACE_OUT" |
		tr '\n' ' ')" "3 2 1 0 "
}

# The max is the listen() backlog capped by the namespace's net.core.somaxconn.
t_backlog_max_capped_by_somaxconn() {
	in_b sh -c 'echo 64 >/proc/sys/net/core/somaxconn' || return 1
	srv s "$NS_B" $B4 0 --backlog 100000
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 64
}

t_accept4() {
	srv s "$NS_B" $B4 0 --accept4 --count 2
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	# the second connects once the first is accepted: its queue is then empty
	# (on a loaded machine the server may accept late: BL 1/128 for the first)
	for _ in $(seq 1 100); do
		[ "$(conns s | wc -l)" -ge 1 ] && break
		sleep 0.05
	done
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	expect_json 2 ".pid == $SRV_PID" || return 1
	while read -r line; do
		check_accept "$line" 4 $B4 $A4 0 128 || return 1
	done < <(conns s)
}

# A non-blocking accept with nothing queued fails with EAGAIN: no event for
# it, one for the blocking accept that follows.
t_eagain_is_not_an_accept() {
	srv s "$NS_B" $B4 0 --eagain --gate "$WORK/go"
	trace_start a accept --json || return 1
	touch "$WORK/go"
	sleep 0.2
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	grep -qx 'eagain ok' "$WORK/s.srv" || fail "the server saw no EAGAIN: $(cat "$WORK/s.srv")" ||
		return 1
	expect_json 1 ".pid == $SRV_PID" || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128
}

# The server is asleep in accept() before the tracer starts; the accept is
# reported when it returns.
t_accept_blocked_before_tracing() {
	local nr= want
	case $(uname -m) in
	x86_64) want=43 ;;
	aarch64) want=202 ;;
	*) fail "accept(2) syscall number unknown on $(uname -m)"; return 1 ;;
	esac
	srv s "$NS_B" $B4 0
	for _ in $(seq 1 100); do
		nr=$(cut -d' ' -f1 "/proc/$SRV_PID/syscall" 2>/dev/null)
		[ "$nr" = "$want" ] && break
		sleep 0.02
	done
	expect_eq "server blocked in accept(2)" "$nr" "$want" || return 1
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128
}

t_filter_pid() {
	srv s1 "$NS_B" $B4 0
	local pid1=$SRV_PID port1=$SRV_PORT job1=$SRV_JOB
	srv s2 "$NS_B" $B4 0
	trace_start a accept --json -p "$pid1" || return 1
	client "$NS_A" $B4 "$port1"
	client "$NS_A" $B4 "$SRV_PORT"
	wait $job1 $SRV_JOB
	trace_stop || return 1
	expect_json 0 ".pid == $SRV_PID" || return 1
	expect_json 1 'true' || return 1
	check_accept "$(conns s1)" 4 $B4 $A4 0 128
}

t_filter_uid() {
	local dir=$WORK/nobody
	# The unprivileged server writes its ready file here.
	chmod o+x "$WORK" && mkdir "$dir" && chmod 777 "$dir" || return 1
	srv root "$NS_B" $B4 0
	local root_pid=$SRV_PID root_port=$SRV_PORT root_job=$SRV_JOB
	ip netns exec "$NS_B" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PEER" server $B4 0 --ready "$dir/ready" >"$WORK/nobody.srv" &
	local job=$!
	for _ in $(seq 1 100); do
		[ -f "$dir/ready" ] && break
		sleep 0.02
	done
	local port
	port=$(peer_field "$(cat "$dir/ready")" port)
	trace_start a accept --json -u 65534 || return 1
	client "$NS_A" $B4 "$root_port"
	client "$NS_A" $B4 "$port"
	wait $root_job $job
	trace_stop || return 1
	expect_json 0 ".pid == $root_pid" || return 1
	check_accept "$(conns nobody)" 4 $B4 $A4 0 128 65534
}

# -P selects local ports: one, a list, ranges.
t_filter_ports_single_list_range() {
	local ports=(7101 7102 7203 7300) spec p i n=0
	local specs=("7101:1 0 0 0" "7101,7203:1 0 1 0" "7100-7150,7300:1 1 0 1")
	every_variant || specs=("${specs[2]}")
	for spec in "${specs[@]}"; do
		n=$((n + 1))
		local want=(${spec#*:}) jobs=()
		for p in "${ports[@]}"; do
			srv "s$p" "$NS_B" $B4 $p
			jobs+=("$SRV_JOB")
		done
		# A fresh name per run: trace_start waits for this file to say "attached".
		trace_start "a$n" accept --json -P "${spec%%:*}" || return 1
		for p in "${ports[@]}"; do
			client "$NS_A" $B4 $p
		done
		wait "${jobs[@]}"
		trace_stop || return 1
		for i in 0 1 2 3; do
			p=${ports[$i]}
			expect_json "${want[$i]}" ".lport == $p and .pid == $(peer_field "$(conns "s$p")" pid)" ||
				return 1
			[ "${want[$i]}" = 0 ] || check_accept "$(conns "s$p")" 4 $B4 $A4 0 128 || return 1
		done
	done
}

t_filter_family() {
	srv s4 "$NS_B" $B4 0
	local job4=$SRV_JOB port4=$SRV_PORT
	srv s6 "$NS_B" $B6 0
	trace_start a accept --json -6 || return 1
	client "$NS_A" $B4 "$port4"
	client "$NS_A" $B6 "$SRV_PORT"
	wait $job4 $SRV_JOB
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$(conns s4)" pid)" || return 1
	check_accept "$(conns s6)" 6 $B6 $A6 0 128 || return 1
	every_variant || return 0

	srv t4 "$NS_B" $B4 0
	job4=$SRV_JOB port4=$SRV_PORT
	srv t6 "$NS_B" $B6 0
	trace_start a4 accept --json -4 || return 1
	client "$NS_A" $B4 "$port4"
	client "$NS_A" $B6 "$SRV_PORT"
	wait $job4 $SRV_JOB
	trace_stop || return 1
	expect_json 0 ".pid == $(peer_field "$(conns t6)" pid)" || return 1
	check_accept "$(conns t4)" 4 $B4 $A4 0 128
}

t_filter_cgroup() {
	local cg rc
	cg=$(cgroup2_root)/tt-accept-$$ || return 1
	mkdir "$cg" || return 1
	srv out "$NS_B" $B4 0
	local out_job=$SRV_JOB out_port=$SRV_PORT out_pid=$SRV_PID
	bash -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_B $PEER server $B4 0 \
		--ready $WORK/in.ready" >"$WORK/in.srv" &
	local in_job=$!
	for _ in $(seq 1 100); do
		[ -f "$WORK/in.ready" ] && break
		sleep 0.02
	done
	trace_start a accept --json --cgroup "$cg" || { rmdir "$cg"; return 1; }
	client "$NS_A" $B4 "$out_port"
	client "$NS_A" $B4 "$(peer_field "$(cat "$WORK/in.ready")" port)"
	wait $out_job $in_job
	trace_stop
	rc=$?
	rmdir "$cg"
	[ $rc = 0 ] || return 1
	expect_json 0 ".pid == $out_pid" || return 1
	check_accept "$(conns in)" 4 $B4 $A4 0 128
}

# Count rows carry no pid: listen on ports no other test run is likely to use.
t_count_mode() {
	srv s1 "$NS_B" $B4 "$(rand_port)" --count 3
	local p1=$SRV_PORT j1=$SRV_JOB
	srv s2 "$NS_B" $B4 "$(rand_port)" --count 2
	local p2=$SRV_PORT j2=$SRV_JOB
	srv s3 "$NS_B" $B6 "$(rand_port)"
	trace_start a accept -c --json || return 1
	client "$NS_A" $B4 "$p1" --count 3
	client "$NS_A" $B4 "$p2" --count 2
	client "$NS_A" $B6 "$SRV_PORT"
	wait $j1 $j2 $SRV_JOB
	trace_stop || return 1
	# Other processes on the host may accept too: look at our listeners only.
	jq -c "select(.lport == $p1 or .lport == $p2 or .lport == $SRV_PORT)" "$TRACE_OUT" >"$WORK/rows"
	expect_eq "count rows" "$(cat "$WORK/rows")" \
"{\"family\":4,\"laddr\":\"$B4\",\"lport\":$p1,\"raddr\":\"$A4\",\"count\":3}
{\"family\":4,\"laddr\":\"$B4\",\"lport\":$p2,\"raddr\":\"$A4\",\"count\":2}
{\"family\":6,\"laddr\":\"$B6\",\"lport\":$SRV_PORT,\"raddr\":\"$A6\",\"count\":1}"
}

t_count_mode_table() {
	plan_independent
	srv s "$NS_B" $B4 "$(rand_port)" --count 2
	trace_start a accept -c || return 1
	client "$NS_A" $B4 "$SRV_PORT" --count 2
	wait $SRV_JOB
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"LADDR                     LPORT  RADDR                     ACCEPTS" || return 1
	grep -Eq "^$B4 +$SRV_PORT +$A4 +2\$" "$TRACE_OUT" || fail "no count row: $(cat "$TRACE_OUT")"
}

t_table_output() {
	plan_independent
	srv s "$NS_B" $B4 0 --backlog 9
	trace_start a accept -t -U || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME(s)   UID    PID     COMM         IP RADDR            RPORT LADDR            LPORT BL" ||
		return 1
	local c
	c=$(conns s)
	grep -Eq "^[0-9]+\\.[0-9]{3} +0 +$SRV_PID +ttpeer +4 +$A4 +$(peer_field "$c" rport) +$B4 +$SRV_PORT +0/9\$" \
		"$TRACE_OUT" || fail "no table row for pid $SRV_PID: $(cat "$TRACE_OUT")"
}

t_wall_clock_and_wide() {
	plan_independent
	srv s "$NS_B" $B6 0
	trace_start a accept -T -w || return 1
	client "$NS_A" $B6 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" \
		"TIME     PID     COMM         IP RADDR                                   RPORT LADDR                                   LPORT BL" ||
		return 1
	grep -Eq "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] +$SRV_PID +ttpeer +6 +$A6 +$(peer_field "$(conns s)" rport) +$B6 +$SRV_PORT +0/128\$" \
		"$TRACE_OUT" || fail "no table row: $(cat "$TRACE_OUT")"
}

t_csv_output() {
	plan_independent
	srv s "$NS_B" $B4 0
	trace_start a accept --csv -U || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	expect_eq "header" "$(head -n 1 "$TRACE_OUT")" "UID,PID,COMM,IP,RADDR,RPORT,LADDR,LPORT,BL" ||
		return 1
	local want
	want="0,$SRV_PID,ttpeer,4,$A4,$(peer_field "$(conns s)" rport),$B4,$SRV_PORT,0/128"
	grep -qx "$want" "$TRACE_OUT" || fail "no CSV row '$want': $(cat "$TRACE_OUT")"
}

t_symlink_dispatch() {
	plan_independent
	ln -s "$TT" "$WORK/tcpaccept"
	srv s "$NS_B" $B4 0
	TT=$WORK/tcpaccept trace_start a --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128
}

t_attach_methods() {
	host_only "asserts fentry and kprobe fail: the host kernel has neither"
	local err rc m
	for m in fentry kprobe; do
		err=$("$TT" accept --attach=$m 2>&1 >/dev/null)
		rc=$?
		expect_eq "$m exit" $rc 1 || return 1
		expect_eq "stderr lines" "$(wc -l <<<"$err")" 1 || return 1
		grep -q -- "--attach=$m" <<<"$err" || fail "unclear error: $err" || return 1
	done
	srv s "$NS_B" $B4 0
	trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	grep -q 'attaching via tracepoint: tracepoint syscalls:sys_exit_accept' "$TRACE_ERR" ||
		fail "-v does not name the plan: $(cat "$TRACE_ERR")" || return 1
	grep -q 'programs for this kernel: tt_accept_exit$' "$TRACE_ERR" ||
		fail "-v does not name the programs: $(cat "$TRACE_ERR")" || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128
}

t_usage_errors_exit_2() {
	plan_independent
	local args err rc
	for args in "-P 0" "-P 80-70" "-P 1,,2" "-p x" "-u -1" "-4 -6" "--json --csv" "extra"; do
		# shellcheck disable=SC2086
		err=$("$TT" accept $args 2>&1 >/dev/null)
		rc=$?
		expect_eq "'accept $args' exit" $rc 2 || return 1
		expect_eq "'accept $args' stderr lines" "$(wc -l <<<"$err")" 1 || return 1
	done
}

# --containers: the accepting task's cgroup, container and pod, every key:
# between namespaces a CRI-O container (systemd driver, conmon beside it),
# on loopback a Podman container (its processes in .scope/container).
t_containers_every_key() {
	local crio pod1 pod2 l1 l2
	ctr_init || return 1
	ctr_crio_systemd 1 shop || return 1
	crio=$CTR_DIR pod1=$CTR_COND
	ctr_podman 2 postgres || return 1
	CG_DIR=$crio srv s1 "$NS_B" $B4 0
	local p1=$SRV_PORT
	CG_DIR=$CTR_DIR srv s2 "$NS_A" 127.0.0.1 0
	local p2=$SRV_PORT j2=$SRV_JOB
	pod2=$CTR_COND
	trace_start a accept --json --containers --host-root "$HOST" || return 1
	client "$NS_A" $B4 "$p1"
	client "$NS_A" 127.0.0.1 "$p2"
	wait "$j2"
	trace_stop || return 1
	l1=$(conns s1) l2=$(conns s2)
	expect_json 1 ".lport == $p1 and .pid == $(peer_field "$l1" pid) and .event == \"accept\" and
		.comm == \"ttpeer\" and .laddr == \"$B4\" and .raddr == \"$A4\" and $pod1" || return 1
	expect_json 1 ".lport == $p2 and .pid == $(peer_field "$l2" pid) and .event == \"accept\" and
		.laddr == \"127.0.0.1\" and .raddr == \"127.0.0.1\" and $pod2" || return 1
	expect_json 2 ".lport == $p1 or .lport == $p2"
}

# Classic tracepoint programs refused (TCPTRACE_REFUSE, test-only:
# core/bpf/roles.c), the privilege probe's too: the run goes on, the syscall
# exit's twin on the raw sys_exit takes over, said once with its cost, and
# every field is still right.
t_sysexit_twin_when_exit_tracepoint_refused() {
	srv s "$NS_B" $B4 0
	TCPTRACE_REFUSE=tracepoint/ trace_start a accept --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	wait $SRV_JOB
	trace_stop || return 1
	check_accept "$(conns s)" 4 $B4 $A4 0 128 || return 1
	expect_json 1 '.event == "warning"' '.message | test("^(accepts \\(tracepoint plan\\)|accepts already blocked in accept\\(2\\) when tracing started): tt_accept_exit(_catchup)? \\(tracepoint/syscalls/sys_exit_accept\\) refused by the kernel \\(Operation not permitted \\(TCPTRACE_REFUSE\\)\\): tt_accept_exit(_catchup)?_sysexit instead; the raw sys_exit tracepoint runs at every system call.s exit \\(about 150 ns each\\)$")' ||
		return 1
	expect_no_progs
}
