#!/bin/bash
# selftest.sh [CACHE_DIR] [run-guest.sh options...]: proves the qemu guest
# harness works. Fetches the kernel if needed, builds the static
# bpf-attach-probe helper, and boots the guest with it (and with the host's
# nft plus its libraries, when nft is installed) to run selftest.guest.sh:
# BTF, bpffs, tracefs, kprobe PMU, netns + veth + IPv4/IPv6 TCP, nftables,
# and BPF attach by tracepoint, raw_tp, tp_btf, kprobe, kretprobe, fentry, fexit.
# Exit status is the guest script's (0: all checks passed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${TCPTRACE_KCACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcptrace-kernels}}
[ $# -gt 0 ] && shift

"$HERE/fetch-kernel.sh" "$cache"

tmp=$(mktemp -d /tmp/kernels-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
${CC:-gcc} -static -O2 -Wall -o "$tmp/bpf-attach-probe" "$HERE/bpf-attach-probe.c"

extra=()
if command -v nft >/dev/null 2>&1; then
    extra+=(--add-dyn "$(command -v nft)")
else
    echo "selftest: nft not installed on this host (apt-get install nftables): nft checks skipped" >&2
fi
set +e
"$HERE/run-guest.sh" --cache "$cache" --timeout 180 --script "$HERE/selftest.guest.sh" \
    --add "$tmp/bpf-attach-probe" "${extra[@]}" "$@"
