#!/usr/bin/env bash
# Every test of tcptrace, from a fresh Debian 12 machine: installs what is
# missing (apt-get), builds the static binary, runs the unit tests (also
# under ASan+UBSan), the fuzz targets for a short fixed time (test/fuzz), as
# root the integration tests against the real kernel, the short soak and
# fault test (test/soak) and, in qemu guests, the integration tests against
# Debian's 6.1 kernel for every mode and attach plan (test/kernels/matrix.sh).
# What each suite proves and costs: docs/testing.md. Ends with one "all: N passed, N
# failed" line; exits non-zero on any failure. With CI=true, tests that need
# BPF fail instead of skipping.
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

static_binary() {
	file -L build/tcptrace | grep -q "statically linked" || { file build/tcptrace; return 1; }
}

step "dependencies" bash test/deps.sh || exit 1
step "build (static)" build build || { echo "all: $passed passed, $((failed)) failed"; exit 1; }
step "binary is static" static_binary
step "unit tests" ctest --test-dir build --output-on-failure
step "build (ASan+UBSan)" build build-asan -DTCPTRACE_SANITIZE=ON
step "unit tests (ASan+UBSan)" ctest --test-dir build-asan --output-on-failure
step "integration tests" env BUILD="$top/build" bash test/integration/run.sh
step "fuzz (every target, 15 s each, ASan+UBSan)" bash test/fuzz/run.sh --seconds 15
step "soak and faults (short)" env BUILD="$top/build" bash test/soak/soak.sh --short
step "kernel matrix (Debian 6.1 in qemu: every mode x attach plan)" \
	bash test/kernels/matrix.sh --build "$top/build"
step "benchmark smoke" env BUILD="$top/build" bash test/bench/bench.sh --smoke
echo "all: $passed passed, $failed failed ($SECONDS s)"
[ $failed = 0 ]
