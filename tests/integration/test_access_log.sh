#!/usr/bin/env bash
# Access logs (issues 14 and 15): the built-in log is buffered per worker yet loses no line when
# SIGTERM comes right after the requests; --access-log off silences it; a Gateway's
# accessLoggingService fileSinks (stringFormat, jsonFormat, /dev/stdout) write Envoy-formatted lines
# instead of the built-in one (never both); an unknown command operator fails --validate with the
# file and line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

mkdir -p "$WORK/config"
cp "$ROOT/tests/integration/config/e2e/"*.yaml "$WORK/config/"
sed -e "s|@SECRET_KEY_ID@|$FAKE_KEY_ID|" -e "s|@SECRET_SECRET@|$FAKE_SECRET|" \
  "$ROOT/tests/integration/config/e2e/secrets.yaml.in" >"$WORK/config/secrets.yaml"

# send N: N calls to /lambda (200) and one to a path no route matches (404), over 2 workers.
send() {
  local i
  for i in $(seq 1 "$1"); do curl -sS -o /dev/null "http://127.0.0.1:$GW_PORT/lambda" --data "\"c$i\"" -H "x-request-id: req-$i"; done
  curl -sS -o /dev/null "http://127.0.0.1:$GW_PORT/nowhere" --data '{}'
}
access_lines() { grep -c ' access ' "$1" || true; }

# 1. Built-in log, buffered: SIGTERM at once after the requests, and every line is there.
start_gateway builtin --config "$WORK/config"
wait_ready
send 20
stop_gateway
check "buffered built-in access log: all 21 lines present after SIGTERM" 21 "$(access_lines "$WORK/gateway-builtin.log")"
check "every request id is logged" 20 "$(grep ' access ' "$WORK/gateway-builtin.log" | grep -c ' req-[0-9]* ')"

# 2. --access-log off: no built-in line.
start_gateway off --config "$WORK/config" --access-log off
wait_ready
send 3
stop_gateway
check "--access-log off writes no access line" 0 "$(access_lines "$WORK/gateway-off.log")"

# 3. A Gateway with three fileSinks: Envoy text, JSON, and /dev/stdout.
cat >"$WORK/config/gateway.yaml" <<EOF
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata:
  name: gateway-proxy
  namespace: gloo-system
spec:
  bindAddress: "::"
  bindPort: 8080
  httpGateway: {}
  options:
    accessLoggingService:
      accessLog:
      - fileSink:
          path: $WORK/envoy.log
          stringFormat: "[%START_TIME%] \"%REQ(:METHOD)% %REQ(:PATH)% %PROTOCOL%\" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% \"%REQ(X-REQUEST-ID)%\" \"%UPSTREAM_HOST%\" %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %LAMBDAGATE_FUNCTION% %LAMBDAGATE_ATTEMPTS%\n"
      - fileSink:
          path: $WORK/json.log
          jsonFormat:
            status: "%RESPONSE_CODE%"
            id: "%REQ(X-REQUEST-ID)%"
            function: "%LAMBDAGATE_FUNCTION%"
            contentType: "%RESP(CONTENT-TYPE)%"
            source: lambdagate
      - fileSink:
          path: /dev/stdout
          stringFormat: "SINK %RESPONSE_CODE% %REQ(:PATH)%"
EOF
"$BIN" --validate --config "$WORK/config" >"$WORK/validate-ok.log" 2>&1
check "a valid fileSink passes --validate" 0 "$?"
start_gateway sinks --config "$WORK/config"
wait_ready
send 4
stop_gateway
check "the text fileSink has one line per request" 5 "$(wc -l <"$WORK/envoy.log")"
first="$(head -1 "$WORK/envoy.log")"
check_contains "text line: request line, status, flags, bytes" "\"POST /lambda HTTP/1.1\" 200 - 4 4 " "$first"
check_contains "text line: request id and upstream host" "\"req-1\" \"127.0.0.1:$FAKE_PORT_main\" 127.0.0.1 uppercase 1" "$first"
check_contains "text line: the unmatched path is a 404 with flag NR and no upstream" "\"POST /nowhere HTTP/1.1\" 404 NR" "$(tail -1 "$WORK/envoy.log")"
json_first="$(head -1 "$WORK/json.log")"
check "JSON line: typed status, id, function, response header, literal" \
  "200 req-1 uppercase application/json lambdagate" \
  "$(json_get "$json_first" '" ".join(str(j[k]) for k in ["status","id","function","contentType","source"])')"
check "JSON line: a missing header is null" "None" "$(json_get "$(tail -1 "$WORK/json.log")" 'j["id"]')"
check "/dev/stdout fileSink lines" 5 "$(grep -c '^SINK ' "$WORK/gateway-sinks.log")"
check "the fileSinks replace the built-in line (no doubling)" 0 "$(access_lines "$WORK/gateway-sinks.log")"

# 4. An unknown command operator is a configuration error with file and line.
sed -i 's/%LAMBDAGATE_ATTEMPTS%/%NO_SUCH_OPERATOR%/' "$WORK/config/gateway.yaml"
rc=0
"$BIN" --validate --config "$WORK/config" >"$WORK/validate-bad.log" 2>&1 || rc=$?
check "--validate refuses an unknown operator" 1 "$rc"
line="$(grep -n 'stringFormat' "$WORK/config/gateway.yaml" | head -1 | cut -d: -f1)"
check_contains "the error names file, line and operator" \
  "$WORK/config/gateway.yaml:$line: access log stringFormat: unknown command operator %NO_SUCH_OPERATOR%" \
  "$(cat "$WORK/validate-bad.log")"

finish
