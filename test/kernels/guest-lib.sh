# guest-lib.sh: shell functions for scripts run inside the qemu guest
# (run-guest.sh puts this file at /harness/lib.sh; use `. /harness/lib.sh`).
#
# Busybox `ip` has no `ip netns` and ignores a veth peer's name, so named
# network namespaces are made the way iproute2 makes them: a bind mount of
# the namespace on /run/netns/NAME (busybox unshare --net=FILE), entered with
# busybox nsenter --net=FILE.
#
#   netns_add NAME              new namespace with lo up and IPv6 DAD off
#   netns_exec NAME CMD...      run CMD inside it
#   netns_veth NS1 IF1 NS2 IF2  veth pair, IF1 in NS1 and IF2 in NS2, both up
#   netns_del NAME              remove it (its interfaces go with it)
#   wait_port NS PORT [SECS]    wait until something listens on TCP PORT in NS
#
# Only addresses from 198.18.0.0/15 and 2001:db8::/32 belong in tests.

NETNS_DIR=/run/netns

netns_add() {
    mkdir -p "$NETNS_DIR" || return 1
    [ ! -e "$NETNS_DIR/$1" ] || { echo "netns_add: $1 exists" >&2; return 1; }
    : > "$NETNS_DIR/$1" || return 1
    # Addresses are usable at once: no duplicate address detection.
    unshare --net="$NETNS_DIR/$1" sh -c '
        ip link set lo up &&
        sysctl -qw net.ipv6.conf.all.accept_dad=0 &&
        sysctl -qw net.ipv6.conf.default.accept_dad=0' || {
        umount "$NETNS_DIR/$1" 2>/dev/null; rm -f "$NETNS_DIR/$1"; return 1; }
}

netns_exec() {
    _ns=$1; shift
    nsenter --net="$NETNS_DIR/$_ns" "$@"
}

netns_del() {
    umount "$NETNS_DIR/$1" 2>/dev/null
    rm -f "$NETNS_DIR/$1"
}

# The pid of a process inside namespace NAME, kept alive until netns_unhold.
# Busybox `ip link set DEV netns` takes only a pid.
_netns_hold() {
    _f=/tmp/.netns-hold.$$.$1
    rm -f "$_f"
    nsenter --net="$NETNS_DIR/$1" sh -c "echo \$\$ > $_f.tmp && mv $_f.tmp $_f && exec sleep 600" </dev/null >/dev/null 2>&1 &
    _i=0
    while [ ! -s "$_f" ]; do
        _i=$((_i + 1)); [ $_i -le 200 ] || { echo "netns: holder for $1 did not start" >&2; return 1; }
        usleep 10000
    done
    cat "$_f"
    rm -f "$_f"
}

netns_veth() {   # NS1 IF1 NS2 IF2
    # Made inside NS1; busybox names the peer itself (vethN), so find and
    # rename it, then move it to NS2.
    netns_exec "$1" ip link add "$2" type veth || return 1
    _peer=$(netns_exec "$1" ip -o link show | sed -n "s/^[0-9]*: \([^@:]*\)@$2: .*/\1/p")
    [ -n "$_peer" ] || { echo "netns_veth: no peer for $2" >&2; return 1; }
    _pid=$(_netns_hold "$3") || return 1
    netns_exec "$1" ip link set "$_peer" name "$4" &&
        netns_exec "$1" ip link set "$4" netns "$_pid"
    _rc=$?
    kill "$_pid" 2>/dev/null
    wait "$_pid" 2>/dev/null
    [ $_rc = 0 ] || return 1
    netns_exec "$1" ip link set "$2" up && netns_exec "$3" ip link set "$4" up
}

wait_port() {    # NS PORT [SECS]: poll /proc/net/tcp{,6} for a listener
    _hex=$(printf '%04X' "$2")
    _n=$(( ${3:-5} * 20 ))
    while [ $_n -gt 0 ]; do
        if netns_exec "$1" cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
            awk -v p=":$_hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }'; then
            return 0
        fi
        usleep 50000; _n=$((_n - 1))
    done
    echo "wait_port: nothing listens on $2 in $1" >&2
    return 1
}
