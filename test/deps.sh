#!/usr/bin/env bash
# Installs what building and testing tcptrace needs on Debian 12 (apt-get
# only). Does nothing when everything is already there.
#   test/deps.sh                 build and test dependencies, both architectures
#   test/deps.sh --build         build dependencies only (this machine's architecture)
#   test/deps.sh --build --arm64 and what the aarch64 cross build needs
#                                (cmake -DTCPTRACE_ARCH=aarch64)
# The aarch64 build uses Debian's arm64 packages of libbpf, libelf, zlib,
# zstd, libcap and libseccomp (multiarch): the arm64 architecture is added to
# dpkg for them.
set -eu
build=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev libcap-dev libseccomp-dev
	libjson-c-dev cmake pkg-config make gcc libc6-dev)
# The aarch64 cross build; qemu-user-static runs its unit tests and writes
# its bash completion.
arm64=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libbpf-dev:arm64 libelf-dev:arm64
	zlib1g-dev:arm64 libzstd-dev:arm64 libcap-dev:arm64 libseccomp-dev:arm64 libjson-c-dev:arm64
	qemu-user-static)
# qemu-system-arm boots the arm64 kernel (its guests' tools are Debian's
# arm64 packages, fetched by test/kernels/fetch-userland.sh).
tests=(iproute2 jq util-linux procps kmod file qemu-system-x86 busybox-static cpio nftables bash-static
	xz-utils zstd runc binutils qemu-system-arm
	libclang-rt-14-dev)
want=("${build[@]}")
case "${1:-} ${2:-}" in
"--build --arm64" | "--arm64 --build") want+=("${arm64[@]}") ;;
"--build ") ;;
" ") want+=("${arm64[@]}" "${tests[@]}") ;;
*) echo "usage: test/deps.sh [--build [--arm64]]" >&2; exit 2 ;;
esac

# root CMD...: as root, through sudo if there is one.
root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
		return
	fi
	command -v sudo >/dev/null || { echo "deps: '$*' needs root (there is no sudo)" >&2; exit 1; }
	sudo "$@"
}
export DEBIAN_FRONTEND=noninteractive
updated=0
case " ${want[*]} " in
*:arm64*)
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "adding the arm64 architecture to dpkg (for the aarch64 build's libraries)"
		root dpkg --add-architecture arm64
		root apt-get update -qq
		updated=1
	fi
	;;
esac
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
# A resolver or mirror that fails for a while (seen: minutes) gets more
# tries, each said; apt's errors at the end.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for wait in 15 30 60 120 120 ''; do
	{ [ $updated = 1 ] || root apt-get update -qq; } >"$log" 2>&1 && updated=1 &&
		root apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 && exit 0
	[ -n "$wait" ] || break
	echo "deps: apt-get failed ($(grep -m1 '^E: ' "$log" || echo "see above")); again in $wait s" >&2
	sleep "$wait"
done
grep '^E: ' "$log" | sort -u | head -n 3 >&2
exit 1
