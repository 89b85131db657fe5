# selftest.guest.sh: runs inside the qemu guest (busybox sh, as root) and
# checks what the harness promises: the 6.1 kernel with BTF, bpffs, tracefs
# on demand, the kprobe PMU, named network namespaces joined by veth with
# IPv4 and IPv6 addresses, TCP between them with busybox nc, and, when the
# nft binary was added, nftables dropping and rejecting SYNs.
# Prints "ok"/"not ok" per check (with the output of failed ones, of all with
# VERBOSE=1) and a closing "N passed, N failed" line.

. /harness/lib.sh

pass=0 fail=0 skip=0
ok()   { pass=$((pass + 1)); echo "ok - $*"; }
nok()  { fail=$((fail + 1)); echo "not ok - $*"; }
skip() { skip=$((skip + 1)); echo "skip - $*"; }
check() {   # NAME CMD...: ok when CMD succeeds
    _name=$1; shift
    if "$@" >/tmp/check.out 2>&1; then
        ok "$_name"; [ -z "${VERBOSE:-}" ] || sed 's/^/    /' /tmp/check.out
    else
        nok "$_name"; sed 's/^/    /' /tmp/check.out
    fi
}
uptime_s() { cut -d' ' -f1 /proc/uptime; }

echo "# kernel $(uname -r), $(nproc) cpus, $(awk '/MemTotal/ { print int($2 / 1024) " MiB" }' /proc/meminfo), uptime $(uptime_s)s"

# ---- kernel facilities ----------------------------------------------------
check "kernel is 6.1" sh -c 'uname -r | grep -q "^6\.1\."'
btf_magic() { [ "$(head -c 2 /sys/kernel/btf/vmlinux | od -An -tx1 | tr -d ' ')" = 9feb ]; }
check "BTF at /sys/kernel/btf/vmlinux ($(stat -c %s /sys/kernel/btf/vmlinux 2>/dev/null) bytes)" btf_magic
check "bpffs mounted at /sys/fs/bpf" grep -q '^bpf /sys/fs/bpf bpf ' /proc/mounts
check "cgroup2 mounted at /sys/fs/cgroup" grep -q '^cgroup2 /sys/fs/cgroup cgroup2 ' /proc/mounts
check "kprobe PMU (/sys/bus/event_source/devices/kprobe)" test -r /sys/bus/event_source/devices/kprobe/type
check "tcp_v4_connect, inet_csk_accept in kallsyms" \
    sh -c 'grep -q " tcp_v4_connect$" /proc/kallsyms && grep -q " inet_csk_accept$" /proc/kallsyms'
tracefs_check() {
    mounted=0
    if ! grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts; then
        mount -t tracefs tracefs /sys/kernel/tracing || return 1
        mounted=1
    fi
    r=0
    for e in sock/inet_sock_set_state syscalls/sys_enter_accept4 syscalls/sys_exit_accept4; do
        [ -r "/sys/kernel/tracing/events/$e/id" ] || { echo "no $e"; r=1; }
    done
    [ $mounted = 0 ] || umount /sys/kernel/tracing
    return $r
}
if grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts; then tf="mounted (--tracefs)"; else tf="not mounted at boot"; fi
check "tracefs ($tf) has sock:inet_sock_set_state, syscalls:sys_*_accept4" tracefs_check
check "modules veth nf_tables loaded" sh -c 'lsmod | grep -q "^veth " && lsmod | grep -q "^nf_tables "'

# ---- network namespaces and veth ------------------------------------------
t0=$(uptime_s)
check "netns a and b" sh -c '. /harness/lib.sh; netns_add a && netns_add b'
check "veth va (in a) <-> vb (in b)" sh -c '. /harness/lib.sh; netns_veth a va b vb'
check "addresses 198.18.0.1/24 2001:db8::1/64 on va" sh -c '. /harness/lib.sh
    netns_exec a ip addr add 198.18.0.1/24 dev va && netns_exec a ip -6 addr add 2001:db8::1/64 dev va'
check "addresses 198.18.0.2/24 2001:db8::2/64 on vb" sh -c '. /harness/lib.sh
    netns_exec b ip addr add 198.18.0.2/24 dev vb && netns_exec b ip -6 addr add 2001:db8::2/64 dev vb'
check "no tentative IPv6 address (DAD off)" sh -c '. /harness/lib.sh
    ! netns_exec a ip -6 addr show dev va | grep tentative && ! netns_exec b ip -6 addr show dev vb | grep tentative'
check "ping 198.18.0.2 from a" netns_exec a ping -c 1 -W 2 198.18.0.2
check "ping 2001:db8::2 from a" netns_exec a ping6 -c 1 -W 2 2001:db8::2
check "namespaces are isolated (a has no vb, default has neither)" sh -c '. /harness/lib.sh
    ! netns_exec a ip link show vb && ! ip link show va && ! ip link show vb'
echo "# netns + veth setup took $(awk -v a="$t0" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }') s"

tcp_roundtrip() {   # ADDR PORT: server in b, client in a, data both ways
    rm -f /tmp/srv.out /tmp/cli.out
    netns_exec b sh -c "echo from-server | nc -l -p $2 > /tmp/srv.out" &
    spid=$!
    wait_port b "$2" 5 || { kill $spid; return 1; }
    echo "from-client" | netns_exec a nc -w 3 "$1" "$2" > /tmp/cli.out
    crc=$?
    wait $spid
    echo "client rc=$crc server got '$(cat /tmp/srv.out)' client got '$(cat /tmp/cli.out)'"
    [ "$(cat /tmp/srv.out)" = from-client ] && [ "$(cat /tmp/cli.out)" = from-server ]
}
check "TCP 198.18.0.1 -> 198.18.0.2:5000 (busybox nc)" tcp_roundtrip 198.18.0.2 5000
check "TCP [2001:db8::1] -> [2001:db8::2]:5006 (busybox nc)" tcp_roundtrip 2001:db8::2 5006

# ---- nftables (only when the nft binary was added) -------------------------
if command -v nft >/dev/null 2>&1; then
    check "nft runs ($(nft --version 2>&1))" nft list ruleset
    check "nft: in b, drop SYNs to 5001, reject SYNs to 5002" netns_exec b nft -f - <<'EOF'
table inet t {
    chain in {
        type filter hook input priority 0; policy accept;
        tcp dport 5001 tcp flags & (syn | ack) == syn counter drop
        tcp dport 5002 tcp flags & (syn | ack) == syn counter reject with tcp reset
    }
}
EOF
    conn_fails() {   # ADDR PORT: a listener exists, yet the connect fails
        netns_exec b nc -l -p "$2" > /dev/null &
        spid=$!
        wait_port b "$2" 5 || return 1
        s=$(uptime_s)
        echo x | netns_exec a nc -w 2 "$1" "$2"
        crc=$?
        e=$(uptime_s)
        kill $spid 2>/dev/null; wait $spid 2>/dev/null
        echo "client rc=$crc after $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }') s"
        [ $crc != 0 ]
    }
    check "SYN to 198.18.0.2:5001 dropped (connect times out)" conn_fails 198.18.0.2 5001
    check "SYN to [2001:db8::2]:5002 rejected (reset)" conn_fails 2001:db8::2 5002
    check "nft counters saw the SYNs" sh -c '. /harness/lib.sh
        t=$(netns_exec b nft list table inet t); echo "$t"
        [ "$(echo "$t" | grep -c "counter packets [1-9]")" = 2 ]'
    check "TCP to 198.18.0.2:5000 still works under the ruleset" tcp_roundtrip 198.18.0.2 5000
else
    skip "nftables: no nft binary in the guest (run-guest.sh --add-dyn /usr/sbin/nft)"
fi

# ---- static helper programs given with --add ------------------------------
if [ -x /bin/bpf-attach-probe ]; then
    for how in tracepoint raw_tp tp_btf kprobe kretprobe fentry fexit; do
        if [ $how = tracepoint ] && ! grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts; then
            # classic tracepoints take their id from tracefs
            mount -t tracefs tracefs /sys/kernel/tracing
            check "bpf-attach-probe $how (tracefs mounted for it)" bpf-attach-probe $how
            umount /sys/kernel/tracing
        else
            check "bpf-attach-probe $how" bpf-attach-probe $how
        fi
    done
else
    skip "BPF attach checks: no /bin/bpf-attach-probe (selftest.sh adds it)"
fi

check "netns cleanup" sh -c '. /harness/lib.sh; netns_del a && netns_del b && [ -z "$(ls /run/netns)" ]'

echo "# script took until uptime $(uptime_s)s"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
