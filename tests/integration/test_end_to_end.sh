#!/usr/bin/env bash
# End to end (issue 2): curl → lambdagate → SigV4-signed Invoke → the fake Lambda, which checks
# every signature with botocore. Covers Gloo's example, binary-safe payloads, every function
# name form, Secrets, errors, limits, keep-alive and pipelining, and --validate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# These checks are about Invoke; function discovery's ListFunctions calls are counted elsewhere.
export FAKE_OP=Invoke

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

mkdir -p "$WORK/config"
cp "$ROOT/tests/integration/config/e2e/"*.yaml "$WORK/config/"
sed -e "s|@SECRET_KEY_ID@|$FAKE_KEY_ID|" -e "s|@SECRET_SECRET@|$FAKE_SECRET|" \
  "$ROOT/tests/integration/config/e2e/secrets.yaml.in" >"$WORK/config/secrets.yaml"

start_gateway e2e --config "$WORK/config"
wait_ready
GW="http://127.0.0.1:$GW_PORT"

# Gloo's documented example, exactly.
out="$(curl -sS "$GW/lambda" --data '"abc"' -H "content-type: application/json")"
check "uppercase: curl /lambda --data '\"abc\"' answers \"ABC\"" '"ABC"' "$out"
check "the fake verified the signature of that call" "True" \
  "$(json_get "$(fake_calls main uppercase)" 'all(c["signatureValid"] for c in j) and len(j) == 1')"

# The example configuration in config/ serves the same answer.
headers="$(curl -sS -D - -o "$WORK/body" "$GW/lambda" --data '"hello world"' -H "content-type: application/json")"
check "response body" '"HELLO WORLD"' "$(cat "$WORK/body")"
check_contains "x-request-id on a success" "x-request-id:" "${headers,,}"
check_contains "content-type application/json" "content-type: application/json" "${headers,,}"

# A client's own request id is kept.
rid="$(curl -sS -D - -o /dev/null "$GW/lambda" --data '"x"' -H 'x-request-id: my-trace-123' | tr -d '\r' | awk -F': ' 'tolower($1)=="x-request-id"{print $2}')"
check "a client's x-request-id is echoed" "my-trace-123" "$rid"

# A binary-safe JSON payload (every code point below U+0800, raw and escaped, NUL included)
# round-trips byte for byte through `echo`.
"$PY" - "$WORK/payload.json" <<'PYEOF'
import json, sys
chars = "".join(chr(c) for c in range(0x800) if not 0xD800 <= c <= 0xDFFF)
doc = {"raw": chars, "escaped": json.dumps(chars), "nested": [chars[::-1]] * 20}
open(sys.argv[1], "wb").write(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
PYEOF
curl -sS "$GW/echo" --data-binary "@$WORK/payload.json" -H "content-type: application/json" -o "$WORK/echoed.json"
if cmp -s "$WORK/payload.json" "$WORK/echoed.json"; then r=same; else r=different; fi
check "echo returns $(stat -c %s "$WORK/payload.json") bytes byte for byte" same "$r"

# Function name forms: full ARN, qualifier field, qualifier in the name, awsAccountId → ARN.
who="$(curl -sS -X POST "$GW/arn" --data '{}')"
check "full ARN: the fake saw function whoami" "whoami" "$(json_get "$who" 'j["functionName"]')"
check "full ARN: invoked by ARN" "arn:aws:lambda:us-east-1:123456789012:function:whoami" "$(json_get "$who" 'j["invokedArn"]')"
check "full ARN: raw path percent-encoded" "True" \
  "$(json_get "$(fake_calls main whoami)" '"arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Awhoami" in j[-1]["rawPath"]')"
who="$(curl -sS -X POST "$GW/prod" --data '{}')"
check "qualifier prod: qualifier" "prod" "$(json_get "$who" 'j["qualifier"]')"
check "qualifier prod: executed version 1" "1" "$(json_get "$who" 'j["executedVersion"]')"
who="$(curl -sS -X POST "$GW/in-name" --data '{}')"
check "name:alias form: qualifier" "prod" "$(json_get "$who" 'j["qualifier"]')"
who="$(curl -sS -X POST "$GW/account" --data '{}')"
check "awsAccountId builds the ARN (qualifier 1)" "arn:aws:lambda:us-east-1:123456789012:function:whoami:1" "$(json_get "$who" 'j["invokedArn"]')"
check "awsAccountId: the wire path names the ARN" "True" \
  "$(json_get "$(fake_calls main whoami)" 'j[-1]["rawPath"].startswith("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Awhoami/")')"
check "awsAccountId with qualifier 1" "1" "$(json_get "$who" 'j["executedVersion"]')"
check "every call so far had a valid signature" "True" \
  "$(json_get "$(fake_calls main)" 'all(c["signatureValid"] for c in j)')"

# Credentials from a Secret (secretRef).
who="$(curl -sS -X POST "$GW/secret" --data '{}')"
check "secretRef credentials sign the call" "$FAKE_KEY_ID" "$(json_get "$who" 'j["accessKeyId"]')"

# Errors: JSON bodies per DESIGN.md §4.
code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/nothing-here" --data '{}')"
check "no route → 404" 404 "$code"
check "no route → code route_not_found" route_not_found "$(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
check "error body has a requestId" "True" "$(json_get "$(cat "$WORK/err.json")" 'len(j["requestId"]) > 0')"

code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/wrong-key" --data '"abc"')"
check "a wrong secret key → 502" 502 "$code"
check "a wrong secret key → lambda_rejected naming Lambda's error" "lambda_rejected True" \
  "$(json_get "$(cat "$WORK/err.json")" 'j["code"] + " " + str("InvalidSignatureException" in j["message"])')"
check "the fake rejected that signature" "False" \
  "$(json_get "$(fake_calls main)" 'j[-1]["signatureValid"]')"

code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/missing" --data '{}')"
check "a missing function → 502 lambda_rejected" "502 lambda_rejected" "$code $(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
check_contains "…naming ResourceNotFoundException" ResourceNotFoundException "$(cat "$WORK/err.json")"

code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/fail" --data '{}')"
check "a function error → 502 function_error" "502 function_error" "$code $(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
if grep -q "index.js" "$WORK/err.json"; then r=leaked; else r=clean; fi
check "…without the function's stack trace" clean "$r"

code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/lambda" --data 'not json' -H 'content-type: application/json')"
check "a payload Lambda rejects → 400 invalid_payload" "400 invalid_payload" "$code $(json_get "$(cat "$WORK/err.json")" 'j["code"]')"

code="$(curl -sS -o /dev/null -w '%{http_code}' "$GW/async" --data '{"k":1}')"
check "an ASYNC route → 202" 202 "$code"

# Limits: 7 MiB is over Lambda's 6 MiB; the fake must see no call.
calls_before="$(json_get "$(fake_calls main)" 'len(j)')"
head -c $((7 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big"
code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "$GW/echo" --data-binary "@$WORK/big")"
check "a 7 MiB body → 413" 413 "$code"
check "…code payload_too_large" payload_too_large "$(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
check "…and the fake saw no call" "$calls_before" "$(json_get "$(fake_calls main)" 'len(j)')"

# Keep-alive and pipelining: three requests in one write, answered in order on one connection.
pipelined="$("$PY" - "$GW_PORT" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
reqs = b""
for i in range(3):
    body = ('"p%d"' % i).encode()
    reqs += b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
s.sendall(reqs)
data = b""
while data.count(b"HTTP/1.1 200") < 3 or not data.endswith(b'"p2"'):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
bodies = [part.split(b"\r\n\r\n", 1)[1][:4].decode() for part in data.split(b"HTTP/1.1 ")[1:]]
print(" ".join(bodies))
PYEOF
)"
check "pipelined requests are answered in order" '"p0" "p1" "p2"' "$pipelined"

# --validate names the file and line of every problem, and exits 1.
rc=0
out="$("$BIN" --validate --config "$ROOT/tests/integration/config/broken" 2>&1)" || rc=$?
check "--validate on a broken config exits 1" 1 "$rc"
if grep -Eq 'broken/virtualservice\.yaml:[0-9]+: error: .*lamdba' <<<"$out"; then r=named; else r="$out"; fi
check "--validate names file, line and the unknown upstream" named "$r"
rc=0
out="$("$BIN" --validate --config "$ROOT/config" 2>&1)" || rc=$?
check "--validate on config/ exits 0" 0 "$rc"
printf 'apiVersion: v1\nkind: [unclosed\n' >"$WORK/syntax.yaml"
rc=0
out="$("$BIN" --validate --config "$WORK/syntax.yaml" 2>&1)" || rc=$?
check "--validate on a YAML syntax error exits 1" 1 "$rc"
check_contains "…and names the file" "syntax.yaml:" "$out"

# SIGTERM → exit 0.
rc=0
stop_gateway || rc=$?
check "SIGTERM → exit 0" 0 "$rc"
if grep -q "$FAKE_SECRET" "$WORK"/gateway-*.log; then r=leaked; else r=clean; fi
check "the secret key never appears in lambdagate's logs" clean "$r"

finish
