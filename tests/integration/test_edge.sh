#!/usr/bin/env bash
# Hostile clients against the real binary (issue 12): path tricks that must not dodge an exact
# route, request smuggling through Transfer-Encoding, HEAD, Host, 100-continue on HTTP/1.0, a
# chunk-extension and a trailer flood (RSS bounded), a slowloris client cut at
# requestHeadersTimeout while others are served, SIGPIPE from a closed stdout reader, descriptor
# exhaustion (the admin listener still answers; new clients get an answer or a close within a
# second), and --shutdown-delay (readiness 503 while the listener still serves).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main --quiet
FAKE="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ENDPOINT_URL_LAMBDA="$FAKE"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true
CONFIG="$ROOT/tests/integration/config/edge"
echo_calls() { FAKE_OP=Invoke json_get "$(fake_calls main echo)" 'len(j)'; }

# raw PORT: sends stdin's bytes (Python escapes, e.g. \r\n) on one connection, half-closes only
# if RAW_HALF_CLOSE=1, and prints everything the server sends until it closes (or 5 s pass).
raw() {
  "$PY" - "$1" "$(cat)" <<'PYEOF'
import os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
if os.environ.get("RAW_HALF_CLOSE") == "1":
    s.shutdown(socket.SHUT_WR)
out = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
except socket.timeout:
    out += b"<timeout>"
sys.stdout.write(out.decode("latin-1"))
PYEOF
}

start_gateway edge --config "$CONFIG" --shutdown-delay 2
wait_ready
GW="http://127.0.0.1:$GW_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

# --- Item 4: path normalisation before matching. --------------------------------------------
check "the exact route answers 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/secret")"
for path in /api/./secret /api/x/../secret /x/../api/secret /api//secret /api/%73ecret '/api/%2E%2E/api/secret'; do
  check "$path is matched as /api/secret (403)" 403 \
    "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$GW$path")"
done
check "...and none of them reached the function" 0 "$(echo_calls)"
check "the prefix route still reaches the function" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/other" --data '"x"')"
check "...once" 1 "$(echo_calls)"

# --- Item 3: no smuggling through Transfer-Encoding. ----------------------------------------
for coding in gzip 'chunked, identity'; do
  out="$(printf 'POST /api/a HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: %s\\r\\n\\r\\nGET /api/smuggled HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' "$coding" | raw "$GW_PORT")"
  check "Transfer-Encoding: $coding is refused 400" "HTTP/1.1 400" "${out:0:12}"
  check "...with one response only (nothing smuggled)" 1 "$(grep -c '^HTTP/1.1' <<<"$out")"
done
out="$(printf 'POST /api/a HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n' | raw "$GW_PORT")"
check "Content-Length with Transfer-Encoding is refused 400" "HTTP/1.1 400" "${out:0:12}"
check "...and the smuggled requests never reached the function" 1 "$(echo_calls)"

# --- Item 9: HEAD, Host, 100-continue to HTTP/1.0. ------------------------------------------
out="$(printf 'HEAD /api/secret HTTP/1.1\\r\\nHost: x\\r\\n\\r\\nGET /api/secret HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | raw "$GW_PORT")"
check "HEAD and a pipelined GET: two responses" 2 "$(grep -c '^HTTP/1.1 403' <<<"$out")"
check "...the body only once (the GET's)" 1 "$(grep -o 'forbidden' <<<"$out" | wc -l)"
out="$(printf 'GET /api/secret HTTP/1.1\\r\\n\\r\\n' | raw "$GW_PORT")"
check "HTTP/1.1 without Host is refused 400" "HTTP/1.1 400" "${out:0:12}"
out="$(printf 'GET /api/secret HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n' | raw "$GW_PORT")"
check "two Host headers are refused 400" "HTTP/1.1 400" "${out:0:12}"
out="$(printf 'POST /api/secret HTTP/1.0\\r\\nExpect: 100-continue\\r\\nContent-Length: 2\\r\\n\\r\\nok' | raw "$GW_PORT")"
check "HTTP/1.0 gets no 100 Continue" "HTTP/1.0 403" "${out:0:12}"

# --- Item 1: chunk-extension and trailer floods are bounded. --------------------------------
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$GW_PID/status"; }
flood() {
  "$PY" - "$GW_PORT" "$1" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"POST /api/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
s.sendall(b"5;ext=" if sys.argv[2] == "extension" else b"5\r\nhello\r\n0\r\nX-Trailer: ")
block, sent = b"a" * 65536, 0
try:
    while sent < 48 * 1024 * 1024:
        s.sendall(block)
        sent += len(block)
except OSError:
    pass
try:
    answer = s.recv(65536)
except OSError:
    answer = b""
print(answer[:12].decode("latin-1").replace(" ", "_") or "closed", sent)
PYEOF
}
before="$(rss_kb)"
for kind in extension trailer; do
  read -r status sent < <(flood "$kind")
  check "an endless chunk $kind is answered 431 (or closed) before 48 MiB" yes \
    "$([[ "$status" == HTTP/1.1_431 || "$status" == closed ]] && [ "$sent" -lt $((48 * 1024 * 1024)) ] && echo yes || echo "no: $status after $sent bytes")"
done
after="$(rss_kb)"
echo "     RSS before the floods ${before} KiB, after ${after} KiB"
check "RSS grew by less than 16 MiB" yes "$([ $((after - before)) -lt 16384 ] && echo yes || echo "no: +$((after - before)) KiB")"
check "the gateway still serves" 403 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/secret")"

# --- Item 5: a slowloris client is cut at requestHeadersTimeout (2 s); others are served. ----
"$PY" - "$GW_PORT" >"$WORK/slowloris.txt" <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
start = time.monotonic()
header = b"GET /api/secret HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
try:
    for byte in header:
        s.sendall(bytes([byte]))
        s.settimeout(0.25)
        try:
            if s.recv(1) == b"":
                break
        except socket.timeout:
            pass
except OSError:
    pass
print("%.2f" % (time.monotonic() - start))
PYEOF
SLOW_PID=$!
served=0
for i in 1 2 3 4 5; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/secret")" = 403 ] && served=$((served + 1))
done
check "others are served while the slow client trickles" 5 "$served"
wait "$SLOW_PID"
cut_after="$(cat "$WORK/slowloris.txt")"
echo "     slowloris connection closed after ${cut_after} s"
check "the slowloris client is cut between 1.5 and 4 s" yes \
  "$("$PY" -c "print('yes' if 1.5 <= float('$cut_after') <= 4 else 'no')")"

# --- Gloo's healthCheck.path, answered by the listener itself. -------------------------------
check "healthCheck.path answers 200 on the listener" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/health")"
check "...without reaching a route or the function" 1 "$(echo_calls)"

# --- Item 8: --shutdown-delay. ---------------------------------------------------------------
signalled=$(date +%s.%N)
kill -TERM "$GW_PID"
wait_for "/readyz to turn 503" 2 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $ADMIN/readyz)\" = 503 ]"
check "during the delay the listener still accepts and serves" 403 \
  "$(curl -s -o /dev/null -w '%{http_code}' "$GW/api/secret")"
check "...and its healthCheck.path answers 503" 503 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/health")"
rc=0
wait "$GW_PID" || rc=$?
took="$("$PY" -c "import time; print('%.1f' % (time.time() - $signalled))")"
echo "     exited ${took} s after SIGTERM"
check "exit 0 after the delay" 0 "$rc"
check "...not before the 2 s delay" yes "$("$PY" -c "print('yes' if $took >= 1.9 else 'no')")"

# --- Item 2: SIGPIPE when the stdout reader goes away. ---------------------------------------
"$BIN" --listen 127.0.0.1:0 --admin 127.0.0.1:0 --threads 1 --config "$CONFIG" \
  2>"$WORK/gateway-pipe.log" > >(head -c 1 >/dev/null) &
GW_PID=$!
PIDS+=($GW_PID)
await_gateway pipe
for i in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$GW_PORT/api/secret"; done
check "the gateway survives writing to a closed stdout (SIGPIPE)" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/healthz")"
kill -0 "$GW_PID" && alive=yes || alive=no
check "...and is still running" yes "$alive"
stop_gateway || true

# --- Item 6: descriptor exhaustion. ----------------------------------------------------------
( ulimit -n 256; exec "$BIN" --listen 127.0.0.1:0 --admin 127.0.0.1:0 --threads 2 --config "$CONFIG" ) \
  >"$WORK/gateway-fds.log" 2>&1 &
GW_PID=$!
PIDS+=($GW_PID)
await_gateway fds
"$PY" - "$GW_PORT" "$ADMIN_PORT" <<'PYEOF' >"$WORK/fds.txt"
import socket, sys, time
port, admin = int(sys.argv[1]), int(sys.argv[2])
idle = []
for _ in range(300):
    try:
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        pass
time.sleep(0.2)  # let the gateway take (or refuse) them all

def answered(p, request):
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", p), timeout=1)
    try:
        s.sendall(request)
        data = s.recv(100)
        result = data[:12].decode() if data else "closed"
    except OSError as e:
        result = "closed" if isinstance(e, ConnectionResetError) else "timeout"
    return result, time.monotonic() - start

status, took = answered(admin, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("admin", status.replace(" ", "_"), "%.2f" % took)
status, took = answered(port, b"GET /api/secret HTTP/1.1\r\nHost: x\r\n\r\n")
print("client", status.replace(" ", "_"), "%.2f" % took)
PYEOF
cat "$WORK/fds.txt" | sed 's/^/     /'
read -r _ admin_status admin_took <<<"$(grep '^admin' "$WORK/fds.txt")"
read -r _ client_status client_took <<<"$(grep '^client' "$WORK/fds.txt")"
check "with 300 idle clients and 256 descriptors the admin listener answers" HTTP/1.1_200 "$admin_status"
check "...within a second" yes "$("$PY" -c "print('yes' if $admin_took < 1 else 'no')")"
check "a new client gets an answer or a close within a second" yes \
  "$("$PY" -c "print('yes' if '$client_status' in ('HTTP/1.1_403', 'closed') and $client_took < 1 else 'no')")"
check_contains "the limit is logged" "connection limit of 96" "$(cat "$WORK/gateway-fds.log")"
check "the gateway is still running" yes "$(kill -0 "$GW_PID" && echo yes || echo no)"

stop_gateway || true

# --- PROXY protocol v1 and v2 (issue 15). -----------------------------------------------------
start_gateway proxy --config "$ROOT/tests/integration/config/edge-proxy"
# proxied VERSION: sends a PROXY header of VERSION (v1, v2, none) for client 203.0.113.7:51000,
# then a request; prints the event's sourceIp and X-Forwarded-For, or "closed" when the
# connection closes unanswered.
proxied() {
  "$PY" - "$GW_PORT" "$1" <<'PYEOF'
import json, socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
if sys.argv[2] == "v1":
    s.sendall(b"PROXY TCP4 203.0.113.7 10.0.0.1 51000 8080\r\n")
elif sys.argv[2] == "v2":
    addresses = socket.inet_aton("203.0.113.7") + socket.inet_aton("10.0.0.1") + struct.pack("!HH", 51000, 8080)
    s.sendall(b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(addresses)) + addresses)
s.sendall(b"POST /who HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
if not data:
    print("closed")
else:
    body = data.split(b"\r\n\r\n", 1)[1]
    event = json.loads(body)
    xff = [v for k, v in event["headers"].items() if k.lower() == "x-forwarded-for"]
    print(event["requestContext"]["identity"]["sourceIp"], xff[0] if xff else "-")
PYEOF
}
check "PROXY v1: the event's sourceIp and X-Forwarded-For are the client the header names" \
  "203.0.113.7 203.0.113.7" "$(proxied v1)"
check "PROXY v2: the event's sourceIp and X-Forwarded-For are the client the header names" \
  "203.0.113.7 203.0.113.7" "$(proxied v2)"
check "without a PROXY header the connection is closed unanswered" closed "$(proxied none)"
check_contains "the access log names the proxied client" " 203.0.113.7 POST /who 200" "$(cat "$WORK/gateway-proxy.log")"

stop_gateway || true

# --- Item 9: client error messages name the route and the logical function only; transport
# failures are logged at warn with the endpoint, once per 10 s. ----------------------------------
REFUSED_PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$REFUSED_PORT" start_gateway refused \
  --config "$ROOT/tests/integration/config/edge-refused"
wait_ready
GW="http://127.0.0.1:$GW_PORT"
body="$(curl -s "$GW/orders" --data '{}')"
check "a refused Lambda endpoint: 502 upstream_unavailable" upstream_unavailable \
  "$(json_get "$body" 'j["code"]')"
check_contains "...naming the logical function and the route" "function 'orders' (route '" "$body"
for internal in 123456789012 arn: orders-prod aws-prod-account 127.0.0.1 "$REFUSED_PORT"; do
  check "...and not '$internal'" no "$([[ "$body" == *"$internal"* ]] && echo yes || echo no)"
done
for _ in 1 2 3; do curl -s -o /dev/null "$GW/orders" --data '{}'; done
sleep 0.2
log="$(cat "$WORK/gateway-refused.log")"
warn_lines="$(grep -c 'could not reach Lambda for the call' <<<"$log" || true)"
check "one warn line for four refused calls (rate-limited)" 1 "$warn_lines"
check_contains "...at warn, with the endpoint and the function's ARN" \
  "127.0.0.1:$REFUSED_PORT" "$(grep 'could not reach Lambda for the call' <<<"$log" | grep -i warn)"
check_contains "...naming the function invoked" "123456789012:function:orders-prod" \
  "$(grep 'could not reach Lambda for the call' <<<"$log")"
stop_gateway || true

finish
