# Shared helpers for the integration tests: start the fake AWS and the real lambdagate binary on
# loopback ports, wait for them, check results, and clean up whatever happens.
# Usage: source "$(dirname "$0")/lib.sh" at the top of a test_*.sh script.
set -euo pipefail

ROOT="${LAMBDAGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN="${LAMBDAGATE_BIN:-$ROOT/build/lambdagate}"
PY=/usr/bin/python3  # Debian's Python: it has python3-botocore for the fake's signature checks
WORK="$(mktemp -d "${TMPDIR:-/tmp}/lambdagate-it.XXXXXX")"
PIDS=()
FAILURES=0
CHECKS=0

# Credentials the fake accepts and lambdagate signs with (fake values, never real AWS keys).
FAKE_KEY_ID=AKIDINTEGRATION00001
FAKE_SECRET="integration-secret-$$-$RANDOM"

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$FAILURES" -gt 0 ] || [ "${KEEP_WORK:-}" = 1 ]; then
    echo "--- logs kept in $WORK"
    for f in "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }; done
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# wait_for DESCRIPTION SECONDS COMMAND...: runs COMMAND every 50 ms until it succeeds; fails the
# script, saying what it waited for, when SECONDS pass first. For conditions, never sleeps.
wait_for() {
  local what="$1" seconds="$2" i
  shift 2
  for ((i = 0; i < seconds * 20; i++)); do
    "$@" && return 0
    sleep 0.05
  done
  echo "gave up after ${seconds}s waiting for: $what"
  return 1
}

# listening_ports LOG: prints "GATEWAY_PORT ADMIN_PORT" once lambdagate has logged both
# listeners (text or JSON log lines); fails before. Tests pass port 0 (--listen 127.0.0.1:0
# --admin 127.0.0.1:0): the kernel picks free ports in the process under test, which logs the
# ports it bound, so no port is ever released and taken again in between.
listening_ports() {
  local gw admin
  gw="$(grep -o 'listening on [0-9.]*:[0-9]* ([0-9]* worker' "$1" 2>/dev/null | head -1 | sed -E 's/.*:([0-9]+) .*/\1/')"
  admin="$(grep -o 'admin listening on [0-9.]*:[0-9]*' "$1" 2>/dev/null | head -1 | sed -E 's/.*:([0-9]+)$/\1/')"
  [ -n "$gw" ] && [ -n "$admin" ] && echo "$gw $admin"
}

# await_gateway NAME: waits for the lambdagate started as GW_PID (logging to
# $WORK/gateway-NAME.log) to bind its listeners and answer /healthz; sets GW_PORT and ADMIN_PORT.
await_gateway() {
  local name="$1" log="$WORK/gateway-$1.log" ports="" i
  for i in $(seq 1 300); do
    ports="$(listening_ports "$log")" && break
    kill -0 "$GW_PID" 2>/dev/null || { echo "lambdagate $name exited early"; cat "$log"; exit 1; }
    sleep 0.05
  done
  [ -n "$ports" ] || { echo "lambdagate $name did not log its listeners"; cat "$log"; exit 1; }
  read -r GW_PORT ADMIN_PORT <<<"$ports"
  for i in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$GW_PID" 2>/dev/null || { echo "lambdagate $name exited early"; cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "lambdagate $name did not become healthy"; cat "$log"; exit 1
}

# start_fake NAME [fake_aws.py args...]: sets FAKE_PORT_<NAME> and FAKE_URL_<NAME>.
start_fake() {
  local name="$1"; shift
  local port_file="$WORK/fake-$name.port"
  "$PY" "$ROOT/tests/fake_aws/fake_aws.py" --port 0 --port-file "$port_file" --region us-east-1 \
    --access-key "$FAKE_KEY_ID" --secret-key "$FAKE_SECRET" "$@" >"$WORK/fake-$name.log" 2>&1 &
  PIDS+=($!)
  local i
  for i in $(seq 1 150); do [ -s "$port_file" ] && break; sleep 0.1; done
  [ -s "$port_file" ] || { echo "fake $name did not start"; cat "$WORK/fake-$name.log"; exit 1; }
  printf -v "FAKE_PORT_$name" '%s' "$(cat "$port_file")"
}

# start_gateway NAME [lambdagate args...]: sets GW_PORT, ADMIN_PORT, GW_PID; waits for /healthz.
# The environment of the caller (AWS_* variables) is passed on.
start_gateway() {
  local name="$1"; shift
  "$BIN" --listen "127.0.0.1:0" --admin "127.0.0.1:0" --threads 2 "$@" >"$WORK/gateway-$name.log" 2>&1 &
  GW_PID=$!
  PIDS+=($GW_PID)
  await_gateway "$name"
}

wait_ready() {
  local i
  for i in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/readyz")" = 200 ] && return 0
    sleep 0.1
  done
  echo "lambdagate never became ready:"; curl -s "http://127.0.0.1:$ADMIN_PORT/readyz"; return 1
}

stop_gateway() {
  kill -TERM "$GW_PID" 2>/dev/null || true
  local rc=0
  wait "$GW_PID" || rc=$?
  return $rc
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
  CHECKS=$((CHECKS + 1))
  if [ "$2" == "$3" ]; then
    echo "ok   - $1"
  else
    FAILURES=$((FAILURES + 1))
    echo "FAIL - $1"
    echo "       expected: $(printf '%q' "$2" | head -c 400)"
    echo "       actual:   $(printf '%q' "$3" | head -c 400)"
  fi
}

# check_contains DESCRIPTION NEEDLE HAYSTACK
check_contains() {
  CHECKS=$((CHECKS + 1))
  if [[ "$3" == *"$2"* ]]; then
    echo "ok   - $1"
  else
    FAILURES=$((FAILURES + 1))
    echo "FAIL - $1"
    echo "       expected to contain: $2"
    echo "       actual: $(printf '%s' "$3" | head -c 600)"
  fi
}

# json_get JSON EXPR: evaluates a Python expression over the parsed JSON `j`.
json_get() {
  "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# fake_calls NAME [FUNCTION]: the fake's call log (JSON list). With FAKE_OP set (e.g. Invoke),
# only that operation's calls: function discovery's ListFunctions calls are left out.
fake_calls() {
  local port_var="FAKE_PORT_$1"
  local query="${2:+function=$2}"
  if [ -n "${FAKE_OP:-}" ]; then query="${query:+$query&}operation=$FAKE_OP"; fi
  curl -s "${FAKE_SCHEME:-http}://127.0.0.1:${!port_var}/__fake/calls${query:+?$query}" ${FAKE_CURL_ARGS:-}
}

finish() {
  echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
  [ "$FAILURES" -eq 0 ]
}
