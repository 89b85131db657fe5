#!/usr/bin/env bash
# Every test of tcptrace, from a fresh Debian 12 machine: installs what is
# missing (apt-get), builds the static binary for x86_64 and, cross, for
# aarch64, runs the unit tests (also under ASan+UBSan, and the aarch64 ones
# under qemu-user), the fuzz targets for a short fixed time (test/fuzz), as
# root the integration tests against the real kernel, the short soak and
# fault test (test/soak); builds the release packages of both architectures
# and installs and removes this machine's .deb; then, in qemu guests, runs
# the integration tests against Debian's kernels (test/kernels/matrix.sh
# --ci): on 6.1 every mode and attach plan, on 5.10, 6.12 and 7.3 the auto
# cell of every mode, and on arm64 (the aarch64 binary) every kernel's auto
# cells and 6.1's connect on tracepoint, as docs/kernels.md says. Its last step
# fails if anything it started is left: a tracer, loadgen, a peer or a qemu
# guest still running (killed once named), a BPF program or link of
# tcptrace still in the kernel (test/leftovers.sh). What each suite proves
# and costs: docs/testing.md. Ends with one "all: N passed, N failed" line;
# exits non-zero on any failure. With CI=true, tests that need BPF fail
# instead of skipping.
#
# Runs as root: a user with sudo gets the whole run under sudo (CI passed on).
set -u
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "run-all: needs root (run it as root; there is no sudo)" >&2; exit 1; }
	exec sudo env CI="${CI:-}" bash "$0" "$@"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc)
# Everything this run starts carries it: test/leftovers.sh tells this run's
# processes from those of anything else running here.
export TCPTRACE_TEST_RUN=run-all.$$.$EPOCHSECONDS
leftovers=$(mktemp /tmp/tcptrace-leftovers.XXXXXX)
trap 'rm -f "$leftovers"' EXIT
passed=0
failed=0

step() {
	local name=$1 t0=$SECONDS
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: ok ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		echo "=== $name: FAILED ($((SECONDS - t0)) s)"
	fi
}

build() { # DIR [CMAKE ARGS]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
		cmake --build "$dir" -j "$jobs" -- --no-print-directory >/dev/null
}

static_binary() { # DIR ARCH (as file(1) names it)
	file -L "$1/tcptrace" | grep "statically linked" | grep -q "$2" || { file "$1/tcptrace"; return 1; }
}

# The release packages of both architectures (the aarch64 ones from
# build-arm64), then this machine's .deb installed, used and removed.
packages() {
	cmake --build build --target release -- --no-print-directory >/dev/null &&
		bash test/packages.sh build/release
}

step "dependencies" bash test/deps.sh || exit 1
bash test/leftovers.sh --snapshot "$leftovers" # (bpftool: from the dependencies)
step "build (static)" build build -DTCPTRACE_AARCH64_BUILD="$top/build-arm64" ||
	{ echo "all: $passed passed, $((failed)) failed"; exit 1; }
step "binary is static" static_binary build x86-64
step "build (aarch64, cross)" build build-arm64 -DTCPTRACE_ARCH=aarch64
step "aarch64 binary is static" static_binary build-arm64 aarch64
# The guests' kernels and tools download meanwhile: a mirror that fails for
# a while has until the matrix step, which fetches what this missed (the
# fetch scripts lock their caches: it waits for this one to finish).
bash test/kernels/matrix.sh --build "$top/build" --arm64 "$top/build-arm64" --ci --fetch-only \
	>"$top/build/matrix-fetch.log" 2>&1 &
fetch_pid=$!
fetched() {
	[ -n "$fetch_pid" ] || return 0
	wait "$fetch_pid" || echo "(the early fetch failed: $(tail -n 1 "$top/build/matrix-fetch.log"); the matrix step tries again)"
	fetch_pid=""
}
matrix() {
	fetched
	bash test/kernels/matrix.sh --build "$top/build" --arm64 "$top/build-arm64" --ci
}
step "unit tests" ctest --test-dir build --output-on-failure
step "unit tests (aarch64, under qemu-user)" ctest --test-dir build-arm64 --output-on-failure
step "build (ASan+UBSan)" build build-asan -DTCPTRACE_SANITIZE=ON
step "unit tests (ASan+UBSan)" ctest --test-dir build-asan --output-on-failure
step "fuzz (every target, 15 s each, ASan+UBSan)" bash test/fuzz/run.sh --seconds 15
step "soak and faults (short)" env BUILD="$top/build" bash test/soak/soak.sh --short
# -d's tracers see every DNS reply and connection of the host, so the
# integration tests, which count them, do not share the host with the
# download: it has had the steps above to finish.
step "kernels fetched (before the integration tests)" fetched
step "integration tests" env BUILD="$top/build" bash test/integration/run.sh
step "packages (x86_64 and aarch64; dpkg -i and -r here)" packages
step "kernel matrix (Debian 5.10, 6.1, 6.12, 7.3 in qemu, x86_64 and arm64: the CI cells)" matrix
step "benchmark smoke" env BUILD="$top/build" bash test/bench/bench.sh --smoke
step "nothing left: no process of this run, no BPF program or link of tcptrace" \
	bash test/leftovers.sh --check "$leftovers"
echo "all: $passed passed, $failed failed ($SECONDS s)"
[ $failed = 0 ]
