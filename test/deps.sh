#!/usr/bin/env bash
# Installs what building and testing tcptrace needs on Debian 12 (apt-get
# only). Does nothing when everything is already there.
#   test/deps.sh          build and test dependencies
#   test/deps.sh --build  build dependencies only
set -eu
build=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev libcap-dev libseccomp-dev
	libjson-c-dev cmake pkg-config make gcc libc6-dev)
tests=(iproute2 jq util-linux procps kmod file qemu-system-x86 busybox-static cpio nftables bash-static
	xz-utils runc
	libclang-rt-14-dev)
want=("${build[@]}")
[ "${1:-}" = --build ] || want+=("${tests[@]}")

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: installing ${missing[*]} needs root (there is no sudo)" >&2; exit 1; }
	sudo=sudo
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
