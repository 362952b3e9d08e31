#!/bin/sh
# wrk figures for docs/benchmarks.md (STS): the same signed GetCallerIdentity replayed with the
# admin's long-term key and with temporary credentials from GetSessionToken, on one server, in
# the order long, session, session, long (the store grows with every recorded call). Starts its own server on a free loopback port with a temporary data
# directory and stops it afterwards.
# Usage: scripts/wrk_session_bench.sh [BUILD_DIR] [DURATION_SECONDS] [CONNECTIONS]
set -eu
BUILD_DIR=${1:-build}
DURATION=${2:-10}
CONNS=${3:-16}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/$BUILD_DIR/rampart"
DATA=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" dev-init --data "$DATA" --json > "$DATA/init.json"
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --log-level warn > "$DATA/server.log" 2>&1 &
PID=$!
until curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; do sleep 0.01; done

/usr/bin/python3 - "$DATA/init.json" "http://127.0.0.1:$PORT" > "$DATA/session.json" <<'PY'
import json, sys, boto3
info = json.load(open(sys.argv[1]))
sts = boto3.client("sts", endpoint_url=sys.argv[2], region_name="us-east-1",
                   aws_access_key_id=info["AccessKeyId"],
                   aws_secret_access_key=info["SecretAccessKey"])
c = sts.get_session_token(DurationSeconds=3600)["Credentials"]
print(json.dumps({"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                  "SessionToken": c["SessionToken"]}))
PY
/usr/bin/python3 "$ROOT/scripts/wrk_signed.py" "$DATA/init.json" "http://127.0.0.1:$PORT" > "$DATA/long.lua"
/usr/bin/python3 "$ROOT/scripts/wrk_signed.py" "$DATA/session.json" "http://127.0.0.1:$PORT" > "$DATA/session.lua"
for kind in long session session long; do
  echo "== $kind credentials: wrk -t2 -c$CONNS -d${DURATION}s (signed GetCallerIdentity)"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s "$DATA/$kind.lua" "http://127.0.0.1:$PORT/"
done
