#!/bin/sh
# Builds the sanitized tree once and runs every test suite against it.
# Usage: scripts/test.sh BUILD_DIR JOBS
set -eu
BUILD_DIR=${1:-build-test}
JOBS=${2:-$(nproc)}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== configure ($BUILD_DIR: Debug, ASan + UBSan)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRAMPART_SANITIZE=ON \
  -DRAMPART_TESTS=ON -DRAMPART_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" > "$BUILD_DIR.cmake.log" 2>&1 \
  || { cat "$BUILD_DIR.cmake.log"; exit 1; }

echo "== build"
start=$(date +%s)
ninja -C "$BUILD_DIR" -j "$JOBS"
echo "build took $(( $(date +%s) - start )) s"

echo "== unit, conformance and fuzz-corpus tests (ctest)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 900

echo "== integration tests (pytest, real AWS clients, sanitized server)"
RAMPART_BIN="$ROOT/$BUILD_DIR/rampart" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
  tests/integration
