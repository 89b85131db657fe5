# shellcheck shell=bash
# arch.sh: what differs between the architectures of the qemu guests, in
# one place (sourced by fetch-kernel.sh, run-guest.sh, matrix.sh and
# fetch-userland.sh). `guest_arch ARCH` accepts x86_64/amd64 or
# arm64/aarch64 (empty: this machine's) and sets:
#
#   G_ARCH        x86_64 | arm64 (the name the scripts' --arch options use)
#   G_DEB         amd64 | arm64 (Debian's architecture)
#   G_TRIPLET     x86_64-linux-gnu | aarch64-linux-gnu (multiarch directories)
#   G_UNAME       x86_64 | aarch64 (uname -m in the guest)
#   G_KARCH       the kernel's arch/ directory (arch/$G_KARCH/crypto modules)
#   G_MODULES     modules the guest itself needs (its second console)
#   G_PVH         1: an uncompressed vmlinux boots faster (x86 PVH entry)
#   G_FOREIGN     1: not this machine's architecture (its binaries cannot be
#                 run or ldd'ed here; busybox comes from the kernel cache)
#   G_QEMU, G_QEMU_PKG   the emulator and its Debian package
#   G_MACHINE     qemu arguments before -cpu (array)
#   G_CPU         the default CPU model (run-guest.sh --cpu)
#   G_CONSOLE     the kernel console (console=) on the first serial port
#   G_OUT         the guest device the script's output goes to, and
#   G_OUT_ARGS    the qemu arguments that connect it to the file $G_OUT_FILE
#                 (a function: guest_out_args FILE sets G_OUT_ARGS)
#   G_APPEND      kernel command line for this architecture only

guest_host_arch() {
	case $(uname -m) in
	x86_64) echo x86_64 ;;
	aarch64 | arm64) echo arm64 ;;
	*) uname -m ;;
	esac
}

guest_arch() {
	local a=${1:-$(guest_host_arch)}
	case $a in
	x86_64 | amd64)
		G_ARCH=x86_64 G_DEB=amd64 G_TRIPLET=x86_64-linux-gnu G_UNAME=x86_64 G_KARCH=x86
		G_MODULES='' G_PVH=1
		G_QEMU=qemu-system-x86_64 G_QEMU_PKG=qemu-system-x86
		G_MACHINE=(-accel tcg)
		G_CPU=max G_CONSOLE=ttyS0 G_OUT=/dev/ttyS1
		# Without a PIT check the guest boots faster under TCG.
		G_APPEND='no_timer_check'
		;;
	arm64 | aarch64)
		G_ARCH=arm64 G_DEB=arm64 G_TRIPLET=aarch64-linux-gnu G_UNAME=aarch64 G_KARCH=arm64
		# The virt machine has one PL011 UART (the console): the script's
		# output goes to a virtio console, modules in Debian's kernel.
		G_MODULES='virtio_mmio virtio_console' G_PVH=0
		G_QEMU=qemu-system-aarch64 G_QEMU_PKG=qemu-system-arm
		G_MACHINE=(-M virt -accel tcg)
		# Neoverse N1 is the core of AWS Graviton2 and Ampere Altra. TCG
		# runs it much faster than "max" (1.7 s to the script instead of
		# 8 s), whose pointer authentication it emulates with the QARMA
		# cipher on every function return.
		G_CPU=neoverse-n1 G_CONSOLE=ttyAMA0 G_OUT=/dev/hvc0
		G_APPEND=''
		;;
	*)
		echo "unsupported architecture '$a' (x86_64 or arm64)" >&2
		return 1
		;;
	esac
	G_FOREIGN=0
	[ "$G_ARCH" = "$(guest_host_arch)" ] || G_FOREIGN=1
}

guest_out_args() { # FILE: the qemu arguments that write G_OUT to FILE
	case $G_ARCH in
	x86_64) G_OUT_ARGS=(-serial "file:$1") ;;
	arm64) G_OUT_ARGS=(-device virtio-serial-device -chardev "file,id=out,path=$1"
		-device virtconsole,chardev=out) ;;
	esac
}

# guest_plans CONFIG: the attach plans a guest kernel supports, in auto's
# order, from its config file (fetch-kernel.sh keeps it) and G_ARCH.
guest_plans() {
	local p plans=
	for p in fentry kprobe tracepoint; do
		[ -n "$(guest_plan_missing "$1" "$p")" ] || plans="$plans $p"
	done
	echo "${plans# }"
}

# guest_plan_missing CONFIG PLAN: why the kernel cannot run PLAN, or nothing.
guest_plan_missing() {
	local config=$1
	_has() { grep -qx "CONFIG_$1=y" "$config"; }
	case $2 in
	fentry)
		_has BPF_JIT || { echo "no BPF JIT (CONFIG_BPF_JIT)"; return; }
		# x86-64 patches kernel text for BPF trampolines itself (v5.5);
		# arm64 goes through ftrace direct calls (commit 2aa6ac03516d,
		# v6.4), and ENOTSUPP without them.
		[ "$G_ARCH" = x86_64 ] || _has DYNAMIC_FTRACE_WITH_DIRECT_CALLS ||
			echo "no BPF trampolines on kernel functions: $G_ARCH needs ftrace direct" \
				"calls (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS, Linux 6.4 on arm64)"
		;;
	kprobe) _has KPROBES || echo "no kprobes (CONFIG_KPROBES)" ;;
	tracepoint) _has DEBUG_INFO_BTF || echo "no BTF (CONFIG_DEBUG_INFO_BTF): no tp_btf" ;;
	esac
}

# apt_download LOG PKG...: apt-get download into the current directory, its
# output in LOG. A mirror or resolver that fails for a while (a fresh
# clone's CI run fetches the kernels) gets six more tries, 15 s to 2 min
# apart, each said on stderr; at the end apt's errors are. As root, apt's
# download sandbox user could not write to a root-owned directory.
apt_download() {
	local log=$1 wait
	shift
	# a resolver or mirror that fails for a while: about 7.5 minutes of tries
	# (a CI run once saw deb.debian.org unresolvable for over 2 minutes)
	for wait in 15 30 60 120 120 120 ''; do
		apt-get -q -o APT::Sandbox::User=root download "$@" >"$log" 2>&1 && return 0
		[ -n "$wait" ] || break
		echo "apt-get download $*: $(grep -m1 '^E: ' "$log" || echo failed); again in $wait s" >&2
		sleep "$wait"
	done
	grep "^E:" "$log" | sort -u | head -n 3 >&2
	return 1
}
