#!/bin/sh
# wrk figures for docs/benchmarks.md: start-to-healthy time, and a replayed signed STS
# GetCallerIdentity over keep-alive. Starts its own server on a free loopback port with a
# temporary data directory and stops it afterwards.
# Usage: scripts/wrk_bench.sh [BUILD_DIR] [DURATION_SECONDS] [CONNECTIONS]
set -eu
BUILD_DIR=${1:-build}
DURATION=${2:-10}
CONNS=${3:-64}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD_DIR/rampart"
DATA=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" dev-init --data "$DATA" --json > "$DATA/init.json"

START_NS=$(date +%s%N)
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --log-level warn > "$DATA/server.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do sleep 0.002; done
END_NS=$(date +%s%N)
echo "start to healthy: $(( (END_NS - START_NS) / 1000000 )) ms"

/usr/bin/python3 "$ROOT/scripts/wrk_signed.py" "$DATA/init.json" "http://127.0.0.1:$PORT" > "$DATA/gci.lua"
echo "wrk -t2 -c$CONNS -d${DURATION}s --latency (signed GetCallerIdentity, keep-alive)"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$DATA/gci.lua" "http://127.0.0.1:$PORT/"
