#!/usr/bin/env bash
# Lambda integration depth (issue 5), through curl against the fake: API Gateway 1.0/2.0 and ALB
# events and responses (cookies, multi-value headers, base64 both ways), requestTransformation,
# ASYNC, function errors that never leak, limits, propagateOriginalRouting and response streaming
# (raw chunks with their timing, the HTTP-integration prelude, failures mid-stream).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true
FAKE="http://127.0.0.1:$FAKE_PORT_main"

start_gateway mapping --config "$ROOT/tests/integration/config/mapping"
wait_ready
GW="http://127.0.0.1:$GW_PORT"

# header_lines FILE NAME: every value of header NAME in a curl -D dump, one per line.
header_lines() { tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ": ")==1 {print substr($0, length(n)+3)}'; }
status_of() { tr -d '\r' <"$1" | awk 'NR==1{print $2}'; }

# --- API Gateway 2.0: cookies become one Set-Cookie each ---------------------------------------
curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/v2/items?x=1" -H 'content-type: text/plain' --data 'hello'
check "2.0: the function's statusCode" 201 "$(status_of "$WORK/h")"
check "2.0: two Set-Cookie lines from the cookies array" \
  "$(printf 'session=abc; Path=/; HttpOnly\ntheme=dark')" "$(header_lines "$WORK/h" set-cookie)"
check "2.0: the function's headers" "2.0" "$(header_lines "$WORK/h" x-event-version)"
check "2.0: the function's body" "hello" "$(cat "$WORK/b")"

# --- API Gateway 1.0: multiValueHeaders ---------------------------------------------------------
curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/v1/items" -H 'content-type: text/plain' --data 'hello'
check "1.0: the function's statusCode" 201 "$(status_of "$WORK/h")"
check "1.0: multiValueHeaders give one header line per value" "$(printf '1\n2')" "$(header_lines "$WORK/h" x-multi)"
check "1.0: set-cookie from multiValueHeaders" 2 "$(header_lines "$WORK/h" set-cookie | wc -l)"
check "1.0: body" "hello" "$(cat "$WORK/b")"

# --- Binary bodies survive base64 both ways, byte for byte ------------------------------------
"$PY" -c 'import os,sys; open(sys.argv[1],"wb").write(bytes(range(256))*64 + os.urandom(65536))' "$WORK/binary"
for v in v1 v2; do
  curl -sS -D "$WORK/h" -o "$WORK/binary.out" "$GW/$v/upload" -H 'content-type: application/octet-stream' \
    --data-binary "@$WORK/binary"
  if cmp -s "$WORK/binary" "$WORK/binary.out"; then r=same; else r=different; fi
  check "$v: a $(stat -c %s "$WORK/binary")-byte binary body comes back byte for byte" same "$r"
  check "$v: with the content type the function set" application/octet-stream "$(header_lines "$WORK/h" content-type)"
done
curl -sS -o "$WORK/event.json" "$GW/event/v2/upload" -H 'content-type: application/octet-stream' --data-binary "@$WORK/binary"
check "2.0 event: a binary body is base64 with isBase64Encoded" "True True" "$("$PY" - "$WORK/event.json" "$WORK/binary" <<'PYEOF'
import base64, json, sys
e = json.load(open(sys.argv[1])); raw = open(sys.argv[2], "rb").read()
print(e["isBase64Encoded"], base64.b64decode(e["body"]) == raw)
PYEOF
)"

# --- The events, as the function receives them -------------------------------------------------
rid="req-mapping-1"
curl -sS -o "$WORK/event.json" "$GW/event/v1/users/7?a=1&a=2&b=x%20y" -H 'content-type: application/json' \
  -H "x-request-id: $rid" -H 'x-dup: one' -H 'x-dup: two' -H 'user-agent: mapping-test/1.0' --data '{"k":1}'
e="$(cat "$WORK/event.json")"
check "1.0 event: httpMethod, path, resource" "POST /event/v1/users/7 /event/v1" \
  "$(json_get "$e" 'j["httpMethod"]+" "+j["path"]+" "+j["resource"]')"
check "1.0 event: multiValueQueryStringParameters" "['1', '2'] ['x y']" \
  "$(json_get "$e" 'str(j["multiValueQueryStringParameters"]["a"])+" "+str(j["multiValueQueryStringParameters"]["b"])')"
check "1.0 event: queryStringParameters keep the last value" "2" "$(json_get "$e" 'j["queryStringParameters"]["a"]')"
check "1.0 event: multiValueHeaders keep both values" "['one', 'two']" \
  "$(json_get "$e" 'str([v for k, v in j["multiValueHeaders"].items() if k.lower()=="x-dup"][0])')"
check "1.0 event: requestContext identity" "127.0.0.1 mapping-test/1.0" \
  "$(json_get "$e" 'j["requestContext"]["identity"]["sourceIp"]+" "+j["requestContext"]["identity"]["userAgent"]')"
check "1.0 event: requestContext.requestId is the request id" "$rid" "$(json_get "$e" 'j["requestContext"]["requestId"]')"
check "1.0 event: requestContext has time, epoch and domainName" "True True 127.0.0.1" \
  "$(json_get "$e" 'str(len(j["requestContext"]["requestTime"]) > 10)+" "+str(j["requestContext"]["requestTimeEpoch"] > 1700000000000)+" "+j["requestContext"]["domainName"]')"
check "1.0 event: a JSON body stays text" '{"k":1} False' "$(json_get "$e" 'j["body"]+" "+str(j["isBase64Encoded"])')"

curl -sS -o "$WORK/event.json" "$GW/event/v2/users?a=1&a=2" -H 'cookie: c1=v1; c2=v2' -H 'user-agent: mapping-test/2.0' \
  -H 'x-dup: one' -H 'x-dup: two' --data 'text body' -H 'content-type: text/plain'
e="$(cat "$WORK/event.json")"
check "2.0 event: version, rawPath, rawQueryString" "2.0 /event/v2/users a=1&a=2" \
  "$(json_get "$e" 'j["version"]+" "+j["rawPath"]+" "+j["rawQueryString"]')"
check "2.0 event: cookies from the Cookie header" "['c1=v1', 'c2=v2']" "$(json_get "$e" 'str(j["cookies"])')"
check "2.0 event: repeated headers and query values comma-joined" "one,two 1,2" \
  "$(json_get "$e" 'j["headers"]["x-dup"]+" "+j["queryStringParameters"]["a"]')"
check "2.0 event: requestContext.http" "POST /event/v2/users 127.0.0.1 mapping-test/2.0" \
  "$(json_get "$e" '" ".join([j["requestContext"]["http"][k] for k in ("method","path","sourceIp","userAgent")])')"

curl -sS -o "$WORK/event.json" "$GW/event/gloo/x?q=1&q=2" -H 'x-dup: one' -H 'x-dup: two' --data 'plain body'
e="$(cat "$WORK/event.json")"
check "requestTransformation: method, rewritten path, query" "POST /rewritten/x q=1&q=2" \
  "$(json_get "$e" 'j["httpMethod"]+" "+j["path"]+" "+j["queryString"]')"
check "requestTransformation: headers, multiValueHeaders and body" "two ['one', 'two'] plain body" \
  "$(json_get "$e" 'j["headers"]["x-dup"]+" "+str(j["multiValueHeaders"]["x-dup"])+" "+j["body"]')"

# --- Unwrapping output the test chooses --------------------------------------------------------
code="$(curl -sS -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$GW/raw/v2" --data '{"respond":"{\"message\":\"hi\"}"}')"
check "2.0: JSON without statusCode is a 200 with that JSON as body" '200 {"message":"hi"}' "$code $(cat "$WORK/b")"
check "2.0: ... as application/json" application/json "$(header_lines "$WORK/h" content-type)"
for case in 'raw/v2|not json' 'raw/v1|{"statusCode":"abc"}' 'raw/alb|[1,2'; do
  path="${case%%|*}"; output="${case#*|}"
  payload="$("$PY" -c 'import json,sys; print(json.dumps({"respond": sys.argv[1]}))' "$output")"
  code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/$path" --data "$payload")"
  check "$path: malformed output '$output' → 502 invalid_function_response" "502 invalid_function_response" \
    "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
done
payload='{"respond":"{\"statusCode\":404,\"statusDescription\":\"404 Not Found\",\"headers\":{\"x-a\":\"b\"},\"body\":\"nope\",\"isBase64Encoded\":false}"}'
code="$(curl -sS -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$GW/raw/alb" --data "$payload")"
check "ALB: statusCode, headers and body" "404 b nope" "$code $(header_lines "$WORK/h" x-a) $(cat "$WORK/b")"

# --- ASYNC -------------------------------------------------------------------------------------
code="$(curl -sS -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$GW/async" --data '"abc"')"
check "ASYNC answers 202 with an empty body" "202 0" "$code $(stat -c %s "$WORK/b")"
check "ASYNC: the fake was called with InvocationType Event" "Event" \
  "$(json_get "$(fake_calls main uppercase)" 'j[-1]["invocationType"]')"

# --- Function errors never leak ---------------------------------------------------------------
code="$(curl -sS -D "$WORK/h" -o "$WORK/b" -w '%{http_code}' "$GW/crash" --data '{}')"
check "a function error → 502 function_error" "502 function_error" "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
check "the function's errorType is named" "True" "$(json_get "$(cat "$WORK/b")" '"Exception" in j["message"]')"
check "neither its message nor its stack trace reach the client" "no leak" \
  "$(grep -qiE 'hunter2|SECRET_STACK_FRAME' "$WORK/b" "$WORK/h" && echo leak || echo 'no leak')"
check "no AWS internals in the response headers" "none" \
  "$(grep -qiE '^(x-amz-|x-amzn-)' "$WORK/h" && echo found || echo none)"
curl -sS -D "$WORK/h" -o /dev/null "$GW/echo" --data '{}'
check "no AWS internals on a success either" "none" "$(grep -qiE '^(x-amz-|x-amzn-)' "$WORK/h" && echo found || echo none)"

# --- propagateOriginalRouting ------------------------------------------------------------------
who="$(curl -sS "$GW/whoami/abc?x=1" --data '{}')"
check "propagateOriginalRouting: original path and method reach Lambda" "/whoami/abc?x=1 POST" \
  "$(json_get "$who" 'j["headers"]["x-envoy-original-path"]+" "+j["headers"]["x-envoy-original-method"]')"

# --- Limits: 413 before any call to Lambda -----------------------------------------------------
before="$(json_get "$(fake_calls main echo)" 'len(j)')"
head -c $((7 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big"
code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/echo" -H 'content-type: application/json' --data-binary "@$WORK/big")"
check "a 7 MiB body → 413 payload_too_large" "413 payload_too_large" "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big"
code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/async" --data-binary "@$WORK/big")"
check "a 2 MiB body on an ASYNC route → 413 (1 MiB limit)" "413 payload_too_large" "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
check "the fake saw no call for either" "$before" "$(json_get "$(fake_calls main echo)" 'len(j)')"

# --- Response streaming ------------------------------------------------------------------------
# The first chunk reaches the client while the function is still producing the rest.
timing="$("$PY" - "$GW_PORT" <<'PYEOF'
import http.client, json, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
t0 = time.monotonic()
conn.request("POST", "/stream/chunks", body=json.dumps({"chunks": 3, "delayMs": 1000, "size": 8}))
resp = conn.getresponse()
arrivals, body = [], b""
while True:
    piece = resp.read1(65536)
    if not piece:
        break
    arrivals.append(time.monotonic() - t0)
    body += piece
print(json.dumps({"status": resp.status, "te": resp.getheader("transfer-encoding"), "first": arrivals[0],
                  "last": arrivals[-1], "body": body.decode()}))
PYEOF
)"
echo "     streaming timing: $timing"
check "streaming: 200, chunked" "200 chunked" "$(json_get "$timing" 'str(j["status"])+" "+j["te"]')"
check "streaming: every chunk arrives" "chunk-1:xxxxxxxx|chunk-2:xxxxxxxx|chunk-3:xxxxxxxx" \
  "$(json_get "$timing" '"|".join(j["body"].split())')"
check "streaming: the first chunk arrives ≥ 1.5 s before the last (function sleeps 2 × 1 s)" "True" \
  "$(json_get "$timing" 'j["last"] - j["first"] >= 1.5 and j["first"] < 1.0')"

curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/stream/http" --data '{}'
check "HTTP-integration prelude: status" 201 "$(status_of "$WORK/h")"
check "HTTP-integration prelude: headers and two Set-Cookie lines" "yes text/plain a=1; Path=/|b=2" \
  "$(header_lines "$WORK/h" x-streamed) $(header_lines "$WORK/h" content-type) $(header_lines "$WORK/h" set-cookie | paste -sd'|')"
check "HTTP-integration prelude: the body after the 8 NUL bytes, split across chunks" "$(printf 'first\nsecond')" "$(cat "$WORK/b")"

rc=0; curl -sS -o "$WORK/b" "$GW/stream/fail" --data '{}' 2>"$WORK/curl.err" || rc=$?
check "a stream that fails after data: curl sees an incomplete response (exit 18)" 18 "$rc"
check "... after the data that was sent" "partial-1" "$(cat "$WORK/b")"
check "... and the function's error text is not sent" "no leak" "$(grep -q 'stream broke' "$WORK/b" && echo leak || echo 'no leak')"

code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/stream/crash" --data '{}')"
check "a stream that fails before any data → 502 function_error" "502 function_error" \
  "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
check "... without the stack trace" "no leak" "$(grep -qiE 'hunter2|SECRET_STACK_FRAME' "$WORK/b" && echo leak || echo 'no leak')"

curl -sS -X POST "$FAKE/__fake/faults" -d '{"service":"lambda","function":"stream-chunks","mode":"cut","afterChunks":1,"count":1}' >/dev/null
rc=0; curl -sS -o "$WORK/b" "$GW/stream/chunks" --data '{"chunks":3,"delayMs":100}' 2>/dev/null || rc=$?
check "a stream cut by the network mid-way: curl sees an incomplete response" 18 "$rc"
check "... after the first chunk" "chunk-1:xxxxxxxxxxxxxxxx" "$(cat "$WORK/b" | tr -d '\n')"
curl -sS -X DELETE "$FAKE/__fake/faults" >/dev/null

check "every call the fake saw was validly signed" "True" "$(json_get "$(fake_calls main)" 'all(c["signatureValid"] for c in j)')"
log="$(cat "$WORK/gateway-mapping.log")"
check "no function secret in the gateway's log" "no leak" \
  "$(grep -qiE 'hunter2|SECRET_STACK_FRAME' "$WORK/gateway-mapping.log" && echo leak || echo 'no leak')"
check_contains "the access log records the aborted stream" "stream-fail" "$log"

finish
