# shellcheck shell=bash
# Helpers of the --containers tests (sourced by test_*.sh after lib.sh):
# cgroup v2 directories laid out as each runtime lays them out, under a
# prefix of this test (the parser reads paths leaf to root, so any prefix
# works), the state files each runtime writes, in a fake --host-root, and
# the jq condition that checks every container key of an event.
#
# ctr_init                  the prefix and the host root; removed at exit
# ctr_<layout> N NAME...    one container: CTR_DIR, CTR_ID, and CTR_COND (a jq
#                           condition on every container key of its events)

# hex_id N: a container id of this test: 64 lowercase hex digits.
hex_id() {
	printf '%08x%04x%052x' $$ "$1" 0
}

# pod_uid N: a pod uid of this test.
pod_uid() {
	printf '%08x-%04x-4000-8000-%012x' $$ "$1" 0
}

# ctr_init: CTR_ROOT (the cgroup prefix), CTR_REL (its path in the
# hierarchy), HOST (the fake host root); all removed when the test ends.
ctr_init() {
	local cg
	cg=$(cgroup2_root) || return 1
	CTR_REL=/tt-ctr-$$
	CTR_ROOT=$cg$CTR_REL
	HOST=$WORK/host
	mkdir -p "$CTR_ROOT" "$HOST" || return 1
	at_exit ctr_remove "$CTR_ROOT"
}

# ctr_remove DIR: ends every process in the cgroup tree DIR, removes it.
ctr_remove() {
	local d pid
	[ -d "$1" ] || return 0
	if [ -e "$1/cgroup.kill" ]; then
		echo 1 >"$1/cgroup.kill" 2>/dev/null
	else
		for pid in $(cat "$1"/cgroup.procs "$1"/*/cgroup.procs 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	fi
	for _ in $(seq 1 50); do
		[ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.02
	done
	for d in "$1"/*/; do
		[ -d "$d" ] && ctr_remove "${d%/}"
	done
	rmdir "$1" 2>/dev/null || fail "cannot remove cgroup $1"
}

# ctr_mkdir REL: the cgroup CTR_ROOT/REL; sets CTR_DIR, CTR_PATH (as the
# tracer reports it) and CTR_CGID (its id: the directory's inode).
ctr_mkdir() {
	CTR_DIR=$CTR_ROOT/$1
	CTR_PATH=$CTR_REL/$1
	mkdir -p "$CTR_DIR" || return 1
	CTR_CGID=$(stat -c %i "$CTR_DIR")
}

# host_file PATH TEXT: a state file in the fake host root.
host_file() {
	mkdir -p "$(dirname "$HOST$1")" && printf '%s' "$2" >"$HOST$1"
}

# jq literal of a value: null when empty.
jqv() {
	local v=${1//\\/\\\\}
	if [ -z "$v" ]; then echo null; else printf '"%s"' "${v//\"/\\\"}"; fi
}

# ctr_expect ID RUNTIME NAME IMAGE NS POD UID K8S_CONTAINER UNIT: CTR_COND,
# every container key of an event of the cgroup made last.
ctr_expect() {
	CTR_COND=".cgroup == $(jqv "$CTR_PATH") and .cgroup_id == $CTR_CGID and
		.container_id == $(jqv "$1") and .container_runtime == $(jqv "$2") and
		.container_name == $(jqv "$3") and .container_image == $(jqv "$4") and
		.k8s_namespace == $(jqv "$5") and .k8s_pod == $(jqv "$6") and
		.k8s_pod_uid == $(jqv "$7") and .k8s_container == $(jqv "$8") and
		.systemd_unit == $(jqv "$9")"
}

# --- one function per layout: ctr_<layout> N NAME ---------------------------

# Docker, systemd cgroup driver, with its config.v2.json.
ctr_docker_systemd() {
	CTR_ID=$(hex_id "$1")
	ctr_mkdir "system.slice/docker-$CTR_ID.scope" || return 1
	host_file "/var/lib/docker/containers/$CTR_ID/config.v2.json" \
		"{\"ID\":\"$CTR_ID\",\"Name\":\"/$2\",\"Config\":{\"Image\":\"busybox:1.36\",\"Labels\":{}},\"State\":{\"Running\":true}}"
	ctr_expect "$CTR_ID" docker "$2" busybox:1.36 "" "" "" "" "docker-$CTR_ID.scope"
}

# Docker, cgroupfs driver.
ctr_docker_cgroupfs() {
	CTR_ID=$(hex_id "$1")
	ctr_mkdir "docker/$CTR_ID" || return 1
	host_file "/var/lib/docker/containers/$CTR_ID/config.v2.json" \
		"{\"ID\":\"$CTR_ID\",\"Name\":\"/$2\",\"Config\":{\"Image\":\"alpine:3.19\"}}"
	ctr_expect "$CTR_ID" docker "$2" alpine:3.19 "" "" "" "" ""
}

# containerd CRI, systemd driver (Burstable pod), with the bundle's annotations.
ctr_containerd_systemd() {
	local uid
	CTR_ID=$(hex_id "$1") uid=$(pod_uid "$1")
	ctr_mkdir "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid//-/_}.slice/cri-containerd-$CTR_ID.scope" ||
		return 1
	host_file "/run/containerd/io.containerd.runtime.v2.task/k8s.io/$CTR_ID/config.json" \
		"{\"ociVersion\":\"1.1.0\",\"annotations\":{\"io.kubernetes.cri.container-name\":\"$2\",
		\"io.kubernetes.cri.container-type\":\"container\",
		\"io.kubernetes.cri.image-name\":\"registry.example/$2:1\",
		\"io.kubernetes.cri.sandbox-name\":\"$2-pod\",
		\"io.kubernetes.cri.sandbox-namespace\":\"shop\",
		\"io.kubernetes.cri.sandbox-uid\":\"$uid\"}}"
	ctr_expect "$CTR_ID" containerd "$2" "registry.example/$2:1" shop "$2-pod" "$uid" "$2" \
		"cri-containerd-$CTR_ID.scope"
}

# CRI, cgroupfs driver: nothing but kubelet's log directories name it.
ctr_kubelet_cgroupfs() {
	local uid
	CTR_ID=$(hex_id "$1") uid=$(pod_uid "$1")
	ctr_mkdir "kubepods/besteffort/pod$uid/$CTR_ID" || return 1
	mkdir -p "$HOST/var/log/pods/batch_$2-job_$uid/$2" "$HOST/var/log/containers" || return 1
	ln -s "/var/log/pods/batch_$2-job_$uid/$2/0.log" \
		"$HOST/var/log/containers/$2-job_batch_$2-$CTR_ID.log" || return 1
	ctr_expect "$CTR_ID" "" "" "" batch "$2-job" "$uid" "$2" ""
}

# CRI-O, systemd driver (BestEffort pod), and its conmon beside it.
ctr_crio_systemd() {
	local uid
	CTR_ID=$(hex_id "$1") uid=$(pod_uid "$1")
	ctr_mkdir "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice/crio-conmon-$CTR_ID.scope" ||
		return 1
	ctr_mkdir "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid//-/_}.slice/crio-$CTR_ID.scope" ||
		return 1
	host_file "/run/containers/storage/overlay-containers/$CTR_ID/userdata/config.json" \
		"{\"annotations\":{\"io.container.manager\":\"cri-o\",
		\"io.kubernetes.container.name\":\"$2\",\"io.kubernetes.cri-o.ContainerType\":\"container\",
		\"io.kubernetes.cri-o.ImageName\":\"quay.example/$2:2\",\"io.kubernetes.pod.name\":\"$2-0\",
		\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.pod.uid\":\"$uid\"}}"
	ctr_expect "$CTR_ID" cri-o "$2" "quay.example/$2:2" prod "$2-0" "$uid" "$2" "crio-$CTR_ID.scope"
}

# Podman, systemd driver: the container's processes in .scope/container.
ctr_podman() {
	CTR_ID=$(hex_id "$1")
	ctr_mkdir "machine.slice/libpod-$CTR_ID.scope/container" || return 1
	host_file /var/lib/containers/storage/overlay-containers/containers.json \
		"[{\"id\":\"$(hex_id 99)\",\"names\":[\"other\"]},{\"id\":\"$CTR_ID\",\"names\":[\"$2\"],
		\"metadata\":\"{\\\"image-name\\\":\\\"docker.io/library/$2:16\\\",\\\"name\\\":\\\"$2\\\"}\"}]"
	ctr_expect "$CTR_ID" podman "$2" "docker.io/library/$2:16" "" "" "" "" "libpod-$CTR_ID.scope"
}

# A systemd service (its name escaped as systemd escapes it).
ctr_service() {
	CTR_ID=
	ctr_mkdir "system.slice/system-tt.slice/tt@$2.service" || return 1
	ctr_expect "" "" "" "" "" "" "" "" "tt@$2.service"
}

# A user's login session.
ctr_session() {
	CTR_ID=
	ctr_mkdir "user.slice/user-1000.slice/session-$1.scope" || return 1
	ctr_expect "" "" "" "" "" "" "" "" "session-$1.scope"
}
