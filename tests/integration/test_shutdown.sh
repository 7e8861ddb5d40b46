#!/usr/bin/env bash
# Graceful shutdown (issue "Run it in EKS"): on SIGTERM /readyz turns 503 at once, the listener
# closes (new connections are refused), a request in flight finishes with 200 and
# "Connection: close", an idle keep-alive connection is closed, and the process exits 0 within
# the drain bound (--drain-timeout); a request that outlives the bound does not hold the exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main
FAKE="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ENDPOINT_URL_LAMBDA="$FAKE"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

mkdir -p "$WORK/config"
cp "$ROOT/tests/integration/config/reload/upstream.yaml" "$WORK/config/"
cp "$ROOT/tests/integration/config/reload/virtualservice-v2.yaml" "$WORK/config/virtualservice.yaml"

now() { date +%s.%N; }
elapsed() { printf '%.2f' "$(echo "$(now) - $1" | bc)"; }

# The fake makes echo take 2 s; uppercase stays fast.
curl -fsS -X POST "$FAKE/__fake/faults" -d '{"service":"lambda","function":"echo","mode":"slow","delaySeconds":2}' >/dev/null

start_gateway drain --config "$WORK/config" --drain-timeout 5
wait_ready
GW="http://127.0.0.1:$GW_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

# An idle keep-alive client: one request, then it waits for the server to close the connection.
"$PY" - "$GW_PORT" >"$WORK/idle.txt" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"POST /upper HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n\"abc\"")
data = b""
while not data.endswith(b'"ABC"'):
    data += s.recv(65536)
print("first response ok" if b"200 OK" in data else "first response bad")
sys.stdout.flush()
try:
    rest = s.recv(65536)
    print("closed by server" if rest == b"" else "unexpected bytes")
except Exception as e:
    print("error %r" % e)
PYEOF
IDLE_PID=$!
wait_for "the idle client's first response" 10 grep -q "first response ok" "$WORK/idle.txt"

# in_flight FUNCTION: the fake is handling a call to FUNCTION right now.
in_flight() { [ "$(curl -s "$FAKE/__fake/inflight?function=$1" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')" -gt 0 ]; }

# The request in flight: 2 s in the fake.
curl -sS -D "$WORK/slow.headers" -o "$WORK/slow.body" -w '%{http_code}' -X POST "$GW/echo" --data '"slow"' \
  >"$WORK/slow.code" 2>"$WORK/slow.err" &
SLOW_PID=$!
wait_for "the slow call to reach the fake" 10 in_flight echo

signalled=$(now)
kill -TERM "$GW_PID"
ready=""
polls=0
for _ in $(seq 1 50); do
  polls=$((polls + 1))
  ready="$(curl -s -o "$WORK/readyz.json" -w '%{http_code}' "$ADMIN/readyz" || true)"
  [ "$ready" = 503 ] && break
  sleep 0.02
done
ready_after="$(elapsed "$signalled")"
echo "     (/readyz was 503 at poll $polls, ${ready_after}s after SIGTERM; one curl takes ~0.2 s here)"
check "/readyz answers 503 right after SIGTERM" 503 "$ready"
check "...at once (first or second poll, under 1 s)" yes \
  "$([ "$polls" -le 2 ] && [ "$(echo "$ready_after < 1" | bc)" = 1 ] && echo yes || echo no)"
check_contains "...naming the drain" "draining" "$(cat "$WORK/readyz.json")"

# The listeners close as the drain begins: a new connection is refused (curl exit 7).
refused() {
  local rc=0
  curl -sS -o /dev/null --max-time 2 -X POST "$GW/upper" --data '"abc"' 2>>"$WORK/refused.err" || rc=$?
  [ "$rc" = 7 ]
}
rc=0
wait_for "new connections to be refused" 5 refused || rc=$?
check "a new connection to the listener is refused (curl exit 7)" 0 "$rc"

wait "$SLOW_PID" || true
check "the request in flight completes with 200" 200 "$(cat "$WORK/slow.code")"
check "...with its answer" '"slow"' "$(cat "$WORK/slow.body")"
check_contains "...and Connection: close" "connection: close" "$(tr -d '\r' <"$WORK/slow.headers" | tr 'A-Z' 'a-z')"

wait "$IDLE_PID" || true
check "the idle keep-alive connection is closed by the server" "first response ok
closed by server" "$(cat "$WORK/idle.txt")"

rc=0
wait "$GW_PID" || rc=$?
took="$(elapsed "$signalled")"
echo "     (exited ${took}s after SIGTERM)"
check "exit code 0" 0 "$rc"
check "exit within the drain bound (5 s)" yes "$([ "$(echo "$took < 5" | bc)" = 1 ] && echo yes || echo no)"
check_contains "the log names the drain bound" "up to 5s" "$(cat "$WORK/gateway-drain.log")"

# A request longer than the bound: the process exits 0 when the bound is up, not when it ends.
curl -fsS -X DELETE "$FAKE/__fake/faults" >/dev/null
curl -fsS -X POST "$FAKE/__fake/faults" -d '{"service":"lambda","function":"echo","mode":"slow","delaySeconds":6}' >/dev/null
start_gateway bound --config "$WORK/config" --drain-timeout 1
wait_ready
GW="http://127.0.0.1:$GW_PORT"
curl -s -o /dev/null --max-time 10 -X POST "$GW/echo" --data '"slow"' >/dev/null 2>&1 &
LONG_PID=$!
wait_for "the long call to reach the fake" 10 in_flight echo
signalled=$(now)
kill -TERM "$GW_PID"
rc=0
wait "$GW_PID" || rc=$?
took="$(elapsed "$signalled")"
echo "     (exited ${took}s after SIGTERM with --drain-timeout 1)"
check "--drain-timeout 1: exit code 0" 0 "$rc"
check "--drain-timeout 1: exit after about 1 s" yes \
  "$([ "$(echo "$took >= 0.9 && $took < 2.5" | bc)" = 1 ] && echo yes || echo no)"
check_contains "the cut-off is logged" "drain time is up" "$(cat "$WORK/gateway-bound.log")"
wait "$LONG_PID" 2>/dev/null || true
curl -fsS -X DELETE "$FAKE/__fake/faults" >/dev/null
finish
