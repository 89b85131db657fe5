#!/usr/bin/env bash
# Tracing-overhead benchmark for tcptrace: one command, one markdown table.
#
#   test/bench/bench.sh                       # 3 pairs of 3 s per tracer
#   test/bench/bench.sh --pairs 5 --duration 5
#   test/bench/bench.sh --smoke               # 1 pair of 1 s, tcptrace only; fails only on breakage
#
# For every tracer (tcptrace accept, connect, connect -d, life, life --json,
# each mode also with --containers, and, when installed, libbpf-tools'
# tcplife and a bpftrace tracepoint script) it runs
# the loadgen connection storm on loopback untraced and traced, interleaved
# (A B A B ...), and reports the median throughput of each and the median of
# the per-pair ratios, plus the tracer's BPF cost (from one more traced storm
# with kernel.bpf_stats_enabled set to 1; it is 0 for the pairs and restored
# at exit), lost events, CPU per 1,000 events, start to attached, peak RSS
# and binary size. Then a DNS reply flood (test/peer/ttdns in a private
# network namespace: a responder on port 53 and a client keeping 64 queries
# in flight), untraced and under tcptrace connect -d, interleaved: replies
# per second each way, replies tcptrace parsed and lost. Then idle sessions
# (test/peer/ttpeer in a private network namespace holding --idle sessions,
# both ends here): the CPU and peak memory of tcptrace life --interval 1
# --json with them open, for sessions opened before tracing (found by
# sock_diag at start, then walked in the owners map where adopted) and
# while tracing (the owners map). See docs/performance.md.
#
# Options:
#   --pairs N        untraced/traced pairs per tracer (default 3)
#   --duration S     measured seconds per storm run (default 3)
#   --warmup S       storm seconds before measuring (default 1)
#   --threads N      loadgen client threads (default 2)
#   --cpu LIST       pin the storm to these CPUs (default 1; "" = no pinning)
#   --port P         loadgen listener port (default 47311)
#   --build DIR      build directory with tcptrace and test/bench/loadgen
#                    (default $BUILD or <top>/build)
#   --only LIST      comma-separated tracer names (accept,connect,connect-dns,life,life-json,
#                    accept-minpriv,connect-minpriv,life-minpriv,tcplife,bpftrace) and dns-flood;
#                    accept-containers, connect-containers, life-containers,
#                    life-json-containers: the same with --containers
#   --out FILE       also write the table to FILE
#   --keep           keep the work directory (tracer output, logs)
#   --base DIR       also run every tcptrace tracer with DIR/tcptrace (another
#                    build, e.g. an older commit's), each right after the same
#                    tracer of this build: "before and after" in one run
#   --idle N         sessions held open for the idle-sessions rows (default
#                    10000: 5,000 connections, both ends traced); --only
#                    idle-sessions runs those rows alone
#   --smoke          --pairs 1 --duration 1 --warmup 0.5, tcptrace modes only,
#                    and check that every figure is present
# Needs root (BPF). Without root it skips (exit 0) unless CI=true.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
pairs=3
duration=3
warmup=1
threads=2
cpu=1
port=47311
build=${BUILD:-$top/build}
only=""
out=""
keep=0
base=""
smoke=0
idle=10000

die() { echo "bench: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--pairs) pairs=$2; shift ;;
	--duration) duration=$2; shift ;;
	--warmup) warmup=$2; shift ;;
	--threads) threads=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--port) port=$2; shift ;;
	--build) build=$2; shift ;;
	--only) only=$2; shift ;;
	--out) out=$2; shift ;;
	--keep) keep=1 ;;
	--base) base=$2; shift ;;
	--smoke) smoke=1 ;;
	--idle) idle=$2; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ $smoke = 1 ]; then
	pairs=1 duration=1 warmup=0.5 idle=1000
	[ -n "$only" ] || only=accept,connect,life,life-json,idle-sessions
fi
[[ $pairs =~ ^[1-9][0-9]*$ ]] || die "--pairs: a positive integer"
[[ $duration =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--duration: seconds"
[[ $warmup =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--warmup: seconds"
[[ $idle =~ ^[1-9][0-9]*$ ]] && [ $((idle % 2)) = 0 ] || die "--idle: an even number of sessions"

if [ "$(id -u)" != 0 ]; then
	[ "${CI:-}" = true ] && die "needs root (BPF)"
	echo "bench: skipped (needs root)"
	exit 0
fi
tt=$build/tcptrace
lg=$build/test/bench/loadgen
[ -x "$tt" ] || die "no $tt (build first, or --build DIR)"
[ -x "$lg" ] || die "no $lg (build with -DTCPTRACE_TESTS=ON)"
for c in jq bpftool strip; do
	command -v $c >/dev/null || die "$c is missing (test/deps.sh)"
done

work=$(mktemp -d /tmp/tcptrace-bench.XXXXXX)
stats_old=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo "")
tpid=""
exec {sleepfd}<> <(:) # read -t on this never returns data: a sleep without fork

nap() { read -rt "$1" -u $sleepfd _ 2>/dev/null || :; }

cleanup() {
	if [ -n "$tpid" ] && kill -0 "$tpid" 2>/dev/null; then
		kill -KILL "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
	fi
	[ -n "$stats_old" ] && echo "$stats_old" >/proc/sys/kernel/bpf_stats_enabled
	if [ $keep = 1 ]; then echo "bench: work directory $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tracers ----------------------------------------------------------------
# name | kind (tt = attach line on stderr, ext = first output line) | command
# External tools attach classic tracepoints through tracefs; when it is not
# mounted they get a private mount namespace with it mounted (nothing changes
# for the rest of the machine).
tracefs='mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; exec "$@"'
bt_script=$work/tcplife.bt
cat >"$bt_script" <<'EOF'
tracepoint:sock:inet_sock_set_state
{
	if (args->protocol != 6) { return; }
	if (args->newstate < 4 && @birth[args->skaddr] == 0) {
		@birth[args->skaddr] = nsecs;
	}
	if (args->newstate == 7) {
		$b = @birth[args->skaddr];
		printf("%d %s %s %d %s %d %d\n", pid, comm, ntop(args->saddr), args->sport,
		       ntop(args->daddr), args->dport, $b ? (nsecs - $b) / 1000 : 0);
		delete(@birth[args->skaddr]);
	}
}
EOF
names=() kinds=() cmds=() bins=()
add() { names+=("$1"); kinds+=("$2"); bins+=("$3"); shift 3; cmds+=("$*"); }
add accept tt "$tt" "$tt" accept -v
add connect tt "$tt" "$tt" connect -v
add connect-dns tt "$tt" "$tt" connect -d -v
add life tt "$tt" "$tt" life -v
add life-json tt "$tt" "$tt" life --json -v
# --containers (docs/containers.md): the same storms, each event attributed
add accept-containers tt "$tt" "$tt" accept --containers -v
add connect-containers tt "$tt" "$tt" connect --containers -v
add life-containers tt "$tt" "$tt" life --containers -v
add life-json-containers tt "$tt" "$tt" life --json --containers -v
# With exactly CAP_BPF and CAP_PERFMON (uid 0, bounding set limited): no
# tracefs, so the syscall-exit programs run on the raw sys_exit tracepoint.
minpriv="setpriv --inh-caps=-all,+bpf,+perfmon --bounding-set=-all,+bpf,+perfmon --"
add accept-minpriv tt "$tt" $minpriv "$tt" accept -v
add connect-minpriv tt "$tt" $minpriv "$tt" connect -v
add life-minpriv tt "$tt" $minpriv "$tt" life -v
tcplife_bin=$(command -v tcplife || ls /usr/sbin/tcplife 2>/dev/null || :)
[ -n "$tcplife_bin" ] && add tcplife ext "$tcplife_bin" "$tcplife_bin"
bpftrace_bin=$(command -v bpftrace || :)
[ -n "$bpftrace_bin" ] && add bpftrace ext "$bpftrace_bin" "$bpftrace_bin" "$bt_script"

# --base: each tcptrace tracer X followed by X@base, the same command with the base binary
if [ -n "$base" ]; then
	[ -x "$base/tcptrace" ] || die "no $base/tcptrace (--base DIR: a build directory)"
	n_=("${names[@]}") k_=("${kinds[@]}") b_=("${bins[@]}") c_=("${cmds[@]}")
	names=() kinds=() cmds=() bins=()
	for j in "${!n_[@]}"; do
		names+=("${n_[$j]}") kinds+=("${k_[$j]}") bins+=("${b_[$j]}") cmds+=("${c_[$j]}")
		[ "${b_[$j]}" = "$tt" ] || continue
		names+=("${n_[$j]}@base") kinds+=("${k_[$j]}") bins+=("$base/tcptrace")
		cmds+=("${c_[$j]//$tt/$base/tcptrace}")
	done
fi

selected() { [ -z "$only" ] || [[ ,$only, == *,${1%@base},* ]]; }

# --- helpers ----------------------------------------------------------------
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); } # µs → ms

attached() { # KIND OUT ERR: has the tracer said it is attached?
	local l
	if [ "$1" = tt ]; then
		[ -e "$3" ] || return 1
		while IFS= read -r l; do [[ $l == *": attached" ]] && return 0; done <"$3"
		return 1
	fi
	[ -s "$2" ]
}

prog_ids() { # PID → the BPF program ids it holds, one a line
	local f k v
	for f in /proc/"$1"/fdinfo/*; do
		while read -r k v; do [ "$k" = prog_id: ] && echo "$v"; done 2>/dev/null <"$f"
	done | sort -un
}

start_tracer() { # I OUT ERR [stdbuf]: starts tracer I, sets tpid and t0 (µs)
	local i=$1 o=$2 e=$3
	# shellcheck disable=SC2206
	local cmd=(${cmds[$i]})
	if [ "${kinds[$i]}" = ext ]; then
		[ "${4:-}" = stdbuf ] && cmd=(stdbuf -oL "${cmd[@]}")
		cmd=(unshare -m sh -c "$tracefs" sh "${cmd[@]}")
	else
		# a private mount namespace: tcptrace mounts tracefs itself when it
		# needs it and unmounts it at exit; other tracers on the machine
		# doing the same cannot pull it away mid-run
		cmd=(unshare -m "${cmd[@]}")
	fi
	t0=${EPOCHREALTIME/./}
	"${cmd[@]}" >"$o" 2>"$e" &
	tpid=$!
}

wait_attached() { # I OUT ERR [x output]: waits (≤ 20 s) for the attach; sets attach_ms
	local i=$1 t=${EPOCHREALTIME/./}
	local deadline=$((t / 1000 + 20000))
	attach_ms=0
	if [ "${kinds[$i]}" = ext ] && [ "${5:-}" != output ]; then
		# no marker without line-buffered output: programs loaded, then a margin
		until [ -n "$(prog_ids $tpid)" ]; do
			kill -0 $tpid 2>/dev/null || return 1
			[ "$(now_ms)" -lt $deadline ] || return 1
			nap 0.005
		done
		nap 0.5
		return 0
	fi
	# no command substitution (a fork of this shell) while timing: on the
	# 2-CPU development VM each one took a millisecond or more of CPU from
	# the tracer being timed
	until attached "${kinds[$i]}" "$2" "$3"; do
		kill -0 $tpid 2>/dev/null || return 1
		t=${EPOCHREALTIME/./}
		[ $((t / 1000)) -lt $deadline ] || return 1
		nap 0.001
	done
	t=${EPOCHREALTIME/./}
	attach_ms=$(( (t - t0) / 1000 )).$(( (t - t0) / 100 % 10 ))
}

stop_tracer() { # SIGINT, then SIGKILL after 5 s
	local n=0
	kill -INT $tpid 2>/dev/null
	while kill -0 $tpid 2>/dev/null && [ $n -lt 500 ]; do nap 0.01; n=$((n + 1)); done
	kill -0 $tpid 2>/dev/null && kill -KILL $tpid 2>/dev/null
	wait $tpid 2>/dev/null
	tpid=""
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print ""; exit } if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

storm() { # → one JSON line, or fail
	local args=(--json --threads "$threads" --duration "$duration" --warmup "$warmup" --port "$port")
	[ -n "$cpu" ] && args+=(--cpu "$cpu")
	timeout "$(awk -v d="$duration" -v w="$warmup" 'BEGIN { printf "%d", d + w + 30 }')" "$lg" "${args[@]}"
}

lost_in() { # FILES… → sum of lost events reported ("lost N events", {"event":"lost","count":N})
	cat "$@" 2>/dev/null | awk '
		{ l = tolower($0) }
		match(l, /lost [0-9]+ events/) { s += substr(l, RSTART + 5, RLENGTH - 12) }
		/"event":"lost"/ && match($0, /"count":[0-9]+/) { s += substr($0, RSTART + 8, RLENGTH - 8) }
		END { print s + 0 }'
}

# --- run --------------------------------------------------------------------
others=$(pgrep -a -x 'tcptrace|tcplife|bpftrace|tcpaccept|tcpconnect' 2>/dev/null)
[ -n "$others" ] && printf 'bench: warning: other tracers are running (they also slow the untraced runs):\n%s\n' "$others" >&2
# off for the throughput pairs: statistics add two clock reads to every
# program run (about 1% of the storm's rate for 21 runs per connection);
# on for one more traced storm per tracer that measures the BPF cost
echo 0 >/proc/sys/kernel/bpf_stats_enabled || die "cannot set kernel.bpf_stats_enabled"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
hz=$(getconf CLK_TCK)
strip -o "$work/tcptrace.stripped" "$tt" || die "strip failed"
tt_size=$(stat -c %s "$work/tcptrace.stripped")
declare -A R
rows=()
echo "bench: $pairs pair(s) of ${duration} s (+${warmup} s warm-up), $threads client thread(s), cpu '${cpu:-any}', port $port" >&2
for i in "${!names[@]}"; do
	n=${names[$i]}
	selected "$n" || continue
	echo "bench: $n" >&2
	# start to attached, without load (output line-buffered for external tools)
	att=()
	for ((p = 0; p < pairs; p++)); do
		o=$work/$n.start$p.out e=$work/$n.start$p.err
		start_tracer $i "$o" "$e" stdbuf
		wait_attached $i "$o" "$e" x output || { stop_tracer; cat "$e" >&2; die "$n: did not attach"; }
		att+=("$attach_ms")
		stop_tracer
	done
	# storm pairs: untraced, traced
	un=() tr=() ratio=() conns=0 events=0 lost=0 cpu_s=0 rt=0 rc=0 rss=0
	for ((p = 0; p < pairs; p++)); do
		j=$(storm) || die "$n: loadgen failed (untraced): $j"
		a=$(jq -r .conn_per_s <<<"$j")
		o=$work/$n.$p.out e=$work/$n.$p.err
		start_tracer $i "$o" "$e"
		wait_attached $i "$o" "$e" || { stop_tracer; cat "$e" >&2; die "$n: did not attach"; }
		j=$(storm) || { stop_tracer; die "$n: loadgen failed (traced): $j"; }
		kill -0 $tpid 2>/dev/null || die "$n: tracer exited during the storm: $(tail -3 "$e")"
		b=$(jq -r .conn_per_s <<<"$j")
		c=$(jq -r .accepted <<<"$j")
		# figures taken just before stopping
		read -r ut st < <(sed 's/.*) //' /proc/$tpid/stat | awk '{ print $12, $13 }')
		h=$(awk '/^VmHWM:/ { print $2 }' /proc/$tpid/status)
		stop_tracer
		un+=("$a") tr+=("$b")
		ratio+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }')")
		conns=$((conns + c))
		events=$((events + $(grep -cw -- "$port" "$o")))
		lost=$((lost + $(lost_in "$o" "$e")))
		cpu_s=$(awk -v c="$cpu_s" -v t=$((ut + st)) -v hz="$hz" 'BEGIN { print c + t / hz }')
		[ "${h:-0}" -gt $rss ] && rss=$h
	done
	# BPF cost: one more traced storm, with kernel.bpf_stats_enabled
	echo 1 >/proc/sys/kernel/bpf_stats_enabled || die "cannot set kernel.bpf_stats_enabled"
	o=$work/$n.stats.out e=$work/$n.stats.err
	start_tracer $i "$o" "$e"
	wait_attached $i "$o" "$e" || { stop_tracer; cat "$e" >&2; die "$n: did not attach"; }
	j=$(storm) || { stop_tracer; die "$n: loadgen failed (statistics): $j"; }
	kill -0 $tpid 2>/dev/null || die "$n: tracer exited during the storm: $(tail -3 "$e")"
	for id in $(prog_ids $tpid); do
		read -r x y < <(bpftool prog show id "$id" -j | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"')
		rt=$((rt + x)) rc=$((rc + y))
	done
	stop_tracer
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	sconns=$(jq -r .accepted <<<"$j")
	if [ "${kinds[$i]}" = tt ] && [ "${bins[$i]}" = "$tt" ]; then size=$tt_size; else
		strip -o "$work/$n.stripped" "${bins[$i]}" 2>/dev/null && size=$(stat -c %s "$work/$n.stripped") || size=$(stat -c %s "${bins[$i]}")
	fi
	R[$n]=$(awk -v un="$(printf '%s\n' "${un[@]}" | median)" -v tr="$(printf '%s\n' "${tr[@]}" | median)" \
		-v ra="$(printf '%s\n' "${ratio[@]}" | median)" -v rt=$rt -v rc=$rc -v sconns="$sconns" -v conns=$conns \
		-v ev=$events -v lost=$lost -v cpu="$cpu_s" -v att="$(printf '%s\n' "${att[@]}" | median)" \
		-v rss=$rss -v size=$size -v ext="${kinds[$i]}" 'BEGIN {
		printf "%.0f | %.0f | %.3f | %s | %s | %d | %d / %d | %s | %.1f%s | %.1f | %.2f%s",
			un, tr, ra, rc ? sprintf("%.0f", rt / rc) : "–", sconns ? sprintf("%.2f", rc / sconns) : "–",
			ev, lost, conns, ev + lost ? sprintf("%.3f", cpu / ((ev + lost) / 1000)) : "–",
			att, ext == "ext" ? " ¹" : "", rss / 1024, size / 1048576, ext == "ext" ? " ²" : "" }')
	rows+=("$n")
done

label() {
	case $1 in
	*@base) echo "$(label "${1%@base}") (base)" ;;
	life-json) echo "tcptrace life --json" ;;
	*-containers) echo "tcptrace $(label "${1%-containers}" | sed 's/^tcptrace //') --containers" ;;
	*-minpriv) echo "tcptrace ${1%-minpriv}, CAP_BPF+CAP_PERFMON only (sys_exit)" ;;
	connect-dns) echo "tcptrace connect -d" ;;
	tcplife) echo "libbpf-tools tcplife" ;;
	bpftrace) echo "bpftrace script" ;;
	*) echo "tcptrace $1" ;;
	esac
}
table() {
	echo "| tracer | untraced conn/s | traced conn/s | ratio | BPF ns/run | runs/conn | events | lost / connections | CPU s per 1k events | start→attached ms | peak RSS MB | stripped MB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in "${rows[@]}"; do echo "| $(label "$n") | ${R[$n]} |"; done
	echo
	echo "$pairs pair(s) of ${duration} s (+${warmup} s warm-up), $threads client thread(s), storm on CPU(s) ${cpu:-any}, $(nproc) CPUs, kernel $(uname -r); throughput and ratio: medians; load average (1, 5, 15 min) $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end."
	for n in "${rows[@]}"; do
		case $n in tcplife | bpftrace)
			echo "¹ external tools: start to first line of output (line-buffered). ² the tool's own executable, stripped copy (dynamically linked: its shared libraries are not counted)."
			break ;;
		esac
	done
}
table | tee ${out:+"$out"}

# --- DNS reply flood ---------------------------------------------------------
# The responder and the client in a network namespace of their own (port 53
# is free there); tcptrace, in the host's, sees the replies through its
# cgroup programs like any other.
ttdns=$build/ttdns
flood() { # → one JSON line of ttdns flood
	timeout "$(awk -v d="$duration" 'BEGIN { printf "%d", d + 30 }')" unshare -n sh -c '
		ip link set lo up && "$1" serve 127.0.0.77 a.tt.test=A:127.0.0.99 >/dev/null &
		for i in $(seq 1 100); do [ -e /proc/net/udp ] && grep -q ":0035 " /proc/net/udp && break; sleep 0.02; done
		"$1" flood --server 127.0.0.77 --seconds "$2" --window 64 a.tt.test
		kill $! 2>/dev/null' sh "$ttdns" "$duration"
}
if selected dns-flood && [ -x "$ttdns" ]; then
	echo "bench: dns-flood" >&2
	un=() tr=() ratio=() parsed=0 lost=0 cpu_s=0 sent=0
	i=${#names[@]}
	names+=(dns) kinds+=(tt) bins+=("$tt") cmds+=("$tt connect -d --json -v")
	for ((p = 0; p < pairs; p++)); do
		j=$(flood) || die "dns-flood: ttdns failed (untraced): $j"
		a=$(jq -r .replies_per_s <<<"$j")
		o=$work/dns.$p.out e=$work/dns.$p.err
		start_tracer $i "$o" "$e"
		wait_attached $i "$o" "$e" || { stop_tracer; cat "$e" >&2; die "dns-flood: did not attach"; }
		j=$(flood) || { stop_tracer; die "dns-flood: ttdns failed (traced): $j"; }
		b=$(jq -r .replies_per_s <<<"$j")
		sent=$((sent + $(jq -r .replies <<<"$j")))
		read -r ut st < <(sed 's/.*) //' /proc/$tpid/stat | awk '{ print $12, $13 }')
		stop_tracer
		un+=("$a") tr+=("$b")
		ratio+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f", b / a }')")
		parsed=$((parsed + $(jq -r 'select(.event == "dns") | .parsed' "$o")))
		lost=$((lost + $(jq -r 'select(.event == "dns") | .lost' "$o")))
		cpu_s=$(awk -v c="$cpu_s" -v t=$((ut + st)) -v hz="$hz" 'BEGIN { print c + t / hz }')
	done
	{
		echo
		echo "| DNS reply flood | untraced replies/s | traced replies/s | ratio | replies parsed by tcptrace / received by the client | lost | CPU s per 1k replies |"
		echo "|---|---:|---:|---:|---:|---:|---:|"
		awk -v un="$(printf '%s
' "${un[@]}" | median)" -v tr="$(printf '%s
' "${tr[@]}" | median)" \
			-v ra="$(printf '%s
' "${ratio[@]}" | median)" -v parsed=$parsed -v sent=$sent \
			-v lost=$lost -v cpu="$cpu_s" 'BEGIN {
			printf "| tcptrace connect -d | %.0f | %.0f | %.3f | %d / %d | %d | %s |\n", un, tr, ra,
				parsed, sent, lost, parsed ? sprintf("%.4f", cpu / (parsed / 1000)) : "–" }'
		echo
		echo "$pairs pair(s) of ${duration} s; ttdns flood: one connected UDP socket, 64 queries in flight, answers of one A record (43 bytes)."
	} | tee ${out:+-a "$out"}
fi

# --- Idle sessions: life --interval 1 while thousands are open -------------
# ttpeer holds the sessions in a network namespace of their own (a server
# and clients of 1,000 connections each, both ends traced); tcptrace's CPU
# (utime + stime of /proc/PID/stat) over the measured seconds, and its peak
# RSS. "before": the sessions exist when tracing starts (sock_diag at start,
# then the owners map's walk for those adopted, sock_diag for the rest);
# "while": they open after (the owners map's walk).
ttpeer=$build/ttpeer
idle_row() { # WHEN → "cpu_percent rss_mib records_per_s", or fail
	local when=$1 ns=ttbench-idle-$$ conns=$((idle / 2)) secs o=$work/idle.$1.out k n ut st
	local a b t0 t1 srv cl=() i
	secs=$(awk -v d="$duration" 'BEGIN { printf "%d", d * 3 < 10 ? 10 : d * 3 }')
	[ $smoke = 1 ] && secs=3
	ip netns add $ns && ip -n $ns link set lo up || return 1
	ip netns exec $ns "$ttpeer" server 127.0.0.1 $((port + 1)) --backlog 4096 --count $conns \
		--hold 3600 --ready "$work/idle.ready" >/dev/null &
	srv=$!
	for i in $(seq 1 100); do [ -e "$work/idle.ready" ] && break; nap 0.05; done
	if [ "$when" = while ]; then
		"$tt" life --interval 1 --json -v >"$o" 2>"$o.err" &
		tpid=$!
		for i in $(seq 1 400); do grep -q ': attached$' "$o.err" && break; nap 0.05; done
	fi
	for ((k = 0; k < conns; k += 1000)); do
		n=$((conns - k < 1000 ? conns - k : 1000))
		ip netns exec $ns "$ttpeer" client 127.0.0.1 $((port + 1)) --count $n --hold 3600 \
			>/dev/null &
		cl+=($!)
	done
	for i in $(seq 1 1200); do
		[ "$(ip netns exec $ns ss -tnH state established | wc -l)" -ge "$idle" ] && break
		nap 0.1
	done
	if [ "$when" = before ]; then
		"$tt" life --interval 1 --json -v >"$o" 2>"$o.err" &
		tpid=$!
		for i in $(seq 1 400); do grep -q ': attached$' "$o.err" && break; nap 0.05; done
	fi
	nap 1.5 # the start walk and a first interval are behind
	read -r ut st < <(sed 's/.*) //' /proc/$tpid/stat | awk '{ print $12, $13 }')
	a=$((ut + st)) t0=$(now_ms)
	nap "$secs"
	read -r ut st < <(sed 's/.*) //' /proc/$tpid/stat | awk '{ print $12, $13 }')
	b=$((ut + st)) t1=$(now_ms)
	rss=$(awk '/^VmHWM:/ { print $2 }' /proc/$tpid/status)
	kill -INT $tpid
	wait $tpid
	tpid=""
	kill "${cl[@]}" $srv 2>/dev/null
	wait "${cl[@]}" $srv 2>/dev/null
	ip netns del $ns
	n=$(grep -c '"at":"interval"' "$o")
	awk -v a=$a -v b=$b -v hz="$hz" -v ms=$((t1 - t0)) -v rss="$rss" -v n="$n" -v s="$secs" \
		'BEGIN { printf "%.2f %.1f %.0f\n", (b - a) / hz / (ms / 1000) * 100, rss / 1024, n / (s + 1.5) }'
}
if selected idle-sessions && [ -x "$ttpeer" ]; then
	echo "bench: idle-sessions" >&2
	{
		echo
		echo "| tcptrace life --interval 1 --json, $idle idle sessions open | CPU % of one CPU | peak RSS MiB | records/s |"
		echo "|---|---:|---:|---:|"
		for w in before while; do
			r=$(idle_row $w) || die "idle-sessions: $w failed"
			read -r c m rs <<<"$r"
			[ $w = before ] && what="opened before tracing (adopted at start)" ||
				what="opened while tracing (owners map)"
			echo "| $what | $c | $m | $rs |"
		done
		echo
		echo "$idle sessions: $((idle / 2)) loopback connections in a network namespace of their own, both ends traced."
	} | tee ${out:+-a "$out"}
fi

if [ $smoke = 1 ]; then
	bad=0
	for n in "${rows[@]}"; do
		IFS='|' read -ra f <<<"${R[$n]}"
		for k in 0 1 2 3 4 5 7 8 9 10; do
			v=${f[$k]// /}
			[[ $v =~ ^[0-9]+(\.[0-9]+)?(¹)?$ ]] || { echo "bench: smoke: $n: column $((k + 2)) is '$v'" >&2; bad=1; }
		done
		[ "${f[5]// /}" -gt 0 ] 2>/dev/null || { echo "bench: smoke: $n: no events seen" >&2; bad=1; }
	done
	[ ${#rows[@]} -gt 0 ] || { echo "bench: smoke: nothing ran" >&2; bad=1; }
	[ $bad = 0 ] || exit 1
	echo "bench: smoke ok" >&2
fi
