#!/bin/sh
# Runs every Google Benchmark binary of a release tree. The wrk figures are produced by
# scripts/wrk_bench.sh (they need a running server).
set -eu
BUILD_DIR=${1:-build}
for bin in $(find "$BUILD_DIR/bench" -maxdepth 1 -type f -name '*_bench' 2>/dev/null | sort); do
  echo "== $bin"
  "$bin" --benchmark_min_time=0.2
done
if [ -x scripts/wrk_bench.sh ]; then sh scripts/wrk_bench.sh "$BUILD_DIR"; fi
