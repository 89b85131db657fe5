#!/bin/bash
# fetch-userland.sh [--arch ARCH] CACHE_DIR PKG:PROG[,PROG...]...
#
# Another architecture's programs for its qemu guests (matrix.sh: bash,
# ip, jq, bpftool... for the arm64 guest), which this machine's own cannot
# stand in for. `apt-get download`s each PKG:ARCH into CACHE_DIR/userland
# and unpacks it into CACHE_DIR/userland/root, a sysroot for run-guest.sh
# --sysroot; then the shared libraries the PROGs need (readelf NEEDED
# entries, recursively; elf.sh): a library the sysroot lacks is fetched
# from the package that ships this machine's own copy of it (dpkg -S), in
# ARCH. Writes CACHE_DIR/userland/programs, a line "PROG PATH" each (PATH
# inside the sysroot). Idempotent: a second run with the same arguments
# does nothing. Prints one line.
#
# Needs (ARCH other than this machine's): dpkg --add-architecture ARCH and
# apt-get update (test/deps.sh --arm64 does both), and this machine's own
# build of each package installed (test/deps.sh), whose libraries say which
# packages to fetch.
set -euo pipefail

die() { echo "fetch-userland: $*" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/arch.sh"
. "$HERE/elf.sh"
arch=
if [ "${1:-}" = --arch ]; then arch=${2:-}; shift 2 || die "--arch wants x86_64 or arm64"; fi
[ $# -ge 2 ] || die "usage: fetch-userland.sh [--arch x86_64|arm64] CACHE_DIR PKG:PROG[,PROG]..."
guest_arch "$arch" || exit 1
mkdir -p "$1/userland"
DIR=$(cd "$1/userland" && pwd)
shift
ROOT=$DIR/root
want=$(printf '%s\n' "$@" | sort -u | tr '\n' ' ')
exec 9>"$DIR/.lock"
flock 9
if [ -f "$DIR/packages" ] && [ "$(head -n 1 "$DIR/packages")" = "$G_ARCH: $want" ]; then
	echo "fetch-userland: $G_ARCH $want already in $ROOT (nothing done)"
	exit 0
fi
rm -rf "$ROOT" "$DIR/packages" "$DIR/programs"
mkdir -p "$ROOT" "$DIR/debs"

fetched=()
cached() { # PKG: its .deb in DIR/debs, if downloaded
	ls "$DIR/debs/${1}_"*"_$G_DEB.deb" "$DIR/debs/${1}_"*_all.deb 2>/dev/null | sort -V | tail -n 1 || true
}
fetch() { # PKG...: download (once, in one apt-get) and unpack into ROOT
	local p deb dl need=()
	for p in "$@"; do [ -n "$(cached "$p")" ] || need+=("$p:$G_DEB"); done
	if [ ${#need[@]} -gt 0 ]; then
		dl=$(mktemp -d "$DIR/debs/.dl.XXXXXX")
		if ! (cd "$dl" && apt_download "$dl/log" "${need[@]}"); then
			rm -rf "$dl"
			die "apt-get download ${need[*]} failed"
		fi
		mv "$dl"/*.deb "$DIR/debs/"
		rm -rf "$dl"
	fi
	for p in "$@"; do
		deb=$(cached "$p")
		[ -n "$deb" ] || die "apt-get download $p:$G_DEB gave no $p .deb"
		dpkg-deb -x "$deb" "$ROOT"
		fetched+=("$p")
	done
}

# The package that ships this machine's copy of library NAME.
host_triplet=$(guest_arch "$(guest_host_arch)" && echo "$G_TRIPLET")
host_package() {
	local lib=$1
	# The dynamic loader has another name on each architecture; libc's package has it.
	case $lib in ld-linux*) lib=libc.so.6 ;; esac
	dpkg -S "*/$host_triplet/$lib" 2>/dev/null | grep -v '^diversion' | head -n 1 |
		sed 's/[:,].*//'
}

specs=("$@")
for spec in "${specs[@]}"; do
	case $spec in *:?*) ;; *) die "$spec: want PKG:PROG[,PROG...]" ;; esac
done
fetch "${specs[@]%%:*}"
programs=()
: >"$DIR/programs.tmp"
for spec in "${specs[@]}"; do
	progs=${spec#*:}
	for prog in ${progs//,/ }; do
		for d in bin sbin usr/bin usr/sbin ''; do
			[ -n "$d" ] || die "no program $prog in ${spec%%:*}:$G_DEB"
			[ -f "$ROOT/$d/$prog" ] || continue
			programs+=("$ROOT/$d/$prog")
			echo "$prog /$d/$prog" >>"$DIR/programs.tmp"
			break
		done
	done
done
# Each round fetches the packages of the libraries still missing.
for _ in 1 2 3 4 5 6 7 8; do
	missing=$(elf_libs "$ROOT" "${programs[@]}" 2>&1 >/dev/null |
		sed -n 's/^elf: \([^ ]*\) (needed by .*/\1/p' | sort -u) || true
	[ -n "$missing" ] || break
	pkgs=()
	for lib in $missing; do
		p=$(host_package "$lib")
		[ -n "$p" ] || die "which package ships $lib? (none installed here has it for $host_triplet)"
		printf '%s\n' "${fetched[@]}" | grep -qx -- "$p" ||
			printf '%s\n' "${pkgs[@]+"${pkgs[@]}"}" | grep -qx -- "$p" || pkgs+=("$p")
	done
	[ ${#pkgs[@]} -gt 0 ] || die "libraries still missing: $missing"
	fetch "${pkgs[@]}"
done
elf_libs "$ROOT" "${programs[@]}" >/dev/null || die "libraries missing in $ROOT"
{
	echo "$G_ARCH: $want"
	printf '%s\n' "${fetched[@]}"
} >"$DIR/packages"
mv "$DIR/programs.tmp" "$DIR/programs"
echo "fetch-userland: ${#programs[@]} $G_ARCH programs, ${#fetched[@]} packages with their libraries, in $ROOT"
