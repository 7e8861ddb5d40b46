#!/usr/bin/env bash
# Routing, timeouts and retries (issue 4) through curl against the fake's fault injection:
# retries that succeed, per-try timeouts inside the route timeout, throttling with Retry-After,
# weighted destinations, virtual hosts, header/method/regex matchers, response headers.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main --quiet
FAKE="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ENDPOINT_URL_LAMBDA="$FAKE"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

start_gateway routing --config "$ROOT/tests/integration/config/routing"
wait_ready
GW="http://127.0.0.1:$GW_PORT"
fault() { curl -s -X POST "$FAKE/__fake/faults" -d "$1" >/dev/null; }
clear() { curl -s -X DELETE "$FAKE/__fake/faults" >/dev/null; curl -s -X POST "$FAKE/__fake/reset" >/dev/null; }
count_calls() { json_get "$(curl -s "$FAKE/__fake/calls?function=$1")" 'len(j)'; }

# A function failing twice with 500 succeeds with numRetries: 3; each attempt signed afresh.
clear
fault '{"service":"lambda","function":"uppercase","mode":"status","status":500,"count":2}'
out="$(curl -sS "$GW/retry-500" --data '"abc"')"
check "500, 500, then success with numRetries: 3" '"ABC"' "$out"
check "…three attempts reached Lambda" 3 "$(count_calls uppercase)"
check "…every attempt carried a valid signature" True \
  "$(json_get "$(curl -s "$FAKE/__fake/calls?function=uppercase")" 'all(c["signatureValid"] for c in j)')"

# Without a retry policy the first 500 is final: 502 upstream_unavailable.
clear
fault '{"service":"lambda","function":"uppercase","mode":"status","status":500,"count":1}'
code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/no-retry" --data '"abc"')"
check "no retry policy: Lambda 500 → 502 upstream_unavailable" "502 upstream_unavailable" "$code $(json_get "$(cat "$WORK/err.json")" 'j["code"]')"

# A slow function with perTryTimeout and numRetries answers 504 within the route timeout (2 s).
clear
fault '{"service":"lambda","function":"echo","mode":"slow","delaySeconds":3}'
start_ns=$(date +%s%N)
code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/slow" --data '{}')"
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
check "slow function: 504 upstream_timeout" "504 upstream_timeout" "$code $(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
gateway_ms="$(grep -o 'POST /slow 504 [0-9]*' "$WORK/gateway-routing.log" | tail -1 | awk '{print $3}')"
check "…within the 2 s route timeout (gateway: ${gateway_ms} ms, curl: ${elapsed_ms} ms)" yes \
  "$([ "${gateway_ms:-9999}" -lt 2100 ] && [ "$elapsed_ms" -lt 3000 ] && echo yes || echo no)"
attempts="$(grep -o 'POST /slow 504 .*attempts=[0-9]*' "$WORK/gateway-routing.log" | tail -1 | sed 's/.*attempts=//')"
check "…after several per-try timeouts (attempts: $attempts)" yes "$([ "${attempts:-0}" -ge 3 ] && echo yes || echo no)"

# A throttled function returns 429 with Retry-After once retries run out.
clear
fault '{"service":"lambda","function":"whoami","mode":"status","status":429,"retryAfter":1}'
headers="$(curl -sS -D - -o "$WORK/err.json" "$GW/throttled" --data '{}' | tr -d '\r')"
check_contains "throttled: 429" "HTTP/1.1 429" "$headers"
check "…lambda_throttled" lambda_throttled "$(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
check_contains "…with Retry-After" "retry-after: 1" "${headers,,}"
check "…after 1 + numRetries attempts" 2 "$(count_calls whoami)"

# Weighted destinations split 1,000 requests within a few percent of 80/20.
clear
"$PY" - "$GW_PORT" <<'PYEOF'
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
for _ in range(1000):
    conn.request("POST", "/canary", body=b'"x"', headers={"content-type": "application/json"})
    r = conn.getresponse(); r.read()
    assert r.status == 200, r.status
PYEOF
split="$(curl -s "$FAKE/__fake/calls?function=uppercase" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
print(sum(1 for c in j if c["qualifier"] == "prod"), sum(1 for c in j if c["qualifier"] == "live"))')"
prod="${split% *}"; live="${split#* }"
echo "     (prod $prod, live $live of 1000)"
check "weighted 80/20: prod within 750..850 and live within 150..250" yes \
  "$([ "$prod" -ge 750 ] && [ "$prod" -le 850 ] && [ "$live" -ge 150 ] && [ "$live" -le 250 ] && [ $((prod + live)) -eq 1000 ] && echo yes || echo no)"

# Virtual hosts by Host header (with or without a port), matchers, response headers.
check "Host api.example.com → its own virtual host" api-host "$(curl -sS -H 'Host: api.example.com' "$GW/anything")"
check "Host api.example.com:8080 → the same" api-host "$(curl -sS -H 'Host: api.example.com:8080' "$GW/anything")"
out="$(curl -sS -D - -o "$WORK/body" -X POST -H 'x-env: prod' "$GW/headers/x" --data '"abc"' | tr -d '\r')"
check "header + method matcher routes to Lambda" '"ABC"' "$(cat "$WORK/body")"
check_contains "…and responseHeadersToAdd adds x-served-by" "x-served-by: lambdagate" "${out,,}"
check "header matcher not satisfied → 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'x-env: dev' "$GW/headers/x" --data '{}')"
check "method matcher not satisfied → 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -X GET -H 'x-env: prod' "$GW/headers/x")"
check "regex matcher (full match)" item "$(curl -sS "$GW/items/42")"
check "regex matcher does not match a longer path" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/items/42/x")"

stop_gateway || true
finish
