# shellcheck shell=bash
# --containers and --container beyond what each mode's own tests check on
# every attach plan (test_connect.sh, test_accept.sh, test_life.sh): the
# filter, counts per container, hostile state files, a host without a
# usable cgroup v2 tree, -d in the same run, exactly CAP_BPF and
# CAP_PERFMON, nothing loaded or added without the option, and a real
# runtime (runc running a busybox container in a Docker-like and a
# Kubernetes-like layout, also started after the tracer dropped its
# privileges). What these check is the same on every plan: the kernel side
# is the one probe whose plans the mode tests cover.

source "$(dirname "${BASH_SOURCE[0]}")/lib-containers.sh"
# shellcheck source=test/integration/dns.sh
source "$(dirname "${BASH_SOURCE[0]}")/dns.sh"

# One client connection from each of the cgroups given; CLI_PIDS their pids.
clients_from() {
	local dir
	CLI_PIDS=()
	for dir in "$@"; do
		CG_DIR=$dir client "$NS_A" $B4 "$SRV_PORT"
		CLI_PIDS+=("$(peer_field "$CLI_OUT" pid)")
	done
}

# --container by id prefix, name, pod, namespace/pod and unit (escaped as
# systemd does, given unescaped); the union of the patterns; others dropped.
t_filter_by_id_name_pod_unit() {
	local dirs=() conds=() i
	ctr_init || return 1
	ctr_docker_systemd 1 web || return 1
	dirs+=("$CTR_DIR") conds+=("$CTR_COND")
	local prefix=${CTR_ID:0:12}
	ctr_podman 2 db || return 1
	dirs+=("$CTR_DIR") conds+=("$CTR_COND")
	ctr_containerd_systemd 3 api || return 1
	dirs+=("$CTR_DIR") conds+=("$CTR_COND")
	ctr_crio_systemd 4 cart || return 1
	dirs+=("$CTR_DIR") conds+=("$CTR_COND")
	ctr_service 5 'edge\x2dproxy' || return 1
	dirs+=("$CTR_DIR") conds+=("$CTR_COND")
	ctr_docker_cgroupfs 6 other || return 1
	dirs+=("$CTR_DIR")
	srv s "$NS_B" $B4 0 --count 6
	trace_start c connect --json --host-root "$HOST" --container "$prefix" \
		--container db,shop/api-pod --container cart-0 --container tt@edge-proxy.service ||
		return 1
	clients_from "${dirs[@]}"
	trace_stop || return 1
	expect_json 5 ".rport == $SRV_PORT" || return 1
	for i in 0 1 2 3 4; do
		expect_json 1 ".pid == ${CLI_PIDS[$i]} and ${conds[$i]}" || return 1
	done
	expect_json 0 ".pid == ${CLI_PIDS[5]}" || return 1
	# the counters at exit: the filtered-out one was enriched too; nothing missed
	expect_json 1 '.event == "containers"' '.events >= 6 and .no_cgroup_id == 0 and
		.no_path == 0 and .by_handle >= 6 and .handle_denied == 0 and .lost == 0 and
		.cache_cgroups >= 6 and .lookups == .found + .not_found'
}

# -c --containers: one row per container (and per destination, as without).
t_count_per_container() {
	local web svc
	ctr_init || return 1
	ctr_docker_systemd 1 web || return 1
	web=$CTR_DIR
	ctr_service 2 counted || return 1
	svc=$CTR_DIR
	srv s "$NS_B" $B4 0 --count 5
	trace_start c connect -c --json --containers --host-root "$HOST" || return 1
	clients_from "$web" "$web" "$svc" "$svc" "$svc"
	trace_stop || return 1
	expect_json 1 ".rport == $SRV_PORT and .container_name == \"web\" and .count == 2 and
		.container_runtime == \"docker\" and .laddr == \"$A4\" and .raddr == \"$B4\"" ||
		return 1
	expect_json 1 ".rport == $SRV_PORT and .systemd_unit == \"tt@counted.service\" and
		.container_id == null and .count == 3" || return 1
	expect_json 2 ".rport == $SRV_PORT"
}

# State files that are a FIFO, too large, not JSON, a symlink, or hostile
# text: their names are null; nothing stalls; what the path says stays.
t_hostile_state_files() {
	local dirs=() ids=() big i
	ctr_init || return 1
	for i in 1 2 3 4 5; do
		ctr_docker_systemd "$i" "n$i" || return 1
		dirs+=("$CTR_DIR") ids+=("$CTR_ID")
	done
	local d=/var/lib/docker/containers
	rm "$HOST$d/${ids[0]}/config.v2.json" && mkfifo "$HOST$d/${ids[0]}/config.v2.json"
	big=$(printf '%*s' 1100000 '' | tr ' ' x)
	host_file "$d/${ids[1]}/config.v2.json" "{\"Name\":\"/big\",\"Pad\":\"$big\"}"
	host_file "$d/${ids[2]}/config.v2.json" "{\"Name\":\"/cut"
	host_file /elsewhere.json '{"Name":"/linked"}'
	rm "$HOST$d/${ids[3]}/config.v2.json"
	ln -s ../../../../../elsewhere.json "$HOST$d/${ids[3]}/config.v2.json"
	host_file "$d/${ids[4]}/config.v2.json" '{"Name":"/evil\nPID 1 root","Config":{"Image":7}}'
	srv s "$NS_B" $B4 0 --count 5
	trace_start c connect --json --containers --host-root "$HOST" || return 1
	clients_from "${dirs[@]}"
	trace_stop || return 1
	for i in 0 1 2 3 4; do
		expect_json 1 ".pid == ${CLI_PIDS[$i]} and .container_id == \"${ids[$i]}\" and
			.container_runtime == \"docker\" and .container_name == null and
			.container_image == null and .systemd_unit == \"docker-${ids[$i]}.scope\"" ||
			return 1
	done
}

# tcptrace in a cgroup namespace of its own, where the only cgroup2 mount is
# its own subtree: one warning (stderr and JSON), then events with the
# cgroup id and nulls; --container cannot work there: exit 1, one line.
t_no_whole_hierarchy_warns_once() {
	host_only "needs util-linux unshare"
	local wrap=$WORK/in-own-cgroupns
	ctr_init || return 1
	ctr_docker_systemd 1 web || return 1
	local web=$CTR_DIR cgid=$CTR_CGID
	mkdir "$CTR_ROOT/tracer" || return 1
	cat >"$wrap" <<EOF
#!/bin/bash
echo \$\$ >"$CTR_ROOT/tracer/cgroup.procs" || exit 1
exec unshare -C -m bash -c 'm=\$(awk "\\\$3 == \"cgroup2\" {print \\\$2; exit}" /proc/mounts) &&
	umount -l "\$m" && mount -t cgroup2 none "\$m" && exec "\$0" "\$@"' "$TT" "\$@"
EOF
	chmod +x "$wrap"
	srv s "$NS_B" $B4 0
	TT=$wrap trace_start c connect --json --containers --host-root "$HOST" || return 1
	CG_DIR=$web client "$NS_A" $B4 "$SRV_PORT"
	trace_stop || return 1
	expect_json 1 ".pid == $(peer_field "$CLI_OUT" pid) and .cgroup_id == $cgid and
		.cgroup == null and .container_id == null and .systemd_unit == null" || return 1
	expect_json 1 '.event == "warning" and .option == "--containers" and
		(.message | test("no cgroup2 mount shows the whole hierarchy .tcptrace runs in a cgroup namespace of its own"))' ||
		return 1
	expect_eq "stderr warnings" "$(grep -c '^tcptrace: --containers: ' "$TRACE_ERR")" 1 || return 1
	"$wrap" connect --container web --duration 1 >"$WORK/f.out" 2>"$WORK/f.err"
	expect_eq "--container exit status" $? 1 || return 1
	expect_eq "stderr" "$(cat "$WORK/f.err")" "tcptrace: --container: no cgroup2 mount shows the whole hierarchy (tcptrace runs in a cgroup namespace of its own: mount the host's /sys/fs/cgroup, or run in the host's cgroup namespace): no container could be told apart"
}

# With -d too, both enrichers in one run: each event has its container's
# keys and then its DNS name; their records share the mode's ring buffer.
t_with_dns_names() {
	ctr_init || return 1
	ctr_docker_systemd 1 web || return 1
	dns_serve "$NS_A" $DNS web.tt.test=A:127.0.0.31 || return 1
	trace_start c connect --json --containers -d --host-root "$HOST" || return 1
	RES_OUT=$(in_cgroup "$CTR_DIR" nsenter --net="/run/netns/$NS_A" "$TTDNS" resolve \
		--server $DNS web.tt.test --connect 9) || fail "ttdns resolve: $RES_OUT" || return 1
	CONN=$(grep '^conn ' <<<"$RES_OUT")
	trace_stop || return 1
	expect_query "$CONN" web.tt.test "$OWN and .raddr == \"127.0.0.31\" and $CTR_COND" ||
		return 1
	expect_json 1 ".pid == $(peer_field "$CONN" pid)" "[keys_unsorted[]] | .[-17:] == [\"cgroup\",
		\"cgroup_id\", \"container_id\", \"container_runtime\", \"container_name\",
		\"container_image\", \"k8s_namespace\", \"k8s_pod\", \"k8s_pod_uid\", \"k8s_container\",
		\"systemd_unit\", \"query\", \"query_cname\", \"query_age_ns\", \"query_stale\",
		\"query_scope\", \"query_candidates\"]"
}

# With exactly CAP_BPF and CAP_PERFMON (no CAP_DAC_READ_SEARCH): a cgroup
# that existed before the tracer cannot be opened by its handle, which is
# said once (stderr and JSON) and leaves its event with the cgroup id only;
# one created after it attached is named from its cgroup_mkdir record.
t_without_dac_read_search() {
	local wrap=$WORK/tt-minpriv old new c_new
	ctr_init || return 1
	ctr_docker_systemd 1 before || return 1
	old=$CTR_DIR
	local cgid=$CTR_CGID
	printf '#!/bin/bash\nexec setpriv --inh-caps=-all,+bpf,+perfmon --bounding-set=-all,+bpf,+perfmon -- %q "$@"\n' \
		"$TT" >"$wrap" && chmod +x "$wrap" || return 1
	srv s "$NS_B" $B4 0 --count 2
	TT=$wrap trace_start c connect --json --containers --host-root "$HOST" || return 1
	CG_DIR=$old client "$NS_A" $B4 "$SRV_PORT"
	local p_old
	p_old=$(peer_field "$CLI_OUT" pid)
	ctr_docker_systemd 2 after || return 1
	new=$CTR_DIR c_new=$CTR_COND
	CG_DIR=$new client "$NS_A" $B4 "$SRV_PORT"
	trace_stop || return 1
	expect_json 1 ".pid == $p_old" ".cgroup_id == $cgid and .cgroup == null and
		.container_id == null and .container_name == null and .systemd_unit == null" || return 1
	expect_json 1 ".pid == $(peer_field "$CLI_OUT" pid)" "$c_new" || return 1
	expect_json 1 '.event == "warning" and .option == "--containers"' \
		'.message | startswith("opening cgroups by handle needs CAP_DAC_READ_SEARCH (")' ||
		return 1
	# the misses by reason: the old cgroup's path unknown (handles refused once,
	# then not tried), the new one's from its cgroup_mkdir record
	expect_json 1 '.event == "containers"' '.events >= 2 and .no_path >= 1 and
		.handle_denied == 1 and .by_handle == 0 and .cgroups_created >= 1' || return 1
	expect_eq "stderr warnings" "$(grep -c '^tcptrace: --containers: ' "$TRACE_ERR")" 1
}

# Without --containers: no key added, no program loaded, no helper call in
# the programs (the switch is read-only data the verifier folds away).
t_nothing_without_the_option() {
	local id names calls
	srv s "$NS_B" $B4 0 --count 2
	trace_start c connect --json || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	names=$(for id in $TRACE_PROGS; do bpftool prog show id "$id" -j | jq -r .name; done)
	calls=$(for id in $TRACE_PROGS; do bpftool prog dump xlated id "$id"; done |
		grep -c 'call bpf_get_current_cgroup_id')
	trace_stop || return 1
	expect_json 1 ".rport == $SRV_PORT and ([keys_unsorted[]] | join(\",\")) ==
		\"time,event,pid,comm,uid,family,laddr,lport,raddr,rport\"" || return 1
	grep -q tt_cgroup_mkdir <<<"$names" && fail "tt_cgroup_mkdir loaded" && return 1
	expect_eq "bpf_get_current_cgroup_id calls" "$calls" 0 || return 1
	trace_start c2 connect --json --containers || return 1
	client "$NS_A" $B4 "$SRV_PORT"
	names=$(for id in $TRACE_PROGS; do bpftool prog show id "$id" -j | jq -r .name; done)
	calls=$(for id in $TRACE_PROGS; do bpftool prog dump xlated id "$id"; done |
		grep -c 'call bpf_get_current_cgroup_id')
	trace_stop || return 1
	grep -qx tt_cgroup_mkdir <<<"$names" || fail "no tt_cgroup_mkdir: $names" || return 1
	[ "$calls" -gt 0 ] || fail "no bpf_get_current_cgroup_id call with --containers"
}

# --- a real runtime: runc, a busybox-static rootfs, no image ---------------

# runc_container ID CGROUPS_PATH ARGS...: a bundle in $WORK/bundle-ID running
# ARGS in the network namespace $NS_A (joined by path: `ip netns exec` would
# hide the cgroup mounts runc needs), created (not started);
# RUNC_PID is its process. Removed at exit, with runc's v1 cgroups.
runc_container() {
	local id=$1 cgpath=$2 b=$WORK/bundle-$1 args m
	shift 2
	args=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" || return 1
	cp /bin/busybox "$b/rootfs/bin/" && ln -s busybox "$b/rootfs/bin/sh" &&
		ln -s busybox "$b/rootfs/bin/nc" || return 1
	(cd "$b" && runc spec) || return 1
	jq --argjson args "$args" --arg cg "$cgpath" --arg net "/run/netns/$NS_A" '
		.process.args = $args | .process.terminal = false | .root.readonly = true |
		.linux.cgroupsPath = $cg | .linux.namespaces |= map(select(.type != "network")) +
		[{type: "network", path: $net}]' "$b/config.json" >"$b/c.json" &&
		mv "$b/c.json" "$b/config.json" || return 1
	RUNC="runc --root $WORK/runc"
	at_exit "$RUNC delete --force $id 2>/dev/null"
	for m in $(awk '$3 == "cgroup" {print $2}' /proc/mounts); do
		at_exit ctr_remove "$m$CTR_REL"
	done
	$RUNC create --bundle "$b" "$id" </dev/null >"$WORK/runc.out" 2>&1 ||
		fail "runc create: $(cat "$WORK/runc.out")" || return 1
	RUNC_PID=$($RUNC state "$id" | jq .pid)
}

# runc_run ID: starts the container and waits (10 s at most) for it to end;
# it is deleted (its cgroup removed) at exit, or by the test.
runc_run() {
	$RUNC start "$1" || fail "runc start" || return 1
	for _ in $(seq 1 200); do
		[ "$($RUNC state "$1" | jq -r .status)" = stopped ] && return 0
		sleep 0.05
	done
	fail "container $1 still running after 10 s"
}

t_runc_docker_layout() {
	host_only "runc is not in the guest"
	local id
	ctr_init || return 1
	id=$(hex_id 1)
	srv s "$NS_A" 127.0.0.1 0
	host_file "/var/lib/docker/containers/$id/config.v2.json" \
		"{\"ID\":\"$id\",\"Name\":\"/tt-runc\",\"Config\":{\"Image\":\"busybox:static\"}}"
	runc_container "$id" "$CTR_REL/docker/$id" /bin/nc 127.0.0.1 "$SRV_PORT" || return 1
	CTR_PATH=$CTR_REL/docker/$id CTR_CGID=$(stat -c %i "$CTR_ROOT/docker/$id")
	ctr_expect "$id" docker tt-runc busybox:static "" "" "" "" ""
	trace_start c connect --json --containers --host-root "$HOST" || return 1
	runc_run "$id" || return 1
	trace_stop || return 1
	expect_json 1 ".rport == $SRV_PORT and .pid == $RUNC_PID and .comm == \"nc\" and
		.laddr == \"127.0.0.1\" and .raddr == \"127.0.0.1\" and $CTR_COND"
}

# The bundle's own config.json, with the annotations containerd's CRI adds,
# is the state file; the cgroup is a BestEffort pod's (cgroupfs driver).
t_runc_kubernetes_layout() {
	host_only "runc is not in the guest"
	local id uid
	ctr_init || return 1
	id=$(hex_id 2) uid=$(pod_uid 2)
	srv s "$NS_A" 127.0.0.1 0
	runc_container "$id" "$CTR_REL/kubepods/besteffort/pod$uid/$id" \
		/bin/nc 127.0.0.1 "$SRV_PORT" || return 1
	mkdir -p "$HOST/run/containerd/io.containerd.runtime.v2.task/k8s.io/$id" || return 1
	jq --arg uid "$uid" '.annotations = {"io.kubernetes.cri.container-type": "container",
		"io.kubernetes.cri.container-name": "probe", "io.kubernetes.cri.sandbox-name":
		"probe-6d5f8", "io.kubernetes.cri.sandbox-namespace": "ops",
		"io.kubernetes.cri.sandbox-uid": $uid, "io.kubernetes.cri.image-name":
		"docker.io/library/busybox:1.36"}' "$WORK/bundle-$id/config.json" \
		>"$HOST/run/containerd/io.containerd.runtime.v2.task/k8s.io/$id/config.json" ||
		return 1
	CTR_PATH=$CTR_REL/kubepods/besteffort/pod$uid/$id
	CTR_CGID=$(stat -c %i "$CTR_ROOT/kubepods/besteffort/pod$uid/$id")
	ctr_expect "$id" containerd probe docker.io/library/busybox:1.36 ops probe-6d5f8 "$uid" \
		probe ""
	trace_start c connect --json --host-root "$HOST" --container ops/probe-6d5f8 || return 1
	runc_run "$id" || return 1
	trace_stop || return 1
	expect_json 1 ".rport == $SRV_PORT and .pid == $RUNC_PID and .comm == \"nc\" and $CTR_COND"
}

# The steady state, after the drop of privileges (the default): the tracer
# keeps only CAP_DAC_READ_SEARCH, under its seccomp filter; containers that
# runc starts after it attached are named, one from Docker's file and then
# deleted (its cgroup gone) before the tracer stops, one in a Kubernetes
# layout from kubelet's log directories only (a directory listed). A
# sanitizer build (BUILD=build-asan, by hand) has no filter, and says so.
t_runc_started_after_attach() {
	host_only "runc is not in the guest"
	local id1 id2 uid st cond1 filter=2 said="seccomp filter of "
	ctr_init || return 1
	id1=$(hex_id 3) id2=$(hex_id 4) uid=$(pod_uid 4)
	srv s "$NS_A" 127.0.0.1 0 --count 2
	trace_start c connect --json --containers --host-root "$HOST" || return 1
	grep -q ": after setup: .*no seccomp filter (a sanitizer build)" "$TRACE_ERR" &&
		filter=0 said="no seccomp filter (a sanitizer build)"
	st=$(cat /proc/"$TRACE_PID"/status)
	expect_eq "CapEff" "$(awk '/^CapEff:/ { print $2 }' <<<"$st")" 0000000000000004 || return 1
	expect_eq "Seccomp" "$(awk '/^Seccomp:/ { print $2 }' <<<"$st")" $filter || return 1
	expect_eq "NoNewPrivs" "$(awk '/^NoNewPrivs:/ { print $2 }' <<<"$st")" 1 || return 1
	grep -q ": after setup: capabilities CAP_DAC_READ_SEARCH, $said" "$TRACE_ERR" ||
		fail "-v: $(grep ': after setup: ' "$TRACE_ERR")" || return 1
	host_file "/var/lib/docker/containers/$id1/config.v2.json" \
		"{\"ID\":\"$id1\",\"Name\":\"/tt-late\",\"Config\":{\"Image\":\"busybox:late\"}}"
	runc_container "$id1" "$CTR_REL/docker/$id1" /bin/nc 127.0.0.1 "$SRV_PORT" || return 1
	CTR_PATH=$CTR_REL/docker/$id1 CTR_CGID=$(stat -c %i "$CTR_ROOT/docker/$id1")
	ctr_expect "$id1" docker tt-late busybox:late "" "" "" "" ""
	cond1=".pid == $RUNC_PID and $CTR_COND"
	runc_run "$id1" || return 1
	$RUNC delete "$id1" || fail "runc delete $id1" || return 1
	[ ! -d "$CTR_ROOT/docker/$id1" ] || fail "cgroup of $id1 still there" || return 1
	mkdir -p "$HOST/var/log/pods/ops_late-pod_$uid/late" "$HOST/var/log/containers" || return 1
	ln -s "/var/log/pods/ops_late-pod_$uid/late/0.log" \
		"$HOST/var/log/containers/late-pod_ops_late-$id2.log" || return 1
	runc_container "$id2" "$CTR_REL/kubepods/besteffort/pod$uid/$id2" \
		/bin/nc 127.0.0.1 "$SRV_PORT" || return 1
	CTR_PATH=$CTR_REL/kubepods/besteffort/pod$uid/$id2
	CTR_CGID=$(stat -c %i "$CTR_ROOT/kubepods/besteffort/pod$uid/$id2")
	ctr_expect "$id2" "" "" "" ops late-pod "$uid" late ""
	runc_run "$id2" || return 1
	trace_stop || return 1
	expect_json 1 ".rport == $SRV_PORT and .comm == \"nc\" and .pid == $RUNC_PID" "$CTR_COND" ||
		return 1
	expect_json 1 ".rport == $SRV_PORT and .comm == \"nc\" and .container_id == \"$id1\"" \
		"$cond1"
}
