#!/bin/bash
# matrix.sh: every attach plan of every mode, proven on Debian's kernels
# (5.10, 6.1, 6.12 and 7.3, x86-64 and arm64) by the host's own integration
# tests, run inside qemu guests.
#
# The guests boot Debian's stock kernels (fetch-kernel.sh; the .debs are kept
# in the kernel cache, by default BUILD/kcache, found through a private apt
# configuration in CACHE/apt: kapt.sh) from an initramfs holding the
# static tcptrace, ttpeer and ttdns, test/integration, test_guest.sh and the tools
# the tests use (bash-static; iproute2, jq, bpftool, util-linux... with their
# libraries). For each mode of `tcptrace --list` and each plan (fentry,
# kprobe, tracepoint) a guest runs test/integration/run.sh on test_MODE.sh
# with TT_ATTACH=PLAN, so every tracer a test starts is forced onto that
# plan; tests asserting facts of the host's kernel call host_only and are
# skipped there, and tests the plan cannot change (plan_independent in
# test/integration/lib.sh) run in the first plan's cell only. Column "auto"
# runs test_guest.sh: auto picks the first plan the kernel supports, and
# each forced plan attaches hooks of its own kind.
#
# Without --kernel, --ci or --all, Debian 12's 6.1 is the kernel. Its cells
# and those of the others CI runs (--ci; run-all.sh) are in CI_CELLS below:
# docs/kernels.md says which and why. --all runs every kernel x architecture
# x mode x plan the kernel supports, auto included.
#
# With --arm64, Debian's arm64 6.1 kernel (--arm64-kernel: another) is
# tested too, in qemu-system-aarch64 guests booted beside the x86-64 ones,
# with the aarch64 build (cmake -DTCPTRACE_ARCH=aarch64) and Debian's arm64
# tools (fetch-userland.sh): by default the cells CI runs on 6.1 every time
# (ARM64_CI_CELLS below; docs/kernels.md says which and why), all of them
# with --arm64-cells all. A plan a kernel does not support (its config says
# so: arch.sh) is not run forced; its cell says why, and the auto cell checks
# that tcptrace refuses it in one line and that auto picks the next plan.
#
# Time, the same for every architecture: every test's seconds in a guest are
# kept in test/kernels/costs (by kernel architecture and plan, measured;
# --save-costs rewrites them from a run); a test without a line there counts
# as DEFAULT_COST (below). Each kernel's cells are shared among its guests
# by those costs, each guest is told its estimate and its limit (4x the
# estimate), and a guest is hung, and ended, when it prints no test result
# for a while: the slowest test's cost x 10 (at least 120 s) is where run.sh
# in the guest ends one test as hung, and a minute more of silence ends the
# guest. A guest slower than its estimate but still producing results runs
# on, up to its limit.
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
#   --kernel NAME    test this Debian kernel (repeatable) instead of 6.1: a short
#                    name, 5.10, 6.1, 6.12 or 7.3 (the newest package of it apt
#                    knows), or a package, e.g. linux-image-6.12.118+deb13-amd64-unsigned;
#                    each is kept in CACHE/NAME (6.1: in CACHE itself)
#   --ci             the cells CI runs: CI_CELLS below, on both architectures
#                    with --arm64 (run-all.sh)
#   --all            everything: every kernel (KERNELS below) x architecture
#                    (arm64 with --arm64 DIR, default build-arm64 beside --build)
#                    x mode x plan it supports, auto included
#   --jobs N         guests booted at once, all kernels together (default 3)
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
#   --arm64 DIR      also test Debian's arm64 kernels (6.1 by default) with DIR's static aarch64
#                    tcptrace, ttpeer and ttdns (e.g. build-arm64)
#   --arm64-cache DIR   its kernel cache (default: DIR/kcache of --arm64)
#   --arm64-kernel NAME  test this Debian arm64 kernel instead (repeatable; as
#                    --kernel, kept in ARM64CACHE/NAME), e.g. 6.12 or
#                    linux-image-6.12.118+deb13-arm64-unsigned
#   --arm64-cells "MODE:PLAN..."  its cells (PLAN auto runs test_guest.sh), or
#                    "all"; default $TT_ARM64_CELLS, else the CI set (see above)
#   --arm64-guests N    guests for it, booted with the others (default 1)
#   --arm64-cpu MODEL   its qemu CPU model (default: arch.sh's, neoverse-n1)
#   --arm64-only     no x86_64 guests and no host row: only the arm64 cells
#   --dry-run        say which guests would run which cells (estimates, limits), then exit
#   --fetch-only     fetch the kernels and the guests' tools, then exit
#                    (run-all.sh does this in the background early on)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
prog=matrix

usage() { awk '/^# usage:/ { p = 1 } p && !/^#/ { exit } p { sub(/^# ?/, ""); print }' "$0" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 1; }

build=$TOP/build cache='' kpkgs=() modes='' plans='fentry kprobe tracepoint' guests=2 smp=1
cpu=qemu64 timeout='' costs_file=$HERE/costs save_costs=0 logs=''
arm64='' arm64_cache='' arm64_cells=${TT_ARM64_CELLS:-} arm64_guests=1 arm64_cpu='' x86=1
arm64_kpkgs=() fetch_only=0 ci=0 all=0 jobs=3 dry_run=0
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
	--arm64) arm64=${2:?}; shift 2 ;;
	--arm64-cache) arm64_cache=${2:?}; shift 2 ;;
	--arm64-kernel) arm64_kpkgs+=("${2:?}"); shift 2 ;;
	--arm64-cells) arm64_cells=${2:?}; shift 2 ;;
	--arm64-guests) arm64_guests=${2:?}; shift 2 ;;
	--arm64-cpu) arm64_cpu=${2:?}; shift 2 ;;
	--arm64-only) x86=0; shift ;;
	--fetch-only) fetch_only=1; shift ;;
	--ci) ci=1; shift ;;
	--dry-run) dry_run=1; shift ;;
	--all) all=1; shift ;;
	--jobs) jobs=${2:?}; shift 2 ;;
	-h|--help) usage ;;
	*) echo "$prog: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
case $guests in ''|*[!0-9]*|0) die "--guests wants a number >= 1" ;; esac
case $arm64_guests in ''|*[!0-9]*|0) die "--arm64-guests wants a number >= 1" ;; esac
case $jobs in ''|*[!0-9]*|0) die "--jobs wants a number >= 1" ;; esac
[ $((ci + all)) -le 1 ] || die "--ci or --all, not both"
[ $((ci + all)) = 0 ] || [ $((${#kpkgs[@]} + ${#arm64_kpkgs[@]})) = 0 ] ||
	die "--kernel and --arm64-kernel choose the kernels themselves: not with --ci or --all"
case $timeout in *[!0-9]*) die "--timeout wants whole seconds" ;; esac
[ -n "$arm64" ] || [ $x86 = 1 ] || die "--arm64-only wants --arm64 DIR"
build=$(cd "$build" 2>/dev/null && pwd) || die "no build directory (cmake -S . -B build && cmake --build build)"
if [ $all = 1 ] && [ -z "$arm64" ]; then
	arm64=$(dirname "$build")/build-arm64
	[ -x "$arm64/tcptrace" ] || die "--all tests arm64 too: build it (cmake -S . -B build-arm64 -DTCPTRACE_ARCH=aarch64) or name it with --arm64 DIR"
fi
cache=${cache:-$build/kcache}
logs=${logs:-$build/kernels-matrix}
TT=$build/tcptrace
t_start=$(date +%s)

# ---- what the guests need ----------------------------------------------------
. "$HERE/arch.sh"
. "$HERE/elf.sh"
host_arch=$(guest_host_arch)
static_build() { # DIR ARCH: DIR's tcptrace, ttpeer and ttdns are static ARCH executables
	local f
	for f in "$1/tcptrace" "$1/ttpeer" "$1/ttdns"; do
		[ -x "$f" ] || die "$f missing: build first (cmake --build $1)"
		elf_static "$f" || die "$f is not static: the guest has no shared libraries (build with -DTCPTRACE_STATIC=ON)"
		[ "$(elf_triplet "$f")" = "$(guest_arch "$2" && echo "$G_TRIPLET")" ] ||
			die "$f is not an $2 executable"
	done
}
static_build "$build" "$host_arch"
if [ -n "$arm64" ]; then
	arm64=$(cd "$arm64" 2>/dev/null && pwd) || die "no arm64 build directory (cmake -S . -B build-arm64 -DTCPTRACE_ARCH=aarch64)"
	static_build "$arm64" arm64
	arm64_cache=${arm64_cache:-$arm64/kcache}
fi
[ "$(id -u)" = 0 ] || die "needs root (for the host's row: which plans attach here)"
# The tools the tests use, NAME:DEST:PACKAGE: this machine's own for its
# architecture's guests, Debian's packages of another (fetch-userland.sh).
tools=(bash-static:/bin/bash:bash-static ip:/bin/ip:iproute2 ss:/bin/ss:iproute2 jq:/bin/jq:jq
	bpftool:/bin/bpftool:bpftool setpriv:/bin/setpriv:util-linux
	mountpoint:/bin/mountpoint:util-linux date:/bin/date:coreutils pkill:/bin/pkill:procps
	nft:/bin/nft:nftables tc:/bin/tc:iproute2)
tool_args() { # ARCH DIR: sets add, the run-guest.sh options that put the tools in (DIR/userland)
	local name dest pkg src root specs=() p
	add=()
	if [ "$1" = "$host_arch" ]; then
		for t in "${tools[@]}"; do
			IFS=: read -r name dest pkg <<<"$t"
			src=$(command -v "$name") || die "$name missing on this host (apt-get install $pkg)"
			if elf_static "$src"; then add+=(--add "$src:$dest"); else add+=(--add-dyn "$src:$dest"); fi
		done
		return
	fi
	for t in "${tools[@]}"; do
		IFS=: read -r name dest pkg <<<"$t"
		specs+=("$pkg:$name")
	done
	# (one PKG:PROG,PROG per package)
	specs=($(printf '%s\n' "${specs[@]}" | awk -F: '{ p[$1] = p[$1] ? p[$1] "," $2 : $2 }
		END { for (k in p) print k ":" p[k] }' | sort))
	"$HERE/fetch-userland.sh" --arch "$1" "$2" "${specs[@]}" || die "fetch-userland.sh failed"
	root=$2/userland/root
	add=(--sysroot "$root")
	for t in "${tools[@]}"; do
		IFS=: read -r name dest pkg <<<"$t"
		p=$(awk -v n="$name" '$1 == n { print $2 }' "$2/userland/programs")
		if elf_static "$root$p"; then add+=(--add "$root$p:$dest"); else add+=(--add-dyn "$root$p:$dest"); fi
	done
}

# The kernels: one cache directory each, with its architecture, the build
# its guests run, their number and CPU model, the plans it supports, and
# where its architecture's tools are kept (for another architecture).
# The kernels, by short name (fetch-kernel.sh, kapt.sh): those --all runs.
KERNELS="5.10 6.1 6.12 7.3"
# The cells CI runs, ARCH/KERNEL:MODE:PLAN each (MODE and PLAN shell
# patterns: "*:auto" is every mode's auto cell), the fewest that run
# every kernel on each architecture with auto (test_guest.sh: what auto
# picks, that a plan the kernel lacks is refused in one line, and one
# connection checked field by field on each plan it has, fentry on arm64
# 6.12 included) and every plan on a kernel where it exists (6.1 on x86-64:
# all of them; on arm64 connect on tracepoint: -O's early failures read the
# fd and the sockaddr at the exit: orig_x0, x1). Measured costs and the
# budget: docs/kernels.md.
ARM64_CI_CELLS="connect:tracepoint accept:auto connect:auto life:auto"
CI_CELLS="x86_64/6.1:*:* x86_64/5.10:*:auto x86_64/6.12:*:auto x86_64/7.3:*:auto
$(for c in $ARM64_CI_CELLS; do echo -n "arm64/6.1:$c "; done)
arm64/5.10:*:auto arm64/6.12:*:auto arm64/7.3:*:auto"
kcaches=() karchs=() kdebs=() kbuilds=() kguests=() kcpus=() kplans=() ktools=() kwant=()
add_kernel() { # CACHE ARCH BUILD GUESTS CPU TOOLS WANT (its cells: all, arm64 or MODE:PLAN patterns)
	kcaches+=("$1") karchs+=("$2") kbuilds+=("$3") kguests+=("$4") kcpus+=("$5") ktools+=("$6")
	kwant+=("$7")
	guest_arch "$2"
	kdebs+=("$G_DEB") # (Debian's name of the architecture keys its costs)
	kplans+=("$(guest_plans "$(sed -n 's/^KDIR=//p' "$1/kernel.env")/config")")
}
fetch() { # ARCH NAME CACHE: fetch-kernel.sh into CACHE (6.1) or CACHE/NAME; prints that
	local dir=$3/$2
	[ "$2" = 6.1 ] && dir=$3
	"$HERE/fetch-kernel.sh" --arch "$1" --kernel "$2" --apt "$cache/apt" "$dir" >&2 ||
		die "fetch-kernel.sh --arch $1 --kernel $2 $dir failed"
	echo "$dir"
}
ci_want() { # ARCH NAME: its CI cells, or nothing
	local e k="$1/$2:"
	for e in $CI_CELLS; do
		[ "${e#"$k"}" = "$e" ] || echo -n "${e#"$k"} "
	done
}
if [ $all = 1 ] || [ $ci = 1 ]; then
	for a in x86_64 arm64; do
		[ $a = x86_64 ] && [ $x86 = 0 ] && continue
		[ $a = arm64 ] && [ -z "$arm64" ] && continue
		for n in $KERNELS; do
			want=all
			if [ $ci = 1 ]; then
				want=$(set -f; ci_want "$a" "$n")
				[ -n "$want" ] || continue
			fi
			if [ $a = x86_64 ]; then
				add_kernel "$(fetch x86_64 "$n" "$cache")" x86_64 "$build" "$guests" "$cpu" '' "${want% }"
			else
				add_kernel "$(fetch arm64 "$n" "$arm64_cache")" arm64 "$arm64" "$arm64_guests" \
					"$arm64_cpu" "$arm64_cache" "${want% }"
			fi
		done
	done
else
	if [ $x86 = 1 ]; then
		[ ${#kpkgs[@]} -gt 0 ] || kpkgs=(6.1)
		for pkg in "${kpkgs[@]}"; do
			add_kernel "$(fetch "$host_arch" "$pkg" "$cache")" "$host_arch" "$build" "$guests" "$cpu" '' all
		done
	fi
	if [ -n "$arm64" ]; then
		[ ${#arm64_kpkgs[@]} -gt 0 ] || arm64_kpkgs=(6.1)
		for pkg in "${arm64_kpkgs[@]}"; do
			add_kernel "$(fetch arm64 "$pkg" "$arm64_cache")" arm64 "$arm64" "$arm64_guests" \
				"$arm64_cpu" "$arm64_cache" arm64
		done
	elif [ ${#arm64_kpkgs[@]} -gt 0 ]; then
		die "--arm64-kernel wants --arm64 DIR"
	fi
fi
kvers=()
for c in "${kcaches[@]}"; do kvers+=("$(sed -n 's/^KVER=//p' "$c/kernel.env")"); done

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
# arm64's cells without --ci or --all: --arm64-cells, else 6.1's CI set
# (ARM64_CI_CELLS above).
arm64_given=$arm64_cells
[ -n "$arm64_cells" ] || arm64_cells=$ARM64_CI_CELLS
if [ "$arm64_given" != all ]; then
	for c in $arm64_given; do
		case " ${cells[*]} " in *" $c "*) ;; *) die "--arm64-cells: no cell $c (MODE:PLAN, PLAN one of: $plans auto)" ;; esac
	done
fi
# Each kernel's cells: those asked for that it supports. A plan it does not
# support is not forced on it: its cells only say why (guest_plan_missing),
# and the auto cell checks the refusal.
kcells=() kfirst=()
for k in "${!kcaches[@]}"; do
	want=${kwant[k]}
	[ "$want" = arm64 ] && want=$arm64_cells
	kc=''
	for c in "${cells[@]}"; do
		if [ "$want" != all ]; then
			hit=0
			set -f
			for w in $want; do
				# shellcheck disable=SC2053 # (a pattern)
				[[ $c == $w ]] && hit=1
			done
			set +f
			[ $hit = 1 ] || continue
		fi
		[ "${c#*:}" = auto ] || grep -qw -- "${c#*:}" <<<"${kplans[k]}" || continue
		kc+="$c "
	done
	kcells+=("$kc")
	# plan_independent tests run in the cell of the first plan it supports.
	kfirst+=("$(for p in $plans; do grep -qw -- "$p" <<<"${kplans[k]}" && { echo "$p"; break; }; done)")
done

# ---- what each guest costs --------------------------------------------------------
# A cell costs what its tests cost in the costs file ("ARCH PLAN FILE:TEST
# SECONDS"), plus CELL_COST; a test without a line there DEFAULT_COST (a new
# test: about 3x a typical one), or SKIP_COST where it will be skipped
# (host_only; plan_independent outside the first plan's cell). A guest costs
# its cells plus BOOT_COST. The tests are those run.sh finds, also the ones
# of a file that the test file sources (test_guest.sh: test_privileges.sh).
DEFAULT_COST=5 SKIP_COST=0.3 CELL_COST=1 BOOT_COST=5 SHARE_COST=120
cell_tests() { # FILE: "TEST FIRST-COMMAND" a line, as run.sh sees them
	WORK=/nonexistent bash -c 'source "$1/lib.sh"; source "$2"
		for t in $(declare -F | awk "\$3 ~ /^t_/ { print \$3 }"); do
			echo "$t $(declare -f "$t" | sed -n "3{s/^ *//; p}")"
		done' cell_tests "$TOP/test/integration" "$1"
}
cell_cost() { # KERNEL MODE:PLAN -> its estimated seconds and its slowest test's
	local p=${2#*:} f=$TOP/test/integration/test_${2%%:*}.sh first=0
	[ "$p" = auto ] && f=$HERE/test_guest.sh
	[ "$p" = "${kfirst[$1]}" ] && first=1
	cell_tests "$f" | awk -v arch="${kdebs[$1]}" -v plan="$p" -v file="$(basename "$f" .sh)" \
		-v first=$first -v dflt=$DEFAULT_COST -v skip=$SKIP_COST -v cell=$CELL_COST \
		-v costs="$costs_file" '
		BEGIN {
			while ((getline l <costs) > 0)
				if (split(l, w) == 4 && w[1] !~ /^#/) c[w[1] " " w[2] " " w[3]] = w[4]
		}
		{
			skipped = $2 ~ /^host_only;?$/ || ($2 ~ /^plan_independent;?$/ && !first)
			k = arch " " plan " " file ":" $1
			s = (k in c) ? c[k] : skipped ? skip : dflt
			sum += s
			if (s > max) max = s
		}
		END { printf "%d %d\n", sum + cell + 0.999, max + 0.999 }'
}

# Each kernel's cells are shared among its guests, longest first, each to the
# guest with the least work so far.
gkernel=() gcells=() gload=() slowest=0
for k in "${!kvers[@]}"; do
	first=${#gcells[@]} n=$(wc -w <<<"${kcells[k]}") ng=${kguests[k]}
	[ "$n" -gt 0 ] || continue
	[ "$ng" -le "$n" ] || ng=$n
	costs=$(for c in ${kcells[k]}; do echo "$(cell_cost "$k" "$c") $c"; done | sort -k1,1nr -k3,3)
	# Cells that cost less than SHARE_COST in all share one guest: another
	# boot would cost more than it saves (the auto cells of CI's kernels).
	[ "$(awk '{ s += $1 } END { print s + 0 }' <<<"$costs")" -ge $SHARE_COST ] || ng=1
	for _ in $(seq 1 "$ng"); do gkernel+=("$k") gcells+=('') gload+=("$BOOT_COST"); done
	while read -r secs max c; do
		best=$first
		for g in $(seq "$first" $((first + ng - 1))); do
			[ "${gload[g]}" -lt "${gload[best]}" ] && best=$g
		done
		gcells[best]+="$c " gload[best]=$((gload[best] + secs))
		[ "$max" -le "$slowest" ] || slowest=$max
	done <<<"$costs"
done
[ ${#gcells[@]} -gt 0 ] || die "nothing to run"
# A test that runs 10x the slowest one's cost is hung (run.sh in the guest
# ends it); a guest silent for a minute more than that is hung as a whole.
test_timeout=$((slowest * 10 > 120 ? slowest * 10 : 120))
idle=$((test_timeout + 60))

echo "$prog: ${#gcells[@]} guest(s) of $smp vCPU, at most $jobs at once; a test is hung after" \
	"$test_timeout s, a guest after $idle s without output"
# At most --jobs guests at once, the longest first: each guest's limit runs
# from its own boot, and guests beyond the machine's cores would only share
# them (and time out together).
glimit=() gstart=() gend=() gpid=() rcs=()
queue=($(for g in "${!gcells[@]}"; do echo "${gload[g]} $g"; done | sort -k1,1nr -k2,2n | cut -d' ' -f2))
for g in "${!gcells[@]}"; do
	glimit[g]=${timeout:-$((4 * gload[g]))}
	echo "$prog: guest$g: ${kvers[gkernel[g]]}: estimate ${gload[g]} s, limit ${glimit[g]} s: ${gcells[g]}"
done
[ ${#gcells[@]} -le "$jobs" ] || echo "$prog: $jobs guests at once, longest first: ${queue[*]/#/guest}"
[ $dry_run = 0 ] || exit 0

# Each architecture's tools, fetched (fetch-userland.sh) before any guest
# boots: a failure stops the run here, not with guests running.
declare -A tools_of=()
for g in "${!gcells[@]}"; do
	k=${gkernel[g]}
	[ -n "${tools_of[${karchs[k]}]:-}" ] && continue
	tool_args "${karchs[k]}" "${ktools[k]}"
	tools_of[${karchs[k]}]=1
done
if [ $fetch_only = 1 ]; then
	echo "$prog: kernels and guest tools fetched"
	exit 0
fi

# ---- boot the guests ----------------------------------------------------------
rm -rf "$logs"
mkdir -p "$logs"
pids=() tails=()
# However this script ends before its guests do (a signal, a die below),
# they end too.
stop() {
	kill "${pids[@]}" 2>/dev/null # run-guest.sh kills its qemu when signalled
	wait "${pids[@]}" 2>/dev/null
}
trap stop EXIT
trap 'exit 130' INT TERM HUP
boot() { # G
	local g=$1 k=${gkernel[$1]}
	tool_args "${karchs[k]}" "${ktools[k]}" >/dev/null
	gstart[g]=$SECONDS
	# shellcheck disable=SC2086
	"$HERE/run-guest.sh" --cache "${kcaches[k]}" --timeout "${glimit[g]}" --idle "$idle" \
		--smp "$smp" ${kcpus[k]:+--cpu "${kcpus[k]}"} --script "$HERE/matrix.guest.sh" \
		--env TT_TEST_TIMEOUT="$test_timeout" --env TT_MATRIX_PLAN="${kfirst[k]}" \
		--env TT_GUEST_PLANS="${kplans[k]}" \
		--add "${kbuilds[k]}/tcptrace:/bin/tcptrace" --add "${kbuilds[k]}/ttpeer:/bin/ttpeer" \
		--add "${kbuilds[k]}/ttdns:/bin/ttdns" \
		--add "$TOP/test/integration:/tests/" --add "$HERE/test_guest.sh:/tests/kernels/test_guest.sh" \
		"${add[@]}" -- ${gcells[g]} >"$logs/guest$g.log" 2>&1 &
	gpid[g]=$!
	pids+=($!)
	tail -n +1 -s 0.5 -F --pid=$! "$logs/guest$g.log" 2>/dev/null | sed -u "s/^/[guest$g] /" &
	tails+=($!)
}
left=()
while [ ${#queue[@]} -gt 0 ] || [ ${#left[@]} -gt 0 ]; do
	while [ ${#queue[@]} -gt 0 ] && [ ${#left[@]} -lt "$jobs" ]; do
		boot "${queue[0]}"
		left+=("${gpid[queue[0]]}")
		queue=("${queue[@]:1}")
	done
	wait -n -p ended "${left[@]}"
	rc=$?
	for g in "${!gpid[@]}"; do
		[ "${gpid[g]}" = "$ended" ] && rcs[g]=$rc gend[g]=$SECONDS
	done
	mapfile -t left < <(printf '%s\n' "${left[@]}" | grep -vx -- "$ended")
done
wait "${tails[@]}" 2>/dev/null
trap - EXIT INT TERM HUP

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

# Plans a kernel does not support: why, once under the matrix.
notes=()
for k in "${!kvers[@]}"; do
	guest_arch "${karchs[k]}"
	for p in $plans; do
		grep -qw -- "$p" <<<"${kplans[k]}" && continue
		why=$(guest_plan_missing "$(sed -n 's/^KDIR=//p' "${kcaches[k]}/kernel.env")/config" "$p")
		notes+=("${kvers[k]}: $p: $why; the auto cell checks that --attach=$p is refused and auto picks ${kplans[k]%% *}")
		for m in $modes; do cell_text[${kvers[k]}/$m/$p]="unsupported (${#notes[@]})"; done
	done
done

# ---- this host ------------------------------------------------------------------
# Which plans attach here, and the last run.sh results of this very binary.
host=$(uname -r)
results=$build/integration.results
[ -f "$results" ] && [ "$results" -nt "$TT" ] || results=
host_modes=$modes
[ $x86 = 1 ] || host_modes=''
for m in $host_modes; do
	for p in $plans; do
		err=$(timeout 20 "$TT" "$m" --attach="$p" --duration 0.3 2>&1 >/dev/null)
		case $? in
		0) cell_text[$host/$m/$p]="attaches (untested here)" ;;
		# (refused: the kernel says EPERM to root too, as this machine's does for fentry)
		1) if grep -q "does not support" <<<"$err"; then cell_text[$host/$m/$p]=unsupported
		   elif grep -q "refused although the capabilities it needs are held" <<<"$err"; then
			cell_text[$host/$m/$p]=refused
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
for m in $host_modes; do rows+=("$host (host)|$host|$m"); done
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
for k in "${!kvers[@]}"; do
	echo "(skipped in ${kvers[k]}: host_only tests, and plan_independent ones outside the" \
		"${kfirst[k]} cell)"
done
[ -z "$arm64" ] || [ "$arm64_cells" = all ] ||
	echo "(-: not run; the arm64 kernel's other cells run with --arm64-cells all)"
for i in "${!notes[@]}"; do echo "($((i + 1))) ${notes[i]}"; done
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
		awk -v arch="${kdebs[gkernel[g]]}" '
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
