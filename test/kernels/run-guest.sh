#!/bin/bash
# run-guest.sh: boot Debian's 6.1 kernel under qemu (TCG), run one shell script
# inside as root, and exit with that script's exit code. The guest's
# architecture is the kernel cache's (x86_64 or arm64, see arch.sh).
#
# The guest is an initramfs only: busybox-static (all applets as symlinks),
# the kernel modules fetch-kernel.sh extracted (loaded at boot), and whatever
# files --add/--add-dyn name. Its /init mounts proc, sysfs, devtmpfs, devpts,
# tmpfs (/tmp /run /dev/shm), bpffs (/sys/fs/bpf), cgroup2 (/sys/fs/cgroup),
# optionally tracefs, brings loopback up, runs the script with busybox sh
# (stdout+stderr go to the second serial port, shown here live), prints a
# result marker with the exit code and powers off.
#
# Debian's busybox-static runs its own applet for a bare command name even
# when a file of that name is in PATH: call an added program that shares an
# applet's name (ip, tc, nc...) by its full path, e.g. /bin/tc.
#
# usage: run-guest.sh [options] --script FILE [-- ARGS...]
#   --cache DIR        kernel cache (default $TCPTRACE_KCACHE or ~/.cache/tcptrace-kernels);
#                      fetch-kernel.sh is run on it first when it holds no kernel
#   --arch ARCH        x86_64 or arm64: the kernel to fetch into an empty cache
#                      (default: this machine's); must match a filled cache's
#   --script FILE      shell script to run in the guest (ARGS after -- are its arguments)
#   --add SRC[:DEST]   copy a file or directory into the guest (repeatable);
#                      DEST defaults to /bin/<name>; a DEST ending in / is a directory
#   --add-dyn SRC[:DEST]  like --add for a dynamic executable, plus the shared
#                      libraries ldd lists for it (e.g. --add-dyn /usr/sbin/nft)
#   --sysroot DIR      --add-dyn takes the libraries from DIR, by the ELF's
#                      NEEDED entries (another architecture's programs, whose
#                      libraries ldd cannot list: fetch-userland.sh makes DIR)
#   --env NAME=VALUE   export a variable to the script (repeatable)
#   --timeout SECS     kill the guest after SECS seconds in all (default 120)
#   --idle SECS        kill it when the script has printed nothing for SECS
#                      seconds: it is hung, however long it may still run
#                      (default 0: no such limit)
#   --smp N            virtual CPUs (default 2)     --mem MB  memory (default 1024)
#   --cpu MODEL        qemu CPU model (default: x86_64 max, all that TCG emulates;
#                      arm64 neoverse-n1, see arch.sh)
#   --tracefs          also mount tracefs at /sys/kernel/tracing (default: not
#                      mounted, as on a freshly booted host)
#   --append ARGS      extra kernel command line
#   --bzimage          boot the compressed vmlinuz (default: the uncompressed
#                      vmlinux fetch-kernel.sh made, through PVH; same kernel)
#   --log FILE         keep the serial console log (kernel + init messages) in FILE
#   --quiet            do not print the timing line at the end
#
# Exit status: the script's exit code; 125 when the guest failed (did not
# boot, panicked, hung past --timeout or --idle, powered off without a result), after a
# line "guest failed: <reason>" and the last 40 lines of the console log.
# Needs: qemu-system-x86 (arm64: qemu-system-arm) busybox-static cpio
# xz-utils (see fetch-kernel.sh), setpriv (util-linux).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/arch.sh"
. "$HERE/elf.sh"
FAIL=125
prog=run-guest

usage() { awk '/^# usage:/ { p = 1 } p && !/^#/ { exit } p { sub(/^# ?/, ""); print }' "$0" >&2; exit 2; }
die() { echo "$prog: $*" >&2; exit 2; }

cache=${TCPTRACE_KCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcptrace-kernels}
script='' timeout=120 idle=0 smp=2 cpu='' mem=1024 tracefs=0 append='' log='' quiet=0 bzimage=0
arch='' sysroot=''
adds=() dyns=() envs=() args=()
while [ $# -gt 0 ]; do
    case $1 in
    --cache) cache=${2:?}; shift 2 ;;
    --arch) arch=${2:?}; shift 2 ;;
    --sysroot) sysroot=${2:?}; shift 2 ;;
    --script) script=${2:?}; shift 2 ;;
    --add) adds+=("${2:?}"); shift 2 ;;
    --add-dyn) dyns+=("${2:?}"); shift 2 ;;
    --env) case ${2:-} in *=*) envs+=("$2") ;; *) die "--env wants NAME=VALUE" ;; esac; shift 2 ;;
    --timeout) timeout=${2:?}; shift 2 ;;
    --idle) idle=${2:?}; shift 2 ;;
    --smp) smp=${2:?}; shift 2 ;;
    --cpu) cpu=${2:?}; shift 2 ;;
    --mem) mem=${2:?}; shift 2 ;;
    --tracefs) tracefs=1; shift ;;
    --append) append=${2:?}; shift 2 ;;
    --log) log=${2:?}; shift 2 ;;
    --bzimage) bzimage=1; shift ;;
    --quiet) quiet=1; shift ;;
    --) shift; args=("$@"); break ;;
    -h|--help) usage ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$script" ] || die "--script FILE is required"
[ -f "$script" ] || die "no such script: $script"
case $timeout$idle in ''|*[!0-9]*) die "--timeout and --idle want whole seconds" ;; esac

command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"
if [ ! -f "$cache/kernel.env" ]; then
    "$HERE/fetch-kernel.sh" ${arch:+--arch "$arch"} "$cache" >&2 || die "fetch-kernel.sh failed"
fi
KVER=$(sed -n 's/^KVER=//p' "$cache/kernel.env")
KDIR=$(sed -n 's/^KDIR=//p' "$cache/kernel.env")
[ -f "$KDIR/vmlinuz" ] || die "$KDIR/vmlinuz missing: run fetch-kernel.sh $cache"
# (a cache filled before it recorded its architecture is an x86_64 one)
karch=$(sed -n 's/^ARCH=//p' "$cache/kernel.env")
guest_arch "${karch:-x86_64}" >/dev/null || die "$cache/kernel.env: unknown ARCH=$karch"
if [ -n "$arch" ]; then
    [ "$(guest_arch "$arch" && echo "$G_ARCH")" = "${karch:-x86_64}" ] ||
        die "$cache holds a ${karch:-x86_64} kernel, not $arch: use another cache"
fi
cpu=${cpu:-$G_CPU}

QEMU=$(command -v "$G_QEMU") || die "$G_QEMU missing (apt-get install $G_QEMU_PKG)"
BUSYBOX=$(sed -n 's/^BUSYBOX=//p' "$cache/kernel.env")
if [ -z "$BUSYBOX" ]; then
    for b in /bin/busybox /usr/bin/busybox; do
        [ -x "$b" ] && elf_static "$b" && { BUSYBOX=$b; break; }
    done
fi
[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] || die "no static busybox (apt-get install busybox-static)"

work=$(mktemp -d /tmp/run-guest.XXXXXX)
qpid='' tpid=''
cleanup() {
    [ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null
    [ -n "$tpid" ] && kill "$tpid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

t0=$(date +%s.%N)
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,root,etc,harness,lib,lib64}
ln -s bin "$root/sbin"
mkdir -p "$root/usr"; ln -s ../bin "$root/usr/bin"; ln -s ../bin "$root/usr/sbin"

# ---- busybox with every applet -------------------------------------------
# (the applet symlinks are made by /init with busybox --install; it does not
# replace files that --add put in /bin)
cp "$BUSYBOX" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# ---- kernel modules -------------------------------------------------------
cp -a "$KDIR/root/lib/modules" "$root/lib/"
cp "$KDIR/modules.load" "$root/etc/modules.load"

# ---- minimal /etc (user and host names resolve) ----------------------------
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/:/bin/false' \
    > "$root/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' > "$root/etc/group"
printf '%s\n' '127.0.0.1 localhost guest' '::1 localhost' > "$root/etc/hosts"

# ---- user files -----------------------------------------------------------
place() {   # SRC DEST: copy SRC (file or dir) to DEST inside the root
    local src=$1 dest=$2
    case $dest in
        "") dest=/bin/$(basename "$src") ;;
        */) dest=$dest$(basename "$src") ;;
    esac
    case $dest in /*) ;; *) dest=/$dest ;; esac
    [ -e "$src" ] || die "no such file: $src"
    mkdir -p "$root$(dirname "$dest")"
    rm -f "$root$dest"   # may be a busybox applet symlink
    cp -aL "$src" "$root$dest" || die "cannot copy $src"
}
split() { # SPEC -> sets s_src s_dest (SRC[:DEST])
    case $1 in
        *:*) s_src=${1%%:*}; s_dest=${1#*:} ;;
        *) s_src=$1; s_dest= ;;
    esac
}
for spec in "${adds[@]+"${adds[@]}"}"; do split "$spec"; place "$s_src" "$s_dest"; done
libs_of() {   # FILE: the absolute paths of the shared libraries it loads
    if [ -n "$sysroot" ]; then
        elf_libs "$sysroot" "$1"
        return
    fi
    # ldd lines: "libx.so => /path/libx.so (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)"
    ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
}
for spec in "${dyns[@]+"${dyns[@]}"}"; do
    split "$spec"; place "$s_src" "$s_dest"
    libs=$(libs_of "$s_src") || die "libraries of $s_src missing in $sysroot"
    for lib in $libs; do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$sysroot$lib" "$root$lib"
    done
done

# ---- the script and its environment ---------------------------------------
cp "$script" "$root/harness/script"
cp "$HERE/guest-lib.sh" "$root/harness/lib.sh"
squote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
    for e in "${envs[@]+"${envs[@]}"}"; do
        printf 'export %s=%s\n' "${e%%=*}" "$(squote "${e#*=}")"
    done
    printf 'set --'
    for a in "${args[@]+"${args[@]}"}"; do printf ' %s' "$(squote "$a")"; done
    printf '\n'
} > "$root/harness/env"

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
MARK="@@GUEST-$nonce"
cat > "$root/init" <<EOF
#!/bin/sh
# PID 1 of the test guest: set the system up, run /harness/script, power off.
export PATH=/bin HOME=/root TERM=dumb
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
[ $tracefs = 1 ] && mount -t tracefs tracefs /sys/kernel/tracing
hostname guest
ip link set lo up
while read -r m; do insmod "\$m" || echo "init: insmod \$m failed"; done < /etc/modules.load
out=$G_OUT
# A virtio console appears once its module has probed the device, and its
# node can exist a moment before it opens: hvc_open() fails with EINVAL
# ("request_irq failed with rc -22") until the driver has listed the port.
# Retry the open (a failed plain exec would end init: a panic), only once
# the node is there (an open before would create a plain file of that
# name), and keep the first that succeeds: a virtio console resets its
# settings at its last close.
i=0 f=0
while :; do
    if [ -c \$out ]; then
        { command exec 3>\$out; } 2>/dev/null && break
        f=\$((f + 1))
    fi
    i=\$((i + 1))
    if [ \$i -gt 200 ]; then
        echo "init: cannot open \$out" > /dev/console
        poweroff -f
    fi
    sleep 0.05
done
[ \$f -gt 0 ] && echo "init: \$out opened after \$f failed opens" > /dev/console
stty -F \$out raw -echo 2>/dev/null
echo "$MARK-START \$(cut -d' ' -f1 /proc/uptime)" > \$out
(cd /root && . /harness/env && exec sh /harness/script "\$@") < /dev/null > \$out 2>&1
rc=\$?
echo "$MARK-RESULT \$rc \$(cut -d' ' -f1 /proc/uptime)" > \$out
sync
poweroff -f
sleep 5
echo "init: poweroff failed"
while :; do sleep 1000; done
EOF
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$work/initrd" || die "cpio failed"

# ---- boot -----------------------------------------------------------------
console=$work/console.log out=$work/out.log
: > "$console"; : > "$out"
# The uncompressed vmlinux boots through its PVH entry, skipping the slow
# in-guest decompression of the bzImage.
kimage=$KDIR/vmlinuz
[ "$bzimage" = 0 ] && [ -f "$KDIR/vmlinux" ] && kimage=$KDIR/vmlinux
cmdline="console=$G_CONSOLE quiet loglevel=4 panic=-1 oops=panic mitigations=off"
cmdline="$cmdline $G_APPEND random.trust_cpu=on rdinit=/init $append"
guest_out_args "$out"
t1=$(date +%s.%N)
# (setpriv --pdeathsig: the guest is killed when this script dies, even of SIGKILL)
setpriv --pdeathsig KILL "$QEMU" "${G_MACHINE[@]}" -cpu "$cpu" -smp "$smp" -m "$mem" \
    -nographic -nodefaults -no-user-config -no-reboot -monitor none \
    -serial "file:$console" "${G_OUT_ARGS[@]}" \
    -kernel "$kimage" -initrd "$work/initrd" -append "$cmdline" \
    </dev/null >"$work/qemu.err" 2>&1 &
qpid=$!

# Show the script's output live, without the marker lines.
# (A script whose output does not end in a newline leaves the marker at the
# end of its last line, so markers are matched anywhere in a line.)
tail -n +1 -s 0.2 -f --pid="$qpid" "$out" 2>/dev/null |
    sed -u -e "/^$MARK-/d" -e "s/$MARK-.*//" &
tpid=$!

# (bash's SECONDS: no fork of date a round; stat only when idle counts)
SECONDS=0
timed_out=0 hung=0 tboot='' size=0 last=0 next=0
while kill -0 "$qpid" 2>/dev/null; do
    if [ -z "$tboot" ] && grep -aq "$MARK-START" "$out"; then tboot=$(date +%s.%N); fi
    if [ "$idle" -gt 0 ] && [ "$SECONDS" -ge "$next" ]; then
        next=$((SECONDS + 2))
        now=$(stat -c %s "$out")
        if [ "$now" != "$size" ]; then
            size=$now last=$SECONDS
        elif [ $((SECONDS - last)) -ge "$idle" ]; then
            hung=1
        fi
    fi
    if [ "$SECONDS" -ge "$timeout" ] || [ $hung = 1 ]; then
        timed_out=1
        kill "$qpid" 2>/dev/null; sleep 1; kill -9 "$qpid" 2>/dev/null
        break
    fi
    sleep 0.1
done
wait "$qpid" 2>/dev/null; qrc=$?
qpid=
wait "$tpid" 2>/dev/null; tpid=
t2=$(date +%s.%N)
[ -n "$log" ] && cp "$console" "$log"

since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
result=$(grep -ao "$MARK-RESULT [0-9]* [0-9.]*" "$out" | tail -n 1)
started=$(grep -ao "$MARK-START [0-9.]*" "$out" | tail -n 1)

fail() {
    echo "guest failed: $*" >&2
    echo "---- last 40 lines of the console log ----" >&2
    # (without the firmware's terminal escape sequences)
    tr -d '\r' < "$console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g' | tail -n 40 >&2
    [ -s "$work/qemu.err" ] && { echo "---- qemu ----" >&2; tail -n 10 "$work/qemu.err" >&2; }
    echo "---- (total $(since "$t0" "$t2") s) ----" >&2
    exit $FAIL
}
if [ -n "$result" ]; then
    set -- $result
    rc=$2
    if [ "$quiet" = 0 ]; then
        boot=$(echo "$started" | cut -d' ' -f2)
        echo "$prog: exit $rc; kernel $KVER; guest uptime at script start ${boot}s," \
             "at end ${3}s; build $(since "$t0" "$t1") s, boot-to-script" \
             "$(since "$t1" "${tboot:-$t2}") s, total $(since "$t0" "$t2") s" >&2
    fi
    exit "$rc"
fi
if [ "$hung" = 1 ]; then
    fail "hung: no output for ${idle}s (after $SECONDS s in all)"
fi
if [ "$timed_out" = 1 ]; then
    if [ -n "$started" ]; then fail "timeout after ${timeout}s (the script did not finish)"
    else fail "timeout after ${timeout}s (the guest did not reach the script)"; fi
fi
if grep -aq 'Kernel panic' "$console"; then
    fail "kernel panic ($(grep -a 'Kernel panic' "$console" | head -n 1 | tr -d '\r' | sed 's/^.*Kernel panic - //'))"
fi
[ "$qrc" != 0 ] && fail "qemu exited with status $qrc"
if [ -n "$started" ]; then
    fail "the guest powered off without a result (did the script power it off or kill init?)"
fi
fail "the guest stopped before running the script"
