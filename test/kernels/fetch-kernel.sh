#!/bin/bash
# fetch-kernel.sh [--arch x86_64|arm64] [--kernel NAME] [--apt DIR] CACHE_DIR
#
# Fetches one of Debian's stock kernels into CACHE_DIR: NAME is a short name
# (5.10, 6.1, 6.12, 7.3: the newest package of that kernel apt knows, see
# kapt.sh) or a full package name (linux-image-6.12.118+deb13-amd64-unsigned;
# for 7.x, linux-binary-7.3.4+deb13-amd64); default 6.1 (Debian 12's). The
# packages are found and downloaded through a private apt configuration in
# DIR (default CACHE_DIR/apt; kapt.sh): no system apt state is read or
# written. From them it
# extracts what a qemu guest needs: vmlinuz (and the uncompressed vmlinux,
# which boots faster under TCG), the kernel config, and the few
# modules (with their dependencies) used for network namespace tests: veth,
# nf_tables and the nft expressions the tests drop or reject packets with,
# and sch_tbf (a rate-limited link).
# Both package layouts are read: linux-image-*-unsigned (/boot/vmlinuz-VER,
# /boot/config-VER, /lib/modules/VER/) and 7.x's linux-binary-VER (vmlinuz),
# linux-base-VER (config, modules.builtin) and linux-modules-VER, all under
# /usr/lib/modules/VER/.
# --arch (default: this machine's) is recorded in the cache; for an
# architecture other than this machine's, busybox-static of that
# architecture is fetched into CACHE_DIR too, through this machine's apt
# (`dpkg --add-architecture ARCH` and `apt-get update` first: test/deps.sh
# --arm64 does both).
#
# Idempotent: when CACHE_DIR already holds an extracted kernel of NAME with
# the same module list, it does nothing (and asks no mirror): a cache keeps
# the package it was filled with; delete it to move to a newer one.
# Prints exactly one line saying what it did.
#
# Needs on a fresh Debian 12 (after `apt-get update`):
#   apt-get install -y qemu-system-x86 busybox-static cpio xz-utils zstd
# (apt, dpkg-deb, tar, coreutils, grep, sed, mawk and util-linux's flock are
# part of every Debian install; without xz-utils only vmlinuz is made.)
#
# Environment:
#   KERNEL_PKG     the package, as --kernel (which wins)
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
. "$HERE/kapt.sh"
arch= name=${KERNEL_PKG:-6.1} apt=
while [ $# -gt 1 ]; do
    case $1 in
    --arch) arch=${2:-}; shift 2 ;;
    --kernel) name=${2:-}; shift 2 ;;
    --apt) apt=${2:-}; shift 2 ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] && [ -n "$name" ] ||
    die "usage: fetch-kernel.sh [--arch x86_64|arm64] [--kernel NAME] [--apt DIR] CACHE_DIR"
guest_arch "$arch" || exit 1
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
# One fetch at a time per cache (parallel test runs may all call this).
exec 9>"$CACHE/.lock"
flock 9

# Modules to extract (dependencies and soft dependencies are added: libcrc32c,
# which nf_tables and nf_conntrack need, wants crc32c_generic loaded first).
# inet_diag and tcp_diag: sock_diag's TCP listings (ss, life --open), which
# the guest, without modprobe, cannot load on first use as a host does.
MODULES="veth nf_tables nft_reject_inet nft_ct nft_limit nft_log nft_numgen sch_netem sch_tbf dummy inet_diag tcp_diag $G_MODULES ${EXTRA_MODULES:-}"
MODULES=$(echo $MODULES)   # normalise whitespace

# ---- choose the package -------------------------------------------------
# A short name: the package the cache holds if it is one of NAME's, else the
# newest apt knows (kapt.sh); a package name: that one.
debs_of() { # PKG: the packages a kernel comes in
    case $1 in
    linux-binary-*) echo "$1 linux-base-${1#linux-binary-} linux-modules-${1#linux-binary-}" ;;
    *) echo "$1" ;;
    esac
}
kver_of() { local v=${1#linux-image-}; v=${v#linux-binary-}; echo "${v%-unsigned}"; }
held=
[ -f "$CACHE/kernel.env" ] && held=$(sed -n 's/^KPKG=//p' "$CACHE/kernel.env")
KAPT_DIR=${apt:-$CACHE/apt}
candidates=
if [[ $name =~ ^[0-9]+\.[0-9]+$ ]]; then
    if [ -n "$held" ] && grep -qE "$(kapt_re "$name" "$G_DEB")" <<<"$held"; then
        candidates=$held
    elif [ -n "$held" ] && ! grep -q -- "-$G_DEB\(-unsigned\)\?\$" <<<"$held"; then
        die "$CACHE holds $held, not a $G_ARCH kernel: use another cache for $G_ARCH"
    fi
else
    candidates=$name
fi
apt_ready=0
apt_ready() { # the private apt configuration and its lists, once
    [ $apt_ready = 0 ] || return 0
    mkdir -p "$KAPT_DIR"
    exec 8>"$KAPT_DIR/.lock"    # (caches share one: one update at a time)
    flock 8
    kapt_init "$KAPT_DIR"
    kapt_update || die "apt-get update failed with the private configuration in $KAPT_DIR"
    exec 8>&-
    apt_ready=1
}
if [ -z "$candidates" ]; then
    apt_ready
    candidates=$(kapt_candidates "$name" "$G_DEB")
    [ -n "$candidates" ] || die "no $G_DEB package of kernel $name known to apt ($KAPT_DIR/sources.list)"
fi
PKG=$(head -n 1 <<<"$candidates")
KVER=$(kver_of "$PKG")
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

# ---- download the .debs (once) ------------------------------------------
mkdir -p "$CACHE/debs"
did="extracted"
fetched() { ls "$CACHE/debs/${1}_"*"_$G_DEB.deb" 2>/dev/null | sort -V | tail -n 1 || true; }
download() {   # PKG: sets DEB to its .deb in CACHE/debs, downloading it once
    DEB=$(fetched "$1")
    [ -z "$DEB" ] || return 0
    dl=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
    if [ "$1" = busybox-static ]; then   # (this machine's apt: another architecture's)
        (cd "$dl" && apt_download "$dl/log" "$1:$G_DEB") || { rm -rf "$dl"; die "apt-get download $1:$G_DEB failed"; }
    else
        apt_ready
        local rc=0
        (cd "$dl" && kapt_download "$dl/log" "$1:$G_DEB") || rc=$?
        [ $rc = 0 ] || { rm -rf "$dl"; return $rc; }
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
# The newest candidate whose files the mirror has (bullseye-security lists
# arm64 packages its pool lacks: the next one, from bullseye, then).
DEBS=()
while read -r PKG; do
    [ -n "$PKG" ] || continue
    DEBS=() rc=0
    for p in $(debs_of "$PKG"); do
        download "$p" || { rc=$?; break; }
        DEBS+=("$DEB")
    done
    [ $rc = 0 ] && break
    [ $rc = 2 ] || die "apt-get download $PKG:$G_DEB failed"
    echo "fetch-kernel: the mirror has no file for $PKG; trying the next" >&2
    DEBS=()
done <<<"$candidates"
[ ${#DEBS[@]} -gt 0 ] || die "no package of kernel $name could be downloaded"
KVER=$(kver_of "$PKG")
KDIR=$CACHE/$KVER
DEB=${DEBS[0]}
# ---- extract ------------------------------------------------------------
tmp=$(mktemp -d "$CACHE/.x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Writing all ~400 MB of modules is slow; take the directories the network
# modules and their dependencies live in, and everything only if that misses.
extract() {   # PATTERN... (under lib/modules/KVER) from every .deb, either layout
    local d p pats=()
    for p in "$@"; do pats+=("./lib/modules/$KVER/$p" "./usr/lib/modules/$KVER/$p"); done
    for d in "${DEBS[@]}"; do
        # (a pattern a .deb lacks is no error: the other layout has it)
        dpkg-deb --fsys-tarfile "$d" | tar -x -C "$tmp" --wildcards "./boot/vmlinuz-$KVER" \
            "./boot/config-$KVER" "./lib/modules/$KVER/modules.*" "./usr/lib/modules/$KVER/modules.*" \
            "./usr/lib/modules/$KVER/vmlinuz" "./usr/lib/modules/$KVER/config" "${pats[@]}" 2>/dev/null || true
    done
    # One layout: lib/modules/KVER, boot/vmlinuz-KVER, boot/config-KVER.
    if [ -d "$tmp/usr/lib/modules/$KVER" ]; then
        mkdir -p "$tmp/lib/modules/$KVER" "$tmp/boot"
        [ ! -f "$tmp/usr/lib/modules/$KVER/vmlinuz" ] || mv "$tmp/usr/lib/modules/$KVER/vmlinuz" "$tmp/boot/vmlinuz-$KVER"
        [ ! -f "$tmp/usr/lib/modules/$KVER/config" ] || mv "$tmp/usr/lib/modules/$KVER/config" "$tmp/boot/config-$KVER"
        cp -a "$tmp/usr/lib/modules/$KVER/." "$tmp/lib/modules/$KVER/"
        rm -rf "$tmp/usr"
    fi
}
M=kernel
extract "$M/net/*" "$M/drivers/net/*" "$M/lib/*" "$M/crypto/*" "$M/arch/$G_KARCH/crypto/*" \
    "$M/drivers/virtio/*" "$M/drivers/char/virtio_console.ko*"
SRCMOD=$tmp/lib/modules/$KVER
[ -f "$tmp/boot/vmlinuz-$KVER" ] || die "${DEBS[*]} have no vmlinuz of $KVER"
[ -f "$tmp/boot/config-$KVER" ] || die "${DEBS[*]} have no config of $KVER"
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
    echo "DEBS=\"${DEBS[*]}\""
    echo "MODULES=\"$MODULES\""
    echo "BUSYBOX=$BUSYBOX"
} > "$CACHE/kernel.env.tmp"
mv "$CACHE/kernel.env.tmp" "$CACHE/kernel.env"

echo "fetch-kernel: $did $PKG into $KDIR ($image, ${#order[@]} modules)"
