#!/bin/bash
# fetch-kernel.sh [--arch x86_64|arm64] CACHE_DIR
#
# Fetches Debian 12's stock 6.1 kernel (package linux-image-6.1.0-N-amd64-unsigned,
# the newest N that apt knows; with --arch arm64, linux-image-6.1.0-N-arm64-unsigned)
# with `apt-get download` into CACHE_DIR and
# extracts what a qemu guest needs: vmlinuz (and the uncompressed vmlinux,
# which boots faster under TCG), the kernel config, and the few
# modules (with their dependencies) used for network namespace tests: veth,
# nf_tables and the nft expressions needed to drop or reject TCP SYNs.
# --arch (default: this machine's) is recorded in the cache; for an
# architecture other than this machine's, busybox-static of that
# architecture is fetched into CACHE_DIR too (`dpkg --add-architecture ARCH`
# and `apt-get update` first: test/deps.sh --arm64 does both).
#
# Idempotent: when CACHE_DIR already holds an extracted kernel with the same
# module list, it does nothing. Prints exactly one line saying what it did.
#
# Needs on a fresh Debian 12 (after `apt-get update`):
#   apt-get install -y qemu-system-x86 busybox-static cpio xz-utils
# (apt, dpkg-deb, tar, coreutils, grep, sed, mawk and util-linux's flock are
# part of every Debian install; without xz-utils only vmlinuz is made.)
#
# Environment:
#   KERNEL_PKG     use this package instead of the newest 6.1 one
#   EXTRA_MODULES  space-separated extra module names to extract (deps included)
#
# Output layout:
#   CACHE_DIR/debs/<package>.deb
#   CACHE_DIR/<kver>/vmlinuz, vmlinux (uncompressed, booted through PVH),
#   CACHE_DIR/<kver>/config, modules.load (insmod order),
#   CACHE_DIR/<kver>/root/lib/modules/<kver>/... (modules + modules.dep)
#   CACHE_DIR/busybox     (another architecture's busybox-static only)
#   CACHE_DIR/kernel.env  (ARCH=, KVER=, KPKG=, KDIR=, MODULES=, BUSYBOX=) read by run-guest.sh
set -euo pipefail

die() { echo "fetch-kernel: $*" >&2; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/arch.sh"
arch=
if [ "${1:-}" = --arch ]; then arch=${2:-}; shift 2 || die "--arch wants x86_64 or arm64"; fi
[ $# -eq 1 ] || die "usage: fetch-kernel.sh [--arch x86_64|arm64] CACHE_DIR"
guest_arch "$arch" || exit 1
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
# One fetch at a time per cache (parallel test runs may all call this).
exec 9>"$CACHE/.lock"
flock 9

# Modules to extract (dependencies and soft dependencies are added: libcrc32c,
# which nf_tables and nf_conntrack need, wants crc32c_generic loaded first).
MODULES="veth nf_tables nft_reject_inet nft_ct nft_limit nft_log sch_netem dummy $G_MODULES ${EXTRA_MODULES:-}"
MODULES=$(echo $MODULES)   # normalise whitespace

# ---- choose the package -------------------------------------------------
if [ -n "${KERNEL_PKG:-}" ]; then
    PKG=$KERNEL_PKG
else
    PKG=
    if [ -f "$CACHE/kernel.env" ]; then
        PKG=$(sed -n 's/^KPKG=//p' "$CACHE/kernel.env")
        grep -qE "$G_KPKG_RE" <<<"$PKG" ||
            die "$CACHE holds $PKG, not a $G_ARCH kernel: use another cache for $G_ARCH"
    fi
    newest() {
        apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
            grep -E "$G_KPKG_RE" | sort -V | tail -n 1 || true
    }
    if [ -z "$PKG" ]; then
        PKG=$(newest)
        # A fresh machine (or container) may have no package lists yet.
        if [ -z "$PKG" ] && [ "$(id -u)" = 0 ]; then
            apt-get update -qq >/dev/null 2>&1 || true
            PKG=$(newest)
        fi
        [ -n "$PKG" ] || die "no linux-image-6.1.0-*-$G_DEB-unsigned known to apt (run apt-get update on Debian 12; for another architecture, dpkg --add-architecture $G_DEB first)"
    fi
fi
KVER=${PKG#linux-image-}
KVER=${KVER%-unsigned}
KDIR=$CACHE/$KVER

# Another architecture's guest cannot use this machine's busybox.
BUSYBOX=
[ "$G_FOREIGN" = 0 ] || BUSYBOX=$CACHE/busybox

# ---- nothing to do? -----------------------------------------------------
if [ -f "$CACHE/kernel.env" ] && [ -f "$KDIR/vmlinuz" ] && [ -f "$KDIR/modules.load" ] &&
   grep -qxF "KPKG=$PKG" "$CACHE/kernel.env" &&
   grep -qxF "MODULES=\"$MODULES\"" "$CACHE/kernel.env" &&
   { [ -z "$BUSYBOX" ] || [ -x "$BUSYBOX" ]; }; then
    echo "fetch-kernel: $PKG already in $CACHE (nothing done)"
    exit 0
fi

# ---- download the .deb (once) -------------------------------------------
mkdir -p "$CACHE/debs"
did="extracted"
fetched() { ls "$CACHE/debs/${1}_"*"_$G_DEB.deb" 2>/dev/null | sort -V | tail -n 1 || true; }
download() {   # PKG: sets DEB to its .deb in CACHE/debs, downloading it once
    DEB=$(fetched "$1")
    [ -z "$DEB" ] || return 0
    dl=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
    if ! (cd "$dl" && apt_download "$dl/log" "$1:$G_DEB"); then
        rm -rf "$dl"
        die "apt-get download $1:$G_DEB failed"
    fi
    mv "$dl"/*.deb "$CACHE/debs/"
    rm -rf "$dl"
    DEB=$(fetched "$1")
    did="downloaded and extracted"
}
if [ -n "$BUSYBOX" ]; then
    download busybox-static
    dpkg-deb --fsys-tarfile "$DEB" | tar -xO ./bin/busybox > "$BUSYBOX.tmp" ||
        die "no bin/busybox in $DEB"
    chmod +x "$BUSYBOX.tmp"
    mv "$BUSYBOX.tmp" "$BUSYBOX"
fi
download "$PKG"

# ---- extract ------------------------------------------------------------
tmp=$(mktemp -d "$CACHE/.x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Writing all ~400 MB of modules is slow; take the directories the network
# modules and their dependencies live in, and everything only if that misses.
extract() {
    dpkg-deb --fsys-tarfile "$DEB" |
        tar -x -C "$tmp" --wildcards "./boot/vmlinuz-$KVER" "./boot/config-$KVER" \
            "./lib/modules/$KVER/modules.*" "$@"
}
M=./lib/modules/$KVER/kernel
extract "$M/net/*" "$M/drivers/net/*" "$M/lib/*" "$M/crypto/*" "$M/arch/$G_KARCH/crypto/*" \
    "$M/drivers/virtio/*" "$M/drivers/char/virtio_console.ko*"
SRCMOD=$tmp/lib/modules/$KVER
[ -f "$tmp/boot/vmlinuz-$KVER" ] || die "$DEB has no boot/vmlinuz-$KVER"

index_modules() {   # module name (with _) -> path relative to SRCMOD
    local f b
    # Newer Debian kernels ship modules xz- or zstd-compressed (.ko.xz).
    find "$SRCMOD/kernel" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' | while read -r f; do
        b=${f##*/}; b=${b%.ko*}; echo "${b//-/_} ${f#"$SRCMOD"/}"
    done > "$tmp/index"
}
unpack_module() {   # PATH (relative to SRCMOD) -> the path of a plain .ko
    case $1 in
        *.ko.xz) xz -dc "$SRCMOD/$1" > "$SRCMOD/${1%.xz}" || die "cannot unpack $1 (apt-get install xz-utils)" ;;
        *.ko.zst) zstd -qdc "$SRCMOD/$1" > "$SRCMOD/${1%.zst}" || die "cannot unpack $1 (apt-get install zstd)" ;;
    esac
    echo "${1%.ko*}.ko"
}
index_modules
modpath() { awk -v n="${1//-/_}" '$1 == n { print $2; exit }' "$tmp/index"; }
modinfo_field() {   # FIELD FILE: a .modinfo key from the NUL-separated strings
    { tr '\0' '\n' < "$2" | grep -a "^$1=" | head -n 1 | cut -d= -f2-; } || true
}

# Depth-first walk: dependencies are emitted before the module itself.
full=
declare -A seen=()
order=()
visit() {
    local name=${1//-/_} alias=${2:-} path deps soft d
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    path=$(modpath "$name")
    if [ -z "$path" ]; then
        if [ -n "$alias" ]; then return 0; fi   # a soft dependency we lack
        if grep -qE "(^|/)$name\.ko\$" "$SRCMOD/modules.builtin" 2>/dev/null ||
           grep -qE "(^|/)${1//_/-}\.ko\$" "$SRCMOD/modules.builtin" 2>/dev/null; then
            return 0            # built into the kernel: nothing to load
        fi
        if [ -z "$full" ]; then     # not in the subset: take the whole tree
            full=1; extract "$M/*"; index_modules; path=$(modpath "$name")
        fi
        [ -n "$path" ] || die "module $name not found in $PKG"
    fi
    path=$(unpack_module "$path") || exit 1
    deps=$(modinfo_field depends "$SRCMOD/$path")
    soft=$(modinfo_field softdep "$SRCMOD/$path" | sed -n 's/^pre: *//p' | sed 's/ post:.*//' || true)
    for d in ${deps//,/ }; do visit "$d"; done
    # Soft dependencies name an alias; crypto ones are NAME_generic modules.
    for d in $soft; do
        if [ -n "$(modpath "$d")" ]; then visit "$d" alias
        elif [ -n "$(modpath "${d}_generic")" ]; then visit "${d}_generic" alias
        fi
    done
    order+=("$path")
}
for m in $MODULES; do visit "$m"; done

rm -rf "$KDIR"
mkdir -p "$KDIR/root/lib/modules/$KVER"
cp "$tmp/boot/vmlinuz-$KVER" "$KDIR/vmlinuz"
cp "$tmp/boot/config-$KVER" "$KDIR/config"
# (x86) The bzImage decompresses itself slowly under TCG; these kernels have
# CONFIG_PVH, so qemu can boot the uncompressed ELF directly (about 3 s faster).
# The bzImage's payload is one xz stream (6.1; busybox's xzcat cannot unpack
# it) or one zstd frame (6.12).
image="vmlinuz only: install xz-utils (and zstd) for the faster-booting vmlinux"
[ "$G_PVH" = 1 ] || image="vmlinuz (an uncompressed Image)"
if [ "$G_PVH" = 1 ]; then
    for z in 'xz -dc --single-stream:\xfd7zXZ\x00' 'zstd -qdc:\x28\xb5\x2f\xfd'; do
        cmd=${z%%:*}
        command -v "${cmd%% *}" >/dev/null || continue
        off=$(LC_ALL=C grep -obUaP "${z#*:}" "$KDIR/vmlinuz" | head -n 1 | cut -d: -f1 || true)
        [ -n "$off" ] || continue
        # (zstd complains about the bytes after its frame; the ELF is whole)
        tail -c +$((off + 1)) "$KDIR/vmlinuz" | $cmd > "$KDIR/vmlinux" 2>/dev/null || true
        if [ "$(head -c 4 "$KDIR/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            image="vmlinuz, vmlinux"
            break
        fi
        rm -f "$KDIR/vmlinux"
    done
fi
cp "$SRCMOD"/modules.builtin* "$SRCMOD/modules.order" "$KDIR/root/lib/modules/$KVER/" 2>/dev/null || true
: > "$KDIR/modules.load"
for p in "${order[@]}"; do
    mkdir -p "$KDIR/root/lib/modules/$KVER/$(dirname "$p")"
    cp "$SRCMOD/$p" "$KDIR/root/lib/modules/$KVER/$p"
    echo "/lib/modules/$KVER/$p" >> "$KDIR/modules.load"
done
# modules.dep so that `modprobe NAME` also works inside the guest.
busybox depmod -b "$KDIR/root" "$KVER"

{
    echo "ARCH=$G_ARCH"
    echo "KPKG=$PKG"
    echo "KVER=$KVER"
    echo "KDIR=$KDIR"
    echo "DEB=$DEB"
    echo "MODULES=\"$MODULES\""
    echo "BUSYBOX=$BUSYBOX"
} > "$CACHE/kernel.env.tmp"
mv "$CACHE/kernel.env.tmp" "$CACHE/kernel.env"

echo "fetch-kernel: $did $PKG into $KDIR ($image, ${#order[@]} modules)"
