# shellcheck shell=bash
# Shared helpers of the integration tests: the test hosts (two network
# namespaces joined by veth, 198.18.0.0/15 and 2001:db8::/32 only), starting
# and stopping the tracer, and assertions over its JSON output.
#
# A test file defines functions named t_*; run.sh sources this file and the
# test file, then runs each t_* function in its own subshell.

BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build" && pwd)}
TT=${TT:-$BUILD/tcptrace}
PEER=${PEER:-$BUILD/ttpeer}
NS_A=tt-a-$$
NS_B=tt-b-$$
A4=198.18.0.1
B4=198.18.0.2
A6=2001:db8::1
B6=2001:db8::2
WORK=${WORK:-$(mktemp -d /tmp/tt-test.XXXXXX)}

# A port number unlikely to be used by anything else tracing or connecting on
# this host at the same time (tests of other runs may use the same addresses).
rand_port() {
	echo $((20000 + RANDOM % 30000))
}

fail() {
	echo "    FAIL: $*" >&2
	return 1
}

# TT_GUEST is set (to the kernel release) when the tests run inside the qemu
# guest of test/kernels/matrix.sh, a kernel where every attach plan works.
# host_only WHY: the first line of a test that asserts a fact of the host's
# kernel (see DESIGN.md); in the guest the test is skipped, saying WHY.
host_only() {
	[ -z "${TT_GUEST:-}" ] && return 0
	echo "    host only: $*" >&2
	exit 77
}

# every_variant: whether a test checks every variant of an option here. The
# variants (one port, a list, a range; -4 and -6) differ in what user space
# makes of the option, not in the kernel side, which is one filter whatever
# the plan. So in the guest the first plan's cell ($TT_MATRIX_PLAN, see
# plan_independent) checks them all and the other cells one, which is what
# proves that their hooks apply the filter.
every_variant() {
	[ -z "${TT_GUEST:-}" ] || [ "${TT_ATTACH:-}" = "${TT_MATRIX_PLAN:-fentry}" ]
}

# plan_independent: the first line of a test that the attach plan cannot
# change: it starts the tracer itself, without trace_start (so TT_ATTACH does
# not reach it), or checks only what user space does with the events
# (rendering, argv[0] dispatch), which every plan's cell checks field by
# field in JSON. In the guest it runs in one cell, that of $TT_MATRIX_PLAN
# (matrix.sh's first plan), and is skipped in the others.
plan_independent() {
	every_variant && return 0
	echo "    plan-independent: checked in the ${TT_MATRIX_PLAN:-fentry} cell" >&2
	exit 77
}

# Both namespaces, their loopbacks, and a veth pair between them: three runs
# of ip, not ten (in the qemu guest of test/kernels each one costs 0.05 s).
netns_up() {
	# The two ends get different ifindexes. In fresh namespaces both would
	# be 2, and 6.1's linkwatch_urgent_event() tells a stacked device by its
	# link's index (the peer's) differing from its own: with equal ones the
	# carrier-on is not urgent and waits for linkwatch's next once-a-second
	# run (0.7-1.2 s a test in the guest, 0.1 s with distinct indexes; the
	# host's 6.18 does not wait). 6.1 also wants the first index free in
	# this namespace: if it is taken, the pair is made without indexes.
	local ia=$((1000 + $$ % 30000)) pair
	pair="tta$$ index $ia netns $NS_A type veth peer name ttb$$ index $((ia + 30000)) netns $NS_B"
	printf '%s\n' "netns add $NS_A" "netns add $NS_B" "link add $pair" | ip -b - 2>/dev/null ||
		ip link add tta$$ netns "$NS_A" type veth peer name ttb$$ netns "$NS_B" || return 1
	printf '%s\n' "link set lo up" "addr add $A4/24 dev tta$$" "addr add $A6/64 dev tta$$ nodad" \
		"link set tta$$ up" | ip -n "$NS_A" -b - &&
		printf '%s\n' "link set lo up" "addr add $B4/24 dev ttb$$" "addr add $B6/64 dev ttb$$ nodad" \
			"link set ttb$$ up" | ip -n "$NS_B" -b - || return 1
	# Until the kernel sees the veth carrier (linkwatch) the device drops
	# what it is given: a first SYN would be retransmitted 1 s later, and
	# every latency measured with it.
	local _
	for _ in $(seq 1 100); do
		ip -n "$NS_A" -o link show dev tta$$ | grep -q 'state UP' &&
			ip -n "$NS_B" -o link show dev ttb$$ | grep -q 'state UP' && return 0
		sleep 0.02
	done
	fail "the test link did not come up"
}

# Ends what still runs in the namespaces (servers of a failed test, DNS
# responders), then removes them and their /etc/netns files.
netns_down() {
	local pids
	pids=$({ ip netns pids "$NS_A"; ip netns pids "$NS_B"; } 2>/dev/null)
	[ -z "$pids" ] || kill $pids 2>/dev/null
	printf '%s\n' "netns del $NS_A" "netns del $NS_B" | ip -force -b - 2>/dev/null
	rm -rf "/etc/netns/$NS_A" "/etc/netns/$NS_B"
	true
}

# in_ns NS CMD...: CMD in network namespace NS, by nsenter: `ip netns exec`
# also remounts /sys in a mount namespace of its own, 0.1-0.2 s a run in the
# qemu guest against 0.02 s (CMD keeps the pid, as with ip netns exec).
in_ns() { nsenter --net="/run/netns/$1" "${@:2}"; }
in_a() { in_ns "$NS_A" "$@"; }
in_b() { in_ns "$NS_B" "$@"; }

# BPF tracing must work here; in CI a test that cannot run fails.
require_bpf() {
	local why=""
	if [ "$(id -u)" != 0 ]; then
		why="not root"
	elif [ ! -r /sys/kernel/btf/vmlinux ]; then
		why="no kernel BTF"
	fi
	[ -z "$why" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "BPF tests cannot run: $why (CI=true: failing, not skipping)" >&2
		exit 1
	fi
	echo "SKIP: BPF tests need root and kernel BTF: $why" >&2
	exit 77
}

# trace_start NAME MODE [ARGS...]: the tracer in the background writing
# $WORK/NAME.out and .err; returns once it reports being attached.
trace_start() {
	local name=$1 i
	shift
	TRACE_OUT=$WORK/$name.out
	TRACE_ERR=$WORK/$name.err
	# Emptied here, not by the child's redirections: the wait below must not
	# see a previous run's "attached".
	: >"$TRACE_OUT"
	: >"$TRACE_ERR"
	"$TT" "$@" ${TT_ATTACH:+--attach=$TT_ATTACH} -v >"$TRACE_OUT" 2>"$TRACE_ERR" &
	TRACE_PID=$!
	for i in $(seq 1 200); do
		if grep -q ': attached$' "$TRACE_ERR" 2>/dev/null; then
			TRACE_PROGS=$(tracer_progs "$TRACE_PID")
			# A forced plan is the one in use (the matrix's columns rely on it).
			[ -z "${TT_ATTACH:-}" ] || grep -q ": attaching via $TT_ATTACH: " "$TRACE_ERR" ||
				fail "--attach=$TT_ATTACH not in use: $(cat "$TRACE_ERR")"
			return
		fi
		if ! kill -0 "$TRACE_PID" 2>/dev/null; then
			fail "tracer exited before attaching: $(tail -n 3 "$TRACE_ERR")"
			return 1
		fi
		sleep 0.05
	done
	fail "tracer did not attach within 10 s"
}

# trace_stop [SIGNAL]: stops the tracer (SIGINT by default); TRACE_RC is its status.
trace_stop() {
	local sig=${1:-INT}
	sleep 0.2 # more than one poll period: everything emitted is drained
	kill -"$sig" "$TRACE_PID" 2>/dev/null
	wait "$TRACE_PID"
	TRACE_RC=$?
	if [ "$TRACE_RC" != 0 ]; then
		fail "tracer exited $TRACE_RC: $(tail -n 3 "$TRACE_ERR")"
		return 1
	fi
}

# srv NAME NS ADDR PORT [ARGS]: a ttpeer server (PORT 0: an ephemeral one)
# writing $WORK/NAME.srv; sets SRV_PORT and SRV_PID (from its ready file) and
# SRV_JOB (to wait for).
srv() {
	local name=$1 ns=$2 addr=$3 port=$4 ready=$WORK/$1.ready
	shift 4
	rm -f "$ready" # a server of the same name earlier in the test
	${CG_DIR:+in_cgroup} ${CG_DIR:+"$CG_DIR"} in_ns "$ns" "$PEER" server "$addr" "$port" \
		--ready "$ready" "$@" >"$WORK/$name.srv" &
	SRV_JOB=$!
	for _ in $(seq 1 100); do
		[ -f "$ready" ] && break
		sleep 0.02
	done
	SRV_PORT=$(peer_field "$(cat "$ready" 2>/dev/null)" port)
	SRV_PID=$(peer_field "$(cat "$ready" 2>/dev/null)" pid)
	[ -n "$SRV_PORT" ] || fail "server $name did not start"
}

# conns NAME: the connections server NAME accepted, one "conn ..." line each.
conns() {
	grep '^conn ' "$WORK/$1.srv"
}

# client NS ADDR PORT [ARGS]: a ttpeer client; CLI_OUT holds its lines.
# With CG_DIR set (srv too), the peer runs in that cgroup v2 directory.
client() {
	local ns=$1
	shift
	CLI_OUT=$(${CG_DIR:+in_cgroup} ${CG_DIR:+"$CG_DIR"} in_ns "$ns" "$PEER" client "$@")
}

# at_exit CMD: run CMD (eval) when the test ends, however it ends (run.sh's
# EXIT trap calls run_at_exit first), last registered first.
AT_EXIT=()
at_exit() {
	AT_EXIT=("$*" "${AT_EXIT[@]}")
}

run_at_exit() {
	local cmd
	for cmd in "${AT_EXIT[@]}"; do
		eval "$cmd"
	done
	AT_EXIT=()
}

# in_cgroup DIR CMD...: moves the shell it runs in into the cgroup v2
# directory DIR, then runs CMD: a function, or a command it execs (so $! of
# `in_cgroup DIR CMD &` is CMD's pid). Only in a subshell, `$(...)` or
# `... &`, never in the test's own shell.
in_cgroup() {
	echo "$BASHPID" >"$1/cgroup.procs" || return 1
	[ "$(type -t "$2")" = function ] && { "${@:2}"; return; }
	exec "${@:2}"
}

# cgroup2_root: where cgroup v2 is mounted; it may be the root (unified) or one of several mounts (hybrid).
cgroup2_root() {
	local root
	root=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
	if [ -z "$root" ]; then
		root=$WORK/cgroup2
		mkdir -p "$root" && mount -t cgroup2 none "$root" || return 1
	fi
	echo "$root"
}

# peer_field LINE KEY: the value of KEY=... in one line of ttpeer output.
peer_field() {
	sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" <<<"$1"
}

# json_count FILTER: number of JSON lines of the trace matching a jq filter.
json_count() {
	jq -c "select($1)" "$TRACE_OUT" | wc -l
}

# expect_json N FILTER [ALSO]: exactly N events match FILTER and, with ALSO,
# exactly N match both: which events a check is about, then every field of
# them. One run of jq for both (each run costs 0.2-0.3 s in the qemu guest).
expect_json() {
	local got n m
	got=$(jq -n -r "[inputs] | [(map(select($2)) | length),
		(map(select(($2) and (${3:-true}))) | length)] | @tsv" "$TRACE_OUT")
	n=${got%%$'\t'*} m=${got##*$'\t'}
	[ "$n" = "$1" ] || fail "expected $1 event(s) matching $2, got ${n:-none}; trace:
$(cat "$TRACE_OUT")" || return 1
	[ "$m" = "$1" ] || fail "expected $1 event(s) matching $2 and ${3:-true}, got $m; trace:
$(cat "$TRACE_OUT")"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] && return 0
	fail "$1: got '$2', want '$3'"
}

# tracer_progs PID: ids of the BPF programs a process holds.
tracer_progs() {
	grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u
}

# The programs the last tracer held are gone (other tracers may run).
expect_no_progs() {
	local id left="" i
	[ -n "${TRACE_PROGS:-}" ] || fail "no BPF programs were seen while tracing" || return 1
	# The kernel frees a program after its last link, asynchronously (a raw
	# tracepoint's link waits for an RCU grace period): allow it 2 s.
	for i in $(seq 1 20); do
		left=""
		for id in $TRACE_PROGS; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	expect_eq "BPF programs left after exit" "$left" ""
}

# kernel_before MAJOR MINOR: the running kernel is older than MAJOR.MINOR.
kernel_before() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	min=${min%%[!0-9]*}
	[ "$maj" -lt "$1" ] || { [ "$maj" = "$1" ] && [ "$min" -lt "$2" ]; }
}

# ",sys_resource" where BPF memory counts against a finite RLIMIT_MEMLOCK
# (kernels before 5.11; tcptrace(8) PRIVILEGES): a tracer with only CAP_BPF
# and CAP_PERFMON cannot load there, and the capability list of a check
# that expects it to gets this added. Else nothing.
MEMLOCK_WHY="before Linux 5.11, where BPF memory counts against RLIMIT_MEMLOCK, or ulimit -l unlimited"
memlock_cap() {
	if kernel_before 5 11 && [ "$(ulimit -H -l)" != unlimited ]; then
		echo ,sys_resource
	fi
}

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
