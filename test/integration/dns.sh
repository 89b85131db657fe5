# shellcheck shell=bash
# Helpers of the -d/--dns tests (test_connect.sh, test_life.sh source this
# file): DNS responders and resolvers (test/peer/ttdns.c) inside the test
# namespaces. Names are under tt.test, addresses from 127.0.0.0/8, the test
# ranges 198.18.0.0/15 and 2001:db8::/32 only. glibc's resolver reads the
# resolv.conf that `ip netns exec` bind-mounts from /etc/netns/NS/ in the
# private mount namespace it runs each command in.

TTDNS=${TTDNS:-$BUILD/ttdns}
DNS=127.0.0.77 # the responder's address in a test namespace

# dns_serve NS ADDR RECORD...: a responder on ADDR:53 in NS for the rest of
# the test (netns_down ends it); records as `ttdns serve` takes them.
dns_serve() {
	local ns=$1 addr=$2 ready
	ready=$WORK/dns.$ns.$addr.ready
	shift 2
	rm -f "$ready"
	ip netns exec "$ns" "$TTDNS" serve "$addr" --ready "$ready" "$@" >/dev/null &
	for _ in $(seq 1 100); do
		[ -f "$ready" ] && return 0
		sleep 0.02
	done
	fail "DNS responder on $addr in $ns did not start"
}

# dns_relay NS ADDR UPSTREAM: a stub relay on ADDR:53 (as systemd-resolved's
# 127.0.0.53) relaying each query to UPSTREAM:53 from a socket of its own.
dns_relay() {
	local ready=$WORK/relay.$1.$2.ready
	rm -f "$ready"
	ip netns exec "$1" "$TTDNS" relay "$2" "$3" --ready "$ready" >/dev/null &
	for _ in $(seq 1 100); do
		[ -f "$ready" ] && return 0
		sleep 0.02
	done
	fail "DNS relay on $2 in $1 did not start"
}

# dns_resolv_conf NS NAMESERVER: what glibc's resolver uses in NS.
dns_resolv_conf() {
	mkdir -p "/etc/netns/$1" || return 1
	echo "nameserver $2" >"/etc/netns/$1/resolv.conf"
	echo "hosts: files dns" >"/etc/netns/$1/nsswitch.conf"
	# ip netns exec binds onto these: the guest's /etc has neither
	[ -e /etc/resolv.conf ] || : >/etc/resolv.conf
	[ -e /etc/nsswitch.conf ] || : >/etc/nsswitch.conf
}

# resolve NS ARGS...: `ttdns resolve ARGS` in NS; its lines in RES_OUT, its
# connection's line (conn pid=.. lport=..) in CONN.
resolve() {
	local ns=$1
	shift
	RES_OUT=$(ip netns exec "$ns" "$TTDNS" resolve "$@") ||
		fail "ttdns resolve $*: $RES_OUT" || return 1
	CONN=$(grep '^conn ' <<<"$RES_OUT" || :)
}

# expect_query CONN_LINE NAME [JQ]: the one event of that connection (by pid
# and source port) has query NAME ('-' for null) and JQ holds.
expect_query() {
	local pid lport q=null
	pid=$(peer_field "$1" pid)
	lport=$(peer_field "$1" lport)
	[ -n "$pid" ] && [ -n "$lport" ] || fail "not a connection line: '$1'" || return 1
	[ "$2" = - ] || q="\"$2\""
	expect_json 1 ".pid == $pid and .lport == $lport" || return 1
	expect_json 1 ".pid == $pid and .lport == $lport and .query == $q ${3:+and ($3)}"
}

# A name this process resolved itself, moments ago, fresh.
OWN='.query_scope == "process" and .query_candidates == 1 and .query_stale == false and
	.query_age_ns > 0 and .query_age_ns < 10000000000'

# dns_counter NAME: that counter of the trace's {"event":"dns"} line.
dns_counter() {
	jq -r "select(.event == \"dns\") | .$1" "$TRACE_OUT"
}

# The cgroup programs a tracer attached to the cgroup v2 root, among the ids
# given, one per line: as `bpftool cgroup tree` lists them, or where its
# listing is empty, by the cgroup links `bpftool link show` lists. Before
# Linux 6.0 the kernel refuses the query bpftool 7 lists them with (its
# prog_attach_flags, EINVAL: measured on 5.10), while links are listed.
attached_ids() {
	local ids=" $* " got root
	got=$(bpftool cgroup tree 2>/dev/null | awk -v ids="$ids" '$1 ~ /^[0-9]+$/ && index(ids, " " $1 " ")')
	if [ -z "$got" ]; then
		root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
		root=$(stat -c %i "${root:-/sys/fs/cgroup}")
		got=$(bpftool -j link show 2>/dev/null | jq -r --argjson root "$root" \
			'.[] | select(.type == "cgroup" and .cgroup_id == $root) | .prog_id' |
			awk -v ids="$ids" 'index(ids, " " $1 " ")')
	fi
	[ -z "$got" ] || echo "$got"
}
