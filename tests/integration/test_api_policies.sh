#!/usr/bin/env bash
# Request policies before Lambda (issue 13), through curl against the real binary and the fake:
# CORS preflights answered by the gateway and CORS headers on every answer (errors included),
# JWT (RS256 from a local PEM, ES256 from a JWKS served over HTTPS by a test server whose CA
# lambdagate trusts through AWS_CA_BUNDLE, key rotation picked up), the claims in the 2.0 event,
# 401/403 without any invocation, a local rate limit of 5 tokens per second, and a function's
# maxConcurrency. Tokens are signed here with the openssl CLI; keys are made on the fly.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true
FAKE="http://127.0.0.1:$FAKE_PORT_main"

# --- keys, a JWKS over HTTPS ---------------------------------------------------------------------
bash "$ROOT/tests/fake_aws/make_test_certs.sh" "$WORK/certs"
export AWS_CA_BUNDLE="$WORK/certs/ca.pem"
K="$WORK/keys"; mkdir -p "$K"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa.key" 2>/dev/null
openssl pkey -in "$K/rsa.key" -pubout -out "$K/rsa.pub"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rogue.key" 2>/dev/null
for k in ec1 ec2; do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$K/$k.key" 2>/dev/null; done

# jwks KEY:KID...: a JWKS (JSON) with the EC P-256 public keys given.
jwks() {
  local args=() pair
  for pair in "$@"; do
    openssl pkey -in "$K/${pair%%:*}.key" -pubout -outform DER -out "$K/${pair%%:*}.der"
    args+=("$K/${pair%%:*}.der" "${pair#*:}")
  done
  "$PY" - "${args[@]}" <<'PYEOF'
import base64, json, sys
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
keys = []
for der, kid in zip(sys.argv[1::2], sys.argv[2::2]):
    point = open(der, "rb").read()[-64:]  # SubjectPublicKeyInfo ends with 04 || x || y
    keys.append({"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
                 "x": b64(point[:32]), "y": b64(point[32:])})
print(json.dumps({"keys": keys}))
PYEOF
}

# token KEY ALG KID PAYLOAD_JSON: a compact JWS signed with the openssl CLI (ES256 signatures
# converted from DER to JOSE's r||s).
token() {
  local key="$1" alg="$2" kid="$3" payload="$4" input
  input="$(printf '{"alg":"%s","typ":"JWT"%s}' "$alg" "${kid:+,\"kid\":\"$kid\"}" | b64url).$(printf '%s' "$payload" | b64url)"
  printf '%s' "$input" | openssl dgst -sha256 -sign "$K/$key.key" -binary >"$K/sig.der"
  if [ "$alg" = ES256 ]; then
    "$PY" - "$K/sig.der" >"$K/sig" <<'PYEOF'
import sys
d = open(sys.argv[1], "rb").read()
def read_int(b, i):
    assert b[i] == 2; n = b[i + 1]; v = b[i + 2:i + 2 + n]
    return v.lstrip(b"\0").rjust(32, b"\0"), i + 2 + n
i = 2 if d[1] < 0x80 else 3
r, i = read_int(d, i); s, _ = read_int(d, i)
sys.stdout.buffer.write(r + s)
PYEOF
  else
    cp "$K/sig.der" "$K/sig"
  fi
  printf '%s.%s' "$input" "$(b64url <"$K/sig")"
}
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

mkdir -p "$WORK/jwks"
jwks ec1:ec-1 >"$WORK/jwks/jwks.json"
"$PY" - "$WORK/jwks" "$WORK/certs" "$WORK/jwks.port" >"$WORK/jwks.log" 2>&1 <<'PYEOF' &
import functools, http.server, os, ssl, sys
root, certs, port_file = sys.argv[1:4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.path.join(certs, "server.pem"), os.path.join(certs, "server.key"))
server.socket = context.wrap_socket(server.socket, server_side=True)
open(port_file + ".tmp", "w").write(str(server.server_address[1])); os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PYEOF
PIDS+=($!)
wait_for "the JWKS server" 10 test -s "$WORK/jwks.port"
JWKS_URL="https://127.0.0.1:$(cat "$WORK/jwks.port")/jwks.json"
check "the test JWKS server answers over HTTPS with the test CA" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/certs/ca.pem" "$JWKS_URL")"

# --- the configuration ---------------------------------------------------------------------------
mkdir -p "$WORK/config"
cp "$ROOT/tests/integration/config/policies/"*.yaml "$WORK/config/"
pem="$(sed 's/^/                    /' "$K/rsa.pub")"
cat >"$WORK/config/virtualservice.yaml" <<EOF
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: api, namespace: gloo-system}
spec:
  virtualHost:
    domains: ['*']
    options:
      cors:
        allowOrigin: [https://app.example.com]
        allowOriginRegex: ['https://[a-z0-9]+\.preview\.example\.com']
        allowMethods: [GET, POST]
        allowHeaders: [authorization, content-type]
        exposeHeaders: [x-request-id]
        maxAge: '86400'
        allowCredentials: true
      jwtStaged:
        beforeExtAuth:
          providers:
            local:
              issuer: https://issuer.test
              audiences: [api]
              claimsToHeaders: [{claim: sub, header: x-user}]
              jwks:
                local:
                  key: |
$pem
            remote:
              issuer: https://remote.test
              audiences: [api]
              jwks: {remote: {url: '$JWKS_URL', cacheDuration: 300s}}
    routes:
    - name: public
      matchers: [{prefix: /public}]
      options: {jwtStaged: {beforeExtAuth: {disable: true}}}
      routeAction: {single: {upstream: {name: lambda, namespace: gloo-system}, destinationSpec: {aws: {logicalName: echo}}}}
    - name: limited
      matchers: [{prefix: /limited}]
      options:
        jwtStaged: {beforeExtAuth: {disable: true}}
        ratelimit: {localRatelimit: {maxTokens: 5, tokensPerFill: 5, fillInterval: 1s}}
      routeAction: {single: {upstream: {name: lambda, namespace: gloo-system}, destinationSpec: {aws: {logicalName: echo}}}}
    - name: capped
      matchers: [{prefix: /capped}]
      options: {jwtStaged: {beforeExtAuth: {disable: true}}}
      routeAction: {single: {upstream: {name: lambda, namespace: gloo-system}, destinationSpec: {aws: {logicalName: capped}}}}
    - name: events
      matchers: [{prefix: /v2}]
      routeAction:
        single:
          upstream: {name: lambda, namespace: gloo-system}
          destinationSpec: {aws: {logicalName: echo, wrapAsApiGateway: true, payloadFormatVersion: '2.0'}}
EOF

start_gateway policies --config "$WORK/config"
wait_ready
GW="http://127.0.0.1:$GW_PORT"

header() { tr -d '\r' <"$1" | awk -v n="$2" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(n) ": ")==1 {print substr($0, length(n)+3)}'; }
status_of() { tr -d '\r' <"$1" | awk 'NR==1{print $2}'; }
invocations() { FAKE_OP=Invoke json_get "$(FAKE_OP=Invoke fake_calls main)" 'len(j)'; }

# --- CORS ------------------------------------------------------------------------------------------
before="$(invocations)"
curl -sS -D "$WORK/h" -o "$WORK/b" -X OPTIONS "$GW/v2/items" -H 'Origin: https://app.example.com' \
  -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization'
check "preflight from an allowed origin: 200" 200 "$(status_of "$WORK/h")"
check "preflight: the origin echoed" https://app.example.com "$(header "$WORK/h" access-control-allow-origin)"
check "preflight: the allowed methods" GET,POST "$(header "$WORK/h" access-control-allow-methods)"
check "preflight: the allowed headers" authorization,content-type "$(header "$WORK/h" access-control-allow-headers)"
check "preflight: max age as written" 86400 "$(header "$WORK/h" access-control-max-age)"
check "preflight: credentials allowed" true "$(header "$WORK/h" access-control-allow-credentials)"
check "preflight: empty body" 0 "$(stat -c %s "$WORK/b")"
check "preflight: answered without a token and without invoking the function" "$before" "$(invocations)"

curl -sS -D "$WORK/h" -o /dev/null "$GW/public/x" -H 'Origin: https://pr7.preview.example.com'
check "an origin matching allowOriginRegex is echoed" https://pr7.preview.example.com \
  "$(header "$WORK/h" access-control-allow-origin)"
check "exposeHeaders on the actual response" x-request-id "$(header "$WORK/h" access-control-expose-headers)"
curl -sS -D "$WORK/h" -o /dev/null "$GW/public/x" -H 'Origin: https://evil.example.com'
check "a disallowed origin gets the answer without any CORS header" "200 " \
  "$(status_of "$WORK/h") $(grep -ci '^access-control-' "$WORK/h" | sed 's/^0$//')"
curl -sS -D "$WORK/h" -o /dev/null -X OPTIONS "$GW/public/x" -H 'Origin: https://evil.example.com' \
  -H 'Access-Control-Request-Method: POST'
check "a preflight from a disallowed origin goes on to the route (the function answers)" "200 0" \
  "$(status_of "$WORK/h") $(grep -ci '^access-control-' "$WORK/h")"
curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/nowhere" -H 'Origin: https://app.example.com'
check "lambdagate's own 404 carries the CORS headers" "404 https://app.example.com" \
  "$(status_of "$WORK/h") $(header "$WORK/h" access-control-allow-origin)"
# Refused before routing (a declared body over the limit): the host's CORS headers still come.
curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/v2/items" -H 'Origin: https://app.example.com' \
  -H 'Content-Type: application/json' -H 'Content-Length: 999999999' --data-binary '{}' --max-time 10
check "a 413 refused before routing carries the CORS headers" "413 https://app.example.com" \
  "$(status_of "$WORK/h") $(header "$WORK/h" access-control-allow-origin)"

# --- JWT -------------------------------------------------------------------------------------------
now=$(date +%s)
claims() { printf '{"iss":"%s","aud":"%s","sub":"alice","scope":"read write","exp":%s,"iat":%s}' "$1" "$2" "$3" "$now"; }
rs_ok="$(token rsa RS256 '' "$(claims https://issuer.test api $((now + 600)))")"
curl -sS -D "$WORK/h" -o "$WORK/event.json" "$GW/v2/items" -H "Authorization: Bearer $rs_ok" \
  -H 'Origin: https://app.example.com'
check "a valid RS256 token (local PEM) passes" 200 "$(status_of "$WORK/h")"
e="$(cat "$WORK/event.json")"
check "2.0 event: requestContext.authorizer.jwt.claims" "alice https://issuer.test api" \
  "$(json_get "$e" '" ".join(j["requestContext"]["authorizer"]["jwt"]["claims"][k] for k in ("sub","iss","aud"))')"
check "2.0 event: scopes from the scope claim" "['read', 'write']" \
  "$(json_get "$e" 'j["requestContext"]["authorizer"]["jwt"]["scopes"]')"
check "claimsToHeaders: x-user reaches the function" alice "$(json_get "$e" 'j["headers"].get("x-user")')"
check "the token is removed (keepToken false)" None "$(json_get "$e" 'j["headers"].get("authorization")')"
check "CORS headers on the function's answer too" https://app.example.com "$(header "$WORK/h" access-control-allow-origin)"

es_ok="$(token ec1 ES256 ec-1 "$(claims https://remote.test api $((now + 600)))")"
curl -sS -D "$WORK/h" -o "$WORK/event.json" "$GW/v2/items" -H "Authorization: Bearer $es_ok"
check "a valid ES256 token (remote JWKS over HTTPS) passes" 200 "$(status_of "$WORK/h")"
check "its claims reach the 2.0 event" https://remote.test \
  "$(json_get "$(cat "$WORK/event.json")" 'j["requestContext"]["authorizer"]["jwt"]["claims"]["iss"]')"
# The same token again: served from the worker's verified-token cache, same answer.
curl -sS -D "$WORK/h" -o /dev/null "$GW/v2/items" -H "Authorization: Bearer $es_ok"
check "the same token again passes" 200 "$(status_of "$WORK/h")"

before="$(invocations)"
refused() {  # refused DESCRIPTION STATUS CODE [curl args...]
  local what="$1" status="$2" code="$3"; shift 3
  curl -sS -D "$WORK/h" -o "$WORK/b" "$GW/v2/items" "$@"
  check "$what: $status $code" "$status $code" "$(status_of "$WORK/h") $(json_get "$(cat "$WORK/b")" 'j["code"]')"
  check_contains "$what: www-authenticate names Bearer" 'Bearer realm="http://' "$(header "$WORK/h" www-authenticate)"
}
refused "no token" 401 unauthorized
refused "an expired token" 401 unauthorized -H "Authorization: Bearer $(token rsa RS256 '' "$(claims https://issuer.test api $((now - 3600)))")"
refused "a token from another issuer" 401 unauthorized -H "Authorization: Bearer $(token rsa RS256 '' "$(claims https://other.test api $((now + 600)))")"
refused "a token signed with another key" 401 unauthorized -H "Authorization: Bearer $(token rogue RS256 '' "$(claims https://issuer.test api $((now + 600)))")"
refused "a token for another audience" 403 forbidden -H "Authorization: Bearer $(token rsa RS256 '' "$(claims https://issuer.test other $((now + 600)))")"
check_contains "an invalid token's challenge says invalid_token" 'error="invalid_token"' "$(header "$WORK/h" www-authenticate)"
check "no refused request invoked the function" "$before" "$(invocations)"

# Key rotation: the IdP publishes a new key (kid ec-2); a token signed with it is accepted once
# lambdagate refetches the JWKS for the unknown kid (at most once per 5 s, so this may take one
# more try shortly after start-up).
jwks ec1:ec-1 ec2:ec-2 >"$WORK/jwks/jwks.json.tmp" && mv "$WORK/jwks/jwks.json.tmp" "$WORK/jwks/jwks.json"
es_new="$(token ec2 ES256 ec-2 "$(claims https://remote.test api $((now + 600)))")"
rotated() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$GW/v2/items" -H "Authorization: Bearer $es_new")" = 200 ]; }
if wait_for "a token with the rotated kid to pass" 12 rotated; then r=accepted; else r=refused; fi
check "a token signed with the rotated key (new kid) is accepted" accepted "$r"
check_contains "the refetch is logged" "fetched for an unknown kid" "$(cat "$WORK/gateway-policies.log")"

# --- local rate limit: 5 tokens per second --------------------------------------------------------
# burst: six requests on one keep-alive connection (a few ms), each response kept. The bucket
# refills at fixed 1 s marks; a burst that happens to straddle one gets more than five through,
# so a burst with no 429 at all is tried once more, a full interval later (a missing limit fails
# both).
burst() {
  local args=() i
  for i in 1 2 3 4 5 6; do
    [ "$i" = 1 ] || args+=(--next)
    args+=(-sS -w '%{http_code} ' -D "$WORK/h$i" -o "$WORK/b$i" "$GW/limited/x")
  done
  codes="$(curl "${args[@]}")"
}
sleep 1.1
burst
if [ "$codes" = "200 200 200 200 200 200 " ]; then sleep 1.1; burst; fi
check "a burst of six: five pass, the sixth is limited" "200 200 200 200 200 429 " "$codes"
check "the 429 is lambdagate's rate_limited" rate_limited "$(json_get "$(cat "$WORK/b6")" 'j["code"]')"
check "the 429 says when to come back" 1 "$(header "$WORK/h6" retry-after)"
check "x-ratelimit-limit on every response" "5 5" "$(header "$WORK/h1" x-ratelimit-limit) $(header "$WORK/h6" x-ratelimit-limit)"
check "x-ratelimit-remaining counts down" "4 0" "$(header "$WORK/h1" x-ratelimit-remaining) $(header "$WORK/h6" x-ratelimit-remaining)"
sleep 1.1
check "after the fill interval requests pass again" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$GW/limited/x")"

# --- maxConcurrency: one call in flight to the capped function ------------------------------------
curl -s -X POST "$FAKE/__fake/faults" -d '{"service":"lambda","function":"whoami","mode":"slow","delaySeconds":1.5,"count":1}' >/dev/null
curl -s -o /dev/null -w '%{http_code}' "$GW/capped" >"$WORK/first" &
first_pid=$!
inflight() { [ "$(json_get "$(curl -s "$FAKE/__fake/inflight")" 'len(j)')" -ge 1 ]; }
wait_for "the first call to be in flight" 10 inflight
curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/capped" >"$WORK/second"
wait "$first_pid"
check "at maxConcurrency 1 a second call at the same time is shed" "200 429" "$(cat "$WORK/first") $(cat "$WORK/second")"
check "shed as rate_limited" rate_limited "$(json_get "$(cat "$WORK/b")" 'j["code"]')"

# --- metrics ---------------------------------------------------------------------------------------
m="$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics")"
check_contains "metrics: limited requests by route" 'lambdagate_rate_limited_total{route="limited",limit="route"} 1' "$m"
check_contains "metrics: concurrency sheds" 'lambdagate_rate_limited_total{route="capped",limit="function_concurrency"} 1' "$m"
check_contains "metrics: JWT failures by reason" 'lambdagate_jwt_failures_total{route="events",reason="expired"} 1' "$m"
check_contains "metrics: CORS preflights" 'lambdagate_cors_preflights_total{route="events"} 1' "$m"

stop_gateway
finish
