#!/usr/bin/env bash
# What a test run left behind: processes of the tests still alive, and
# tcptrace's BPF programs and links still in the kernel. run-all.sh takes a
# snapshot after installing the dependencies and checks at its end.
#
#   test/leftovers.sh --snapshot FILE   # what is there now, into FILE
#   test/leftovers.sh --check FILE      # fails if anything not in FILE is there
#   test/leftovers.sh --check /dev/null # fails if anything at all is there
#
# Processes: tcptrace and its links (tcpaccept, tcpconnect, tcplife), the
# build's test programs (loadgen, ttpeer, ttdns, ttsyscall, fuzz_*), and the
# qemu guests of test/kernels/run-guest.sh (by their initrd). Each one left
# is named, with the BPF programs it holds, and killed (SIGKILL) so that it
# disturbs nothing after; the check fails all the same. BPF: the programs
# named tt_* (all of tcptrace's) and the links attaching them, still there
# 2 s later (the kernel frees them asynchronously), with who holds them.
#
# Only what is not in the snapshot counts. With TCPTRACE_TEST_RUN set (as
# run-all.sh sets it for everything it starts), only processes whose
# environment has the same TCPTRACE_TEST_RUN count too, and programs held by
# other processes: a tracer or a test run beside this one, on a shared
# machine, is neither reported nor killed. Needs root, bpftool and jq
# (test/deps.sh). Exits 1 when anything is left, naming it.
set -u
usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
[ $# = 2 ] || usage
mode=$1 file=$2
case $mode in --snapshot | --check) ;; *) usage ;; esac
for c in bpftool jq; do command -v $c >/dev/null || { echo "leftovers: $c missing (test/deps.sh)" >&2; exit 1; }; done
bpftool prog show >/dev/null || { echo "leftovers: bpftool cannot list BPF programs (needs root)" >&2; exit 1; }
run=${TCPTRACE_TEST_RUN:-}

# "proc PID COMM ARGS" of each test process alive (not this script, no zombie).
procs() {
	ps -e -o pid=,stat=,comm=,args= | awk -v self=$$ '
		$1 == self || $2 ~ /^Z/ { next }
		$3 ~ /^(tcptrace|tcpaccept|tcpconnect|tcplife|loadgen|ttpeer|ttdns|ttsyscall|fuzz_.+)$/ ||
			($3 ~ /^qemu-system-/ && /-initrd [^ ]*\/run-guest\.[^ \/]+\/initrd/) {
			print "proc", $1, substr($0, index($0, $3))
		}'
}

# "prog ID NAME TYPE" of each of tcptrace's programs, then "link ID TYPE
# PROG_ID NAME" of each link of one of them.
bpf_objects() {
	local progs
	progs=$(bpftool -j prog show | jq -c 'map(select(.name // "" | startswith("tt_")))') || return 1
	jq -r '.[] | "prog \(.id) \(.name) \(.type)"' <<<"$progs"
	bpftool -j link show | jq -r --argjson progs "$progs" '
		($progs | map({key: "\(.id)", value: .name}) | from_entries) as $tt |
		.[] | select($tt["\(.prog_id)"]) | "link \(.id) \(.type) \(.prog_id) \($tt["\(.prog_id)"])"'
}

if [ "$mode" = --snapshot ]; then
	{ procs; bpf_objects; } | awk '{ print $1, $2 }' >"$file" || exit 1
	exit 0
fi
[ -r "$file" ] || { echo "leftovers: cannot read $file" >&2; exit 1; }

# new: the lines read whose "KIND ID" is not in the snapshot.
new() { awk 'FILENAME == ARGV[1] { old[$1 " " $2] = 1; next } !(($1 " " $2) in old)' "$file" -; }
# ours PID: started by this run (or no run named).
ours() { [ -z "$run" ] || tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "TCPTRACE_TEST_RUN=$run"; }
# held PID: the ids of the BPF programs it holds.
held() { grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un | tr '\n' ' '; }
# holders ID: the pids of the processes holding BPF program ID.
holders() { grep -lx "prog_id:[[:space:]]*$1" /proc/[0-9]*/fdinfo/* 2>/dev/null | cut -d/ -f3 | sort -un; }

bad=0
# (one killed a moment ago may still be exiting: it has 2 s to go)
for _ in $(seq 1 20); do
	left=$(procs | new | while read -r k pid rest; do ours "$pid" && echo "$k $pid $rest"; done)
	[ -z "$left" ] && break
	sleep 0.1
done
while read -r _ pid comm args; do
	[ -n "$pid" ] || continue
	progs=$(held "$pid")
	echo "leftovers: process $pid ($comm) still runs: $args${progs:+ (BPF programs ${progs% })}; killed" >&2
	kill -KILL "$pid" 2>/dev/null
	bad=1
done <<<"$left"

# The programs of a tracer that has just ended, or just been killed, go a
# moment later.
for _ in $(seq 1 20); do
	left=$(bpf_objects | new)
	[ -z "$left" ] && break
	sleep 0.1
done
others=' '
while read -r kind id a b c; do
	case $kind in
	prog)
		who='' mine=0
		for pid in $(holders "$id"); do
			who+=" $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
			ours "$pid" && mine=1
		done
		[ -z "$who" ] || [ $mine = 1 ] || { others+="$id "; continue; }
		echo "leftovers: BPF program $id $a ($b) still loaded, held by${who:- no process (pinned?)}" >&2
		;;
	link)
		[[ $others == *" $b "* ]] && continue
		echo "leftovers: BPF link $id ($a) of program $b $c still exists" >&2
		;;
	*) continue ;;
	esac
	bad=1
done <<<"$left"
[ $bad = 0 ] && echo "leftovers: none"
exit $bad
