#!/bin/bash
# matrix.sh: every attach plan of every mode, proven on Debian 12's 6.1
# kernel by the host's own integration tests, run inside qemu guests.
#
# The guests boot Debian's stock kernel (fetch-kernel.sh; the .deb is kept in
# the kernel cache, by default BUILD/kcache) from an initramfs holding the
# static tcptrace, ttpeer and ttdns, test/integration, test_guest.sh and the tools
# the tests use (bash-static; iproute2, jq, bpftool, util-linux... with their
# libraries). For each mode of `tcptrace --list` and each plan (fentry,
# kprobe, tracepoint) a guest runs test/integration/run.sh on test_MODE.sh
# with TT_ATTACH=PLAN, so every tracer a test starts is forced onto that
# plan; tests asserting facts of the host's kernel call host_only and are
# skipped there, and tests the plan cannot change (plan_independent in
# test/integration/lib.sh) run in the first plan's cell only. Column "auto" runs test_guest.sh: auto picks fentry, and
# each forced plan attaches hooks of its own kind.
#
# Time: every test's seconds in a guest are kept in test/kernels/costs (by
# kernel architecture and plan, measured; --save-costs rewrites them from a
# run); a test without a line there counts as DEFAULT_COST (below). The cells
# are shared among the guests by those costs, each guest is told its
# estimate and its limit (4x the estimate), and a guest is hung, and ended,
# when it prints no test result for a while: the slowest test's cost x 10
# (at least 120 s) is where run.sh in the guest ends one test as hung, and
# a minute more of silence ends the guest. A guest slower than its estimate
# but still producing results runs on, up to its limit.
#
# Ends with the matrix (kernel x mode x plan), with a row for this host's
# kernel from the last run.sh of the same build (BUILD/integration.results),
# each guest's estimate, limit and time, and exits 1 if any cell is not a
# pass: a failed or hung test, a guest that did not boot, hung or ran past
# its limit (its console log's tail is shown), a mode without tests.
#
# usage: test/kernels/matrix.sh [options]
#   --build DIR      build tree with the static tcptrace, ttpeer and ttdns (default: build)
#   --cache DIR      kernel cache (default: DIR/kcache of --build)
#   --kernel PKG     test this Debian kernel package (repeatable; each is kept
#                    in CACHE/PKG) instead of the newest 6.1 one, e.g.
#                    linux-image-6.12.117+deb12-amd64-unsigned
#   --modes "M..."   modes to test (default: all of tcptrace --list)
#   --plans "P..."   plans to test (default: fentry kprobe tracepoint)
#   --guests N       guests per kernel booted at once, sharing its cells (default 2)
#   --smp N          virtual CPUs per guest (default 1: under TCG two guests of
#                    one vCPU do more than one guest of two)
#   --cpu MODEL      qemu CPU model (default qemu64: TCG runs it faster than max)
#   --timeout SECS   limit for each guest (default: 4x its estimate)
#   --costs FILE     the tests' measured seconds (default test/kernels/costs)
#   --save-costs     after the run, write its tests' seconds into the costs
#                    file (averaged with those already there)
#   --logs DIR       keep each guest's full output here (default BUILD/kernels-matrix)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
prog=matrix

usage() { awk '/^# usage:/ { p = 1 } p && !/^#/ { exit } p { sub(/^# ?/, ""); print }' "$0" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

build=$TOP/build cache='' kpkgs=() modes='' plans='fentry kprobe tracepoint' guests=2 smp=1
cpu=qemu64 timeout='' costs_file=$HERE/costs save_costs=0 logs=''
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--kernel) kpkgs+=("${2:?}"); shift 2 ;;
	--modes) modes=${2:?}; shift 2 ;;
	--plans) plans=${2:?}; shift 2 ;;
	--guests) guests=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--costs) costs_file=${2:?}; shift 2 ;;
	--save-costs) save_costs=1; shift ;;
	--logs) logs=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
case $guests in ''|*[!0-9]*|0) die "--guests wants a number >= 1" ;; esac
case $timeout in *[!0-9]*) die "--timeout wants whole seconds" ;; esac
build=$(cd "$build" 2>/dev/null && pwd) || die "no build directory (cmake -S . -B build && cmake --build build)"
cache=${cache:-$build/kcache}
logs=${logs:-$build/kernels-matrix}
TT=$build/tcptrace
PEER=$build/ttpeer
TTDNS=$build/ttdns
t_start=$(date +%s)

# ---- what the guests need ----------------------------------------------------
is_static() { case $(ldd "$1" 2>&1) in *"not a dynamic"*|*"statically linked"*) return 0 ;; esac; return 1; }
for f in "$TT" "$PEER" "$TTDNS"; do
	[ -x "$f" ] || die "$f missing: build first (cmake --build $build)"
	is_static "$f" || die "$f is not static: the guest has no shared libraries (build with -DTCPTRACE_STATIC=ON)"
done
[ "$(id -u)" = 0 ] || die "needs root (for the host's row: which plans attach here)"
tools=(
	"/bin/bash-static:/bin/bash:bash-static"
	"$(command -v ip):/bin/ip:iproute2" "$(command -v ss):/bin/ss:iproute2"
	"$(command -v jq):/bin/jq:jq" "$(command -v bpftool):/bin/bpftool:bpftool"
	"$(command -v setpriv):/bin/setpriv:util-linux" "$(command -v mountpoint):/bin/mountpoint:util-linux"
	"$(command -v date):/bin/date:coreutils" "$(command -v pkill):/bin/pkill:procps"
	"$(command -v nft):/bin/nft:nftables"
)
add=()
for t in "${tools[@]}"; do
	IFS=: read -r src dest pkg <<<"$t"
	[ -n "$src" ] && [ -x "$src" ] || die "${dest##*/} missing on this host (apt-get install $pkg)"
	if is_static "$src"; then add+=(--add "$src:$dest"); else add+=(--add-dyn "$src:$dest"); fi
done

# The kernels: one cache directory each.
kcaches=()
if [ ${#kpkgs[@]} = 0 ]; then
	"$HERE/fetch-kernel.sh" "$cache" || die "fetch-kernel.sh $cache failed"
	kcaches=("$cache")
fi
for pkg in "${kpkgs[@]}"; do
	KERNEL_PKG=$pkg "$HERE/fetch-kernel.sh" "$cache/$pkg" || die "fetch-kernel.sh for $pkg failed"
	kcaches+=("$cache/$pkg")
done
# Each kernel's architecture (Debian's name: amd64, arm64) keys its costs.
kvers=() karchs=()
for c in "${kcaches[@]}"; do
	kvers+=("$(sed -n 's/^KVER=//p' "$c/kernel.env")")
	a=$(sed -n 's/^ARCH=//p' "$c/kernel.env")
	karchs+=("${a:-${kvers[-1]##*-}}")
done

# ---- the cells: kernel x mode x plan --------------------------------------------
all_modes=$("$TT" --list) || die "$TT --list failed"
modes=${modes:-$all_modes}
cells=() missing=()
for m in $modes; do
	grep -qx -- "$m" <<<"$all_modes" || die "no mode $m in $TT --list"
	if [ -f "$TOP/test/integration/test_$m.sh" ]; then
		for p in $plans auto; do cells+=("$m:$p"); done
	else
		missing+=("$m")
	fi
done
[ ${#cells[@]} -gt 0 ] || die "nothing to run"

# ---- what each guest costs --------------------------------------------------------
# A cell costs what its tests cost in the costs file ("ARCH PLAN FILE:TEST
# SECONDS"), plus CELL_COST; a test without a line there DEFAULT_COST (a new
# test: about 3x a typical one), or SKIP_COST where it will be skipped
# (host_only; plan_independent outside the first plan's cell). A guest costs
# its cells plus BOOT_COST.
DEFAULT_COST=5 SKIP_COST=0.3 CELL_COST=1 BOOT_COST=5
cell_cost() { # ARCH MODE:PLAN -> its estimated seconds and its slowest test's
	local p=${2#*:} f=$TOP/test/integration/test_${2%%:*}.sh first=0
	[ "$p" = auto ] && f=$HERE/test_guest.sh
	[ "$p" = "${plans%% *}" ] && first=1
	awk -v arch="$1" -v plan="$p" -v file="$(basename "$f" .sh)" -v first=$first \
		-v dflt=$DEFAULT_COST -v skip=$SKIP_COST -v cell=$CELL_COST -v costs="$costs_file" '
		BEGIN {
			while ((getline l <costs) > 0)
				if (split(l, w) == 4 && w[1] !~ /^#/) c[w[1] " " w[2] " " w[3]] = w[4]
		}
		/^t_[a-z0-9_]*\(\)/ { name = $1; sub(/\(.*/, "", name); t = 1; next }
		t {
			t = 0
			skipped = /^\thost_only/ || (/^\tplan_independent/ && !first)
			k = arch " " plan " " file ":" name
			s = (k in c) ? c[k] : skipped ? skip : dflt
			sum += s
			if (s > max) max = s
		}
		END { printf "%d %d\n", sum + cell + 0.999, max + 0.999 }' "$f"
}

# Each kernel's cells are shared among its guests, longest first, each to the
# guest with the least work so far.
n=${#cells[@]}
[ "$guests" -le "$n" ] || guests=$n
gkernel=() gcells=() gload=() slowest=0
for k in "${!kvers[@]}"; do
	first=${#gcells[@]}
	for _ in $(seq 1 "$guests"); do gkernel+=("$k") gcells+=('') gload+=("$BOOT_COST"); done
	while read -r secs max c; do
		best=$first
		for g in $(seq "$first" $((first + guests - 1))); do
			[ "${gload[g]}" -lt "${gload[best]}" ] && best=$g
		done
		gcells[best]+="$c " gload[best]=$((gload[best] + secs))
		[ "$max" -le "$slowest" ] || slowest=$max
	done < <(for c in "${cells[@]}"; do echo "$(cell_cost "${karchs[k]}" "$c") $c"; done |
		sort -k1,1nr -k3,3)
done
# A test that runs 10x the slowest one's cost is hung (run.sh in the guest
# ends it); a guest silent for a minute more than that is hung as a whole.
test_timeout=$((slowest * 10 > 120 ? slowest * 10 : 120))
idle=$((test_timeout + 60))

# ---- boot the guests ----------------------------------------------------------
rm -rf "$logs"
mkdir -p "$logs"
pids=() tails=()
stop() {
	kill "${pids[@]}" 2>/dev/null # run-guest.sh kills its qemu when signalled
	wait "${pids[@]}" 2>/dev/null
	exit 130
}
trap stop INT TERM
echo "$prog: ${#gcells[@]} guest(s) of $smp vCPU at once; a test is hung after $test_timeout s," \
	"a guest after $idle s without output"
glimit=() gstart=() gend=()
for g in "${!gcells[@]}"; do
	k=${gkernel[g]}
	glimit[g]=${timeout:-$((4 * gload[g]))}
	echo "$prog: guest$g: ${kvers[k]}: estimate ${gload[g]} s, limit ${glimit[g]} s: ${gcells[g]}"
	gstart[g]=$SECONDS
	# shellcheck disable=SC2086
	"$HERE/run-guest.sh" --cache "${kcaches[k]}" --timeout "${glimit[g]}" --idle "$idle" \
		--smp "$smp" --cpu "$cpu" --script "$HERE/matrix.guest.sh" \
		--env TT_TEST_TIMEOUT="$test_timeout" --env TT_MATRIX_PLAN="${plans%% *}" \
		--add "$TT:/bin/tcptrace" --add "$PEER:/bin/ttpeer" --add "$TTDNS:/bin/ttdns" \
		--add "$TOP/test/integration:/tests/" --add "$HERE/test_guest.sh:/tests/kernels/test_guest.sh" \
		"${add[@]}" -- ${gcells[g]} >"$logs/guest$g.log" 2>&1 &
	pids+=($!)
	tail -n +1 -s 0.5 -F --pid=$! "$logs/guest$g.log" 2>/dev/null | sed -u "s/^/[guest$g] /" &
	tails+=($!)
done
rcs=() left=("${pids[@]}")
while [ ${#left[@]} -gt 0 ]; do
	wait -n -p ended "${left[@]}"
	rc=$?
	for g in "${!pids[@]}"; do
		[ "${pids[g]}" = "$ended" ] && rcs[g]=$rc gend[g]=$SECONDS
	done
	mapfile -t left < <(printf '%s\n' "${left[@]}" | grep -vx -- "$ended")
done
wait "${tails[@]}" 2>/dev/null
trap - INT TERM

# ---- the guests' cells ------------------------------------------------------------
declare -A cell_text=() cell_bad=()
failed_tests=()
for g in "${!gcells[@]}"; do
	log=$logs/guest$g.log k=${kvers[gkernel[g]]}
	for c in ${gcells[g]}; do
		m=${c%%:*} p=${c#*:}
		body=$(awk -v m="$m" -v p="$p" '
			$0 == "@@matrix start " m " " p { on = 1; next }
			on && index($0, "@@matrix end " m " " p " ") == 1 { print; exit }
			on { print }' "$log")
		end=$(grep '^@@matrix end ' <<<"$body")
		pass=$(grep -c '^ok ' <<<"$body")
		fail=$(grep -c '^FAIL ' <<<"$body")
		skip=$(grep -c '^skip ' <<<"$body")
		while read -r t; do
			[ -n "$t" ] && failed_tests+=("$k $m/$p: $t")
		done < <(awk '$1 == "FAIL" { print $2 }' <<<"$body")
		text="pass $pass" bad=0
		[ "$skip" = 0 ] || text="$text, $skip skipped"
		if ! grep -qx "@@matrix start $m $p" "$log"; then
			text="NOT RUN (guest$g)" bad=1
		elif [ -z "$end" ]; then
			text="GUEST FAILED after $pass ok, $fail FAIL" bad=1
		else
			read -r _ _ _ _ rc secs <<<"$end"
			case $rc in
			0) [ "$pass" -gt 0 ] || text="NO TESTS" bad=1 ;;
			*) text="FAIL $fail of $((pass + fail))" bad=1 ;;
			esac
			text="$text (${secs}s)"
		fi
		cell_text[$k/$m/$p]=$text cell_bad[$k/$m/$p]=$bad
	done
done

# ---- this host ------------------------------------------------------------------
# Which plans attach here, and the last run.sh results of this very binary.
host=$(uname -r)
results=$build/integration.results
[ -f "$results" ] && [ "$results" -nt "$TT" ] || results=
for m in $modes; do
	for p in $plans; do
		err=$(timeout 20 "$TT" "$m" --attach="$p" --duration 0.3 2>&1 >/dev/null)
		case $? in
		0) cell_text[$host/$m/$p]="attaches (untested here)" ;;
		1) if grep -q "does not support" <<<"$err"; then cell_text[$host/$m/$p]=unsupported
		   else cell_text[$host/$m/$p]="error: $err" cell_bad[$host/$m/$p]=1; fi ;;
		*) cell_text[$host/$m/$p]="error: $err" cell_bad[$host/$m/$p]=1 ;;
		esac
	done
	auto=$(timeout 20 "$TT" "$m" -v --duration 0.3 2>&1 >/dev/null |
		sed -n "s/^tcptrace: $m: attaching via \([a-z]*\): .*/\1/p")
	cell_text[$host/$m/auto]="picks ${auto:-nothing}"
	[ -n "$results" ] || continue
	for p in auto $plans; do
		lines=$(awk -v f="test_$m:" -v p="$p" -v k="$host" 'index($2, f) == 1 && $4 == p && $5 == k' "$results")
		[ -n "$lines" ] || continue
		pass=$(grep -c '^ok ' <<<"$lines") fail=$(grep -c '^FAIL ' <<<"$lines")
		skip=$(grep -c '^skip ' <<<"$lines")
		col=$p
		[ "$p" = auto ] && [ -n "$auto" ] && col=$auto
		text="pass $pass"
		[ "$fail" = 0 ] || text="FAIL $fail of $((pass + fail))" cell_bad[$host/$m/$col]=1
		[ "$skip" = 0 ] || text="$text, $skip skipped"
		[ "$p" = auto ] && text="$text (auto)"
		cell_text[$host/$m/$col]=$text
		while read -r t; do
			[ -n "$t" ] && failed_tests+=("$host $m/$p: $t")
		done < <(awk '$1 == "FAIL" { print $2 }' <<<"$lines")
	done
done

# ---- the matrix -------------------------------------------------------------------
read -ra cols <<<"$plans auto"
rows=()
for k in "${kvers[@]}"; do for m in $modes; do rows+=("$k (qemu)|$k|$m"); done; done
for m in $modes; do rows+=("$host (host)|$host|$m"); done
declare -A width=([KERNEL]=6 [MODE]=4)
for p in "${cols[@]}"; do width[$p]=${#p}; done
for r in "${rows[@]}"; do
	IFS='|' read -r label k m <<<"$r"
	[ ${#label} -le "${width[KERNEL]}" ] || width[KERNEL]=${#label}
	[ ${#m} -le "${width[MODE]}" ] || width[MODE]=${#m}
	for p in "${cols[@]}"; do
		t=${cell_text[$k/$m/$p]:--}
		[ ${#t} -le "${width[$p]}" ] || width[$p]=${#t}
	done
done
echo
src="no run.sh results of this build"
[ -z "$results" ] || src="its tests from $results"
echo "Attach plans by kernel and mode (qemu: Debian's kernel in a guest; host: this machine's, $src)"
last=${cols[${#cols[@]} - 1]}
width[$last]=0 # no padding after the last column
printf "%-${width[KERNEL]}s  %-${width[MODE]}s" KERNEL MODE
for p in "${cols[@]}"; do printf "  %-${width[$p]}s" "${p^^}"; done
echo
bad=0
for r in "${rows[@]}"; do
	IFS='|' read -r label k m <<<"$r"
	printf "%-${width[KERNEL]}s  %-${width[MODE]}s" "$label" "$m"
	for p in "${cols[@]}"; do
		[ "${cell_bad[$k/$m/$p]:-0}" = 1 ] && bad=1
		printf "  %-${width[$p]}s" "${cell_text[$k/$m/$p]:--}"
	done
	echo
done
echo "(skipped in a guest: host_only tests, and plan_independent ones outside the ${plans%% *} cell)"
for m in "${missing[@]}"; do
	echo "mode $m: no test/integration/test_$m.sh to run in the guests"
	bad=1
done
for t in "${failed_tests[@]}"; do echo "failed: $t"; done
for g in "${!rcs[@]}"; do
	took=$((gend[g] - gstart[g]))
	echo "guest$g: ${kvers[gkernel[g]]}: $took s, estimate ${gload[g]} s" \
		"($(awk -v a=$took -v e="${gload[g]}" 'BEGIN { printf "%.2f", a / e }')x), limit ${glimit[g]} s"
	case ${rcs[g]} in
	0 | 1) ;;
	*)
		echo "guest$g: $(grep -m1 '^guest failed: ' "$logs/guest$g.log" || echo "run-guest.sh exit ${rcs[g]}")" \
			"(its output: $logs/guest$g.log)"
		bad=1
		;;
	esac
done

# ---- the costs, measured --------------------------------------------------------------
# Each test's seconds in this run ("ok" and "skip" lines: a failed test's
# time says nothing) go into the costs file: averaged with the seconds
# already there, as one run on a shared machine can be twice as slow as
# the next.
if [ $save_costs = 1 ]; then
	new=$(for g in "${!gcells[@]}"; do
		awk -v arch="${karchs[gkernel[g]]}" '
			$1 == "@@matrix" && $2 == "start" { plan = $4; next }
			$1 == "@@matrix" && $2 == "end" { plan = ""; next }
			plan != "" && ($1 == "ok" || $1 == "skip") && $3 ~ /^\([0-9.]+s\)$/ {
				t = $3; gsub(/[()s]/, "", t); print arch, plan, $2, t }' "$logs/guest$g.log"
	done)
	{
		grep '^#' "$costs_file" 2>/dev/null || echo "# ARCH PLAN FILE:TEST SECONDS (test/kernels/matrix.sh --save-costs)"
		{ sed 's/^/new /' <<<"$new"; grep -v '^#' "$costs_file" 2>/dev/null | sed 's/^/old /'; } |
			awk 'NF == 5 { k = $2 " " $3 " " $4; if ($1 == "new") n[k] = $5; else o[k] = $5 }
				END {
					for (k in n) printf "%s %.1f\n", k, (k in o) ? (n[k] + o[k]) / 2 : n[k]
					for (k in o) if (!(k in n)) print k, o[k]
				}' | sort -k1,1 -k3,3 -k2,2
	} >"$costs_file.tmp" && mv "$costs_file.tmp" "$costs_file"
	echo "$prog: $(wc -l <<<"$new") tests' seconds written to $costs_file"
fi
echo "$prog: $(($(date +%s) - t_start)) s; logs in $logs"
[ $bad = 0 ]
