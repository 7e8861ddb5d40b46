#!/usr/bin/env bash
# HTTPS termination (issue 16) through curl and openssl s_client against the real binary: a plain
# Gateway and two ssl Gateways in one process; two VirtualServices with different sniDomains each
# serve their own certificate (one from a Secret document, one from sslFiles); an SNI that matches
# nothing gets no certificate; mutual TLS refuses a client without a certificate and one whose
# name verifySubjectAltName does not accept, serves one with, and tells the function who it was;
# TLS 1.1 is refused; plain HTTP to the TLS port is not served; a Secret rotated in place is
# served to the next handshake by the same process; a broken key is refused on reload while the
# old certificate keeps serving; --validate catches a key that does not match its certificate;
# the plain Gateway redirects to https with the path and query kept. The test CA and every
# certificate are made by openssl here.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main --quiet
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

# ---- Test PKI -------------------------------------------------------------------------------
PKI="$WORK/pki"
mkdir -p "$PKI"
ossl() { openssl "$@" >>"$PKI/openssl.log" 2>&1 || { echo "openssl failed: $*"; cat "$PKI/openssl.log"; exit 1; }; }
newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
newkey "$PKI/ca.key"
ossl req -x509 -new -key "$PKI/ca.key" -sha256 -days 30 -subj "/CN=listeners test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$PKI/ca.pem"
# leaf NAME CN SAN USAGE: NAME.pem / NAME.key signed by the test CA.
leaf() {
  newkey "$PKI/$1.key"
  ossl req -new -key "$PKI/$1.key" -subj "/CN=$2" -out "$PKI/$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$3" "$4" >"$PKI/$1.ext"
  ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 -sha256 \
    -extfile "$PKI/$1.ext" -out "$PKI/$1.pem"
}
leaf shop shop.example.com DNS:shop.example.com serverAuth
leaf shop2 shop-rotated.example.com DNS:shop.example.com serverAuth
leaf api api.example.com DNS:api.example.com serverAuth
leaf api2 api-rotated.example.com DNS:api.example.com serverAuth
leaf secure secure.example.com DNS:secure.example.com serverAuth
leaf client "trusted client" DNS:client.example.com clientAuth
leaf intruder "other client" DNS:intruder.example.com clientAuth

# Two ports for the ssl Gateways (bindPort cannot be 0); the plain one gets --listen's port 0.
read -r TLS_PORT MTLS_PORT PROXY_TLS_PORT < <("$PY" -c '
import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

indent() { sed 's/^/    /' "$1"; }
# secret_yaml CERT KEY: the shop's kubernetes.io/tls Secret document.
secret_yaml() {
  cat <<EOF
apiVersion: v1
kind: Secret
metadata: {name: shop-tls, namespace: shop}
type: kubernetes.io/tls
stringData:
  tls.crt: |
$(indent "$1")
  tls.key: |
$(indent "$2")
EOF
}

# The api certificate sits in a directory laid out as kubelet mounts a Secret volume: tls.crt
# and tls.key are links into ..data, itself a link to the current generation.
VOL="$WORK/secret-volume"
mkdir -p "$VOL/..gen1"
cp "$PKI/api.pem" "$VOL/..gen1/tls.crt"
cp "$PKI/api.key" "$VOL/..gen1/tls.key"
ln -s ..gen1 "$VOL/..data"
ln -s ..data/tls.crt "$VOL/tls.crt"
ln -s ..data/tls.key "$VOL/tls.key"

CFG="$WORK/config"
mkdir -p "$CFG"
secret_yaml "$PKI/shop.pem" "$PKI/shop.key" >"$CFG/secret.yaml"
cat >"$CFG/gateways.yaml" <<EOF
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {name: lambda, namespace: shop}
spec:
  aws:
    region: us-east-1
    lambdaFunctions: [{logicalName: echo, lambdaFunctionName: echo}]
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: http, namespace: shop}
spec: {bindAddress: 127.0.0.1, bindPort: 8080, httpGateway: {}}
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: https, namespace: shop}
spec:
  bindAddress: 127.0.0.1
  bindPort: $TLS_PORT
  ssl: true
  httpGateway:
    virtualServices: [{name: shop-https, namespace: shop}, {name: api, namespace: shop}]
---
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: mtls, namespace: shop}
spec:
  bindAddress: 127.0.0.1
  bindPort: $MTLS_PORT
  ssl: true
  httpGateway:
    virtualServices: [{name: secure, namespace: shop}]
---
# HTTPS behind an NLB with proxy protocol v2: the PROXY header comes before the ClientHello.
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata: {name: https-proxied, namespace: shop}
spec:
  bindAddress: 127.0.0.1
  bindPort: $PROXY_TLS_PORT
  ssl: true
  useProxyProto: true
  httpGateway:
    virtualServices: [{name: shop-https, namespace: shop}]
---
# The classic pair: plain HTTP for shop.example.com redirects to HTTPS ...
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: shop-http, namespace: shop}
spec:
  virtualHost:
    domains: [shop.example.com]
    routes:
    - matchers: [{prefix: /}]
      redirectAction: {httpsRedirect: true}
---
# ... beside the HTTPS one serving it (API Gateway 1.0 events, so the function sees the scheme).
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: shop-https, namespace: shop}
spec:
  sslConfig:
    secretRef: {name: shop-tls, namespace: shop}
    sniDomains: [shop.example.com]
  virtualHost:
    domains: [shop.example.com]
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: lambda}, destinationSpec: {aws: {logicalName: echo, wrapAsApiGateway: true}}}}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  sslConfig:
    sslFiles: {tlsCert: $VOL/tls.crt, tlsKey: $VOL/tls.key}
    sniDomains: [api.example.com]
  virtualHost:
    domains: [api.example.com]
    routes:
    - matchers: [{prefix: /}]
      directResponseAction: {status: 200, body: api-site}
---
# Mutual TLS: clients need a certificate from the test CA naming client.example.com.
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {name: secure, namespace: shop}
spec:
  sslConfig:
    sslFiles: {tlsCert: $PKI/secure.pem, tlsKey: $PKI/secure.key, rootCa: $PKI/ca.pem}
    verifySubjectAltName: [client.example.com]
  virtualHost:
    domains: ['*']
    routes:
    - matchers: [{prefix: /}]
      routeAction: {single: {upstream: {name: lambda}, destinationSpec: {aws: {logicalName: echo, wrapAsApiGateway: true, payloadFormatVersion: "2.0"}}}}
EOF

start_gateway tls --config "$CFG"
LOG="$WORK/gateway-tls.log"
wait_for "the HTTPS listener on port $TLS_PORT" 5 grep -q "https listening on 127.0.0.1:$TLS_PORT" "$LOG"
SHOP="https://shop.example.com:$TLS_PORT"
API="https://api.example.com:$TLS_PORT"
resolve=(--resolve "shop.example.com:$TLS_PORT:127.0.0.1" --resolve "api.example.com:$TLS_PORT:127.0.0.1"
  --resolve "other.example.com:$TLS_PORT:127.0.0.1" --resolve "secure.example.com:$MTLS_PORT:127.0.0.1")
tls_curl() { curl -sS "${resolve[@]}" --cacert "$PKI/ca.pem" "$@"; }
# served_subject PORT SNI [s_client args...]: the subject of the certificate served for SNI.
served_subject() {
  local port="$1" sni="$2"
  shift 2
  openssl s_client -connect "127.0.0.1:$port" -servername "$sni" "$@" </dev/null 2>/dev/null |
    openssl x509 -noout -subject 2>/dev/null | sed 's/^subject=\s*//'
}

# ---- SNI: each site its own certificate --------------------------------------------------------
check "SNI shop.example.com is served the Secret's certificate" "CN = shop.example.com" \
  "$(served_subject "$TLS_PORT" shop.example.com)"
check "SNI api.example.com is served the sslFiles certificate" "CN = api.example.com" \
  "$(served_subject "$TLS_PORT" api.example.com)"
out="$(tls_curl "$SHOP/hello/world?x=1&y=2" -d '{"k":1}')"
check "curl --cacert to https://shop.example.com reaches its function" "/hello/world" "$(json_get "$out" 'j["path"]')"
check "…the API Gateway event says X-Forwarded-Proto: https" "https" "$(json_get "$out" 'j["headers"]["X-Forwarded-Proto"]')"
check "…with the query" "{'x': '1', 'y': '2'}" "$(json_get "$out" 'j["queryStringParameters"]')"

# ---- PROXY protocol v2 before TLS (NLB with proxy protocol in front of HTTPS) --------------------
proxied_tls() {
  "$PY" - "$PROXY_TLS_PORT" "$PKI/ca.pem" <<'PYEOF'
import json, socket, ssl, struct, sys
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
addresses = socket.inet_aton("203.0.113.9") + socket.inet_aton("10.0.0.1") + struct.pack("!HH", 51000, 443)
raw.sendall(b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(addresses)) + addresses)
context = ssl.create_default_context(cafile=sys.argv[2])
s = context.wrap_socket(raw, server_hostname="shop.example.com")
s.sendall(b"GET /who HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (OSError, ssl.SSLError):
    pass
event = json.loads(data.split(b"\r\n\r\n", 1)[1])
print(event["requestContext"]["identity"]["sourceIp"], event["headers"].get("X-Forwarded-Proto"))
PYEOF
}
check "PROXY v2 before the ClientHello: served over TLS, the event names the proxied client" \
  "203.0.113.9 https" "$(proxied_tls 2>&1)"
check "curl --cacert to https://api.example.com gets its own site" "api-site" "$(tls_curl "$API/")"
code="$(tls_curl -o /dev/null -w '%{http_code}' "https://other.example.com:$TLS_PORT/" 2>/dev/null || true)"
check "an SNI no certificate serves (and no default) gets no response" "000" "$code"
check "…and no certificate at all" "" "$(served_subject "$TLS_PORT" other.example.com)"

# ---- Protocol versions and plain HTTP -------------------------------------------------------
check "TLS 1.2 is served" "CN = shop.example.com" \
  "$(served_subject "$TLS_PORT" shop.example.com -tls1_2)"
# The client side lowers its own security level, so only the server can be the one refusing.
check "TLS 1.1 is refused" "" "$(served_subject "$TLS_PORT" shop.example.com -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')"
code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$TLS_PORT/" 2>/dev/null || true)"
check "plain HTTP to the TLS port is not served" "000" "$code"

# ---- Redirect on the plain Gateway -------------------------------------------------------------
headers="$(curl -sS -o /dev/null -D - -H 'Host: shop.example.com' "http://127.0.0.1:$GW_PORT/cart/items?id=7&q=a%20b")"
check "the plain Gateway answers 301" "301" "$(echo "$headers" | head -1 | awk '{print $2}')"
check "…to https with the path and query kept" "https://shop.example.com/cart/items?id=7&q=a%20b" \
  "$(echo "$headers" | tr -d '\r' | awk 'tolower($1)=="location:" {print $2}')"

# ---- Mutual TLS ---------------------------------------------------------------------------------
SECURE="https://secure.example.com:$MTLS_PORT/whoami"
code="$(tls_curl -o /dev/null -w '%{http_code}' "$SECURE" 2>/dev/null || true)"
check "mTLS: a client without a certificate is refused" "000" "$code"
code="$(tls_curl -o /dev/null -w '%{http_code}' --cert "$PKI/intruder.pem" --key "$PKI/intruder.key" "$SECURE" 2>/dev/null || true)"
check "mTLS: a certificate verifySubjectAltName does not accept is refused" "000" "$code"
out="$(tls_curl --cert "$PKI/client.pem" --key "$PKI/client.key" "$SECURE" -d '{}')"
check "mTLS: a client with a certificate is served" "/whoami" "$(json_get "$out" 'j["rawPath"]')"
check "…and the 2.0 event names it in requestContext.authentication.clientCert" "CN=trusted client" \
  "$(json_get "$out" 'j["requestContext"]["authentication"]["clientCert"]["subjectDN"]')"
check "…issued by the test CA" "CN=listeners test CA" \
  "$(json_get "$out" 'j["requestContext"]["authentication"]["clientCert"]["issuerDN"]')"

# ---- Metrics ------------------------------------------------------------------------------------
metrics="$(curl -sS "http://127.0.0.1:$ADMIN_PORT/metrics")"
ok="$(echo "$metrics" | awk -F' ' '/^lambdagate_tls_handshakes_total\{result="ok"\}/ {print $2}')"
failed="$(echo "$metrics" | awk -F' ' '/^lambdagate_tls_handshakes_total\{result="failed"\}/ {print $2}')"
rejected="$(echo "$metrics" | awk -F' ' '/^lambdagate_tls_handshakes_total\{result="client_rejected"\}/ {print $2}')"
check "handshakes are counted by result (ok ≥ 6, failed ≥ 4, client_rejected = 1)" "yes" \
  "$([ "${ok:-0}" -ge 6 ] && [ "${failed:-0}" -ge 4 ] && [ "${rejected:-0}" = 1 ] && echo yes || echo "no: $ok $failed $rejected")"
check_contains "each served certificate's expiry is a metric" \
  'lambdagate_tls_certificate_expiry_seconds{gateway="shop/https",certificate="shop/shop-https"}' "$metrics"

# ---- Rotation in place ---------------------------------------------------------------------------
# A connection open before the rotation keeps working: one request before, one after, on the
# same TLS connection (it started when $WORK/rotated did not exist yet).
"$PY" - "$TLS_PORT" "$PKI/ca.pem" "$WORK/rotated" >"$WORK/keepalive.out" 2>&1 <<'PYEOF' &
import os, socket, ssl, sys, time
port, ca, flag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
with socket.create_connection(("127.0.0.1", port)) as raw, ctx.wrap_socket(raw, server_hostname="api.example.com") as s:
    f = s.makefile("rb")
    codes = []
    for i in range(2):
        if i == 1:
            for _ in range(200):
                if os.path.exists(flag):
                    break
                time.sleep(0.05)
        s.sendall(b"GET /keep HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
        status = f.readline().split()[1].decode()
        length = 0
        while (line := f.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        f.read(length)
        codes.append(status)
    print(" ".join(codes))
PYEOF
KEEPALIVE_PID=$!
secret_yaml "$PKI/shop2.pem" "$PKI/shop2.key" >"$CFG/secret.yaml.new"
mv "$CFG/secret.yaml.new" "$CFG/secret.yaml"
rotated() { [ "$(served_subject "$TLS_PORT" shop.example.com)" = "CN = shop-rotated.example.com" ]; }
wait_for "the rotated certificate to be served" 5 rotated
check "a rotated Secret's certificate is served to the next handshake" "CN = shop-rotated.example.com" \
  "$(served_subject "$TLS_PORT" shop.example.com)"
check "…by the same process" "yes" "$(kill -0 "$GW_PID" && echo yes)"
check "…which still answers over it" "/after" "$(json_get "$(tls_curl "$SHOP/after" -d '{}')" 'j["path"]')"
touch "$WORK/rotated"
wait "$KEEPALIVE_PID" || true
check "…and a connection opened before the rotation goes on being served" "200 200" "$(cat "$WORK/keepalive.out")"

# A kubelet Secret volume update (a new generation, then ..data renamed over) rotates sslFiles.
mkdir -p "$VOL/..gen2"
cp "$PKI/api2.pem" "$VOL/..gen2/tls.crt"
cp "$PKI/api2.key" "$VOL/..gen2/tls.key"
ln -s ..gen2 "$VOL/..data_tmp"
mv -T "$VOL/..data_tmp" "$VOL/..data"
api_rotated() { [ "$(served_subject "$TLS_PORT" api.example.com)" = "CN = api-rotated.example.com" ]; }
wait_for "the sslFiles certificate from the new Secret volume generation" 5 api_rotated
check "an sslFiles Secret volume update is served to the next handshake" "CN = api-rotated.example.com" \
  "$(served_subject "$TLS_PORT" api.example.com)"

# A broken key is refused like any bad config: the rotated certificate keeps serving.
failures_before="$(curl -sS "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^lambdagate_config_reloads_total\{result="failure"\}/ {print $2}')"
printf -- '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' >"$PKI/broken.key"
secret_yaml "$PKI/shop.pem" "$PKI/broken.key" >"$CFG/secret.yaml.new"
mv "$CFG/secret.yaml.new" "$CFG/secret.yaml"
reload_failed() {
  [ "$(curl -sS "http://127.0.0.1:$ADMIN_PORT/metrics" | awk '/^lambdagate_config_reloads_total\{result="failure"\}/ {print $2}')" -gt "$failures_before" ]
}
wait_for "the broken reload to be refused" 5 reload_failed
check_contains "…with the file and line of the sslConfig" "gateways.yaml:" "$(grep 'shop/shop-https: sslConfig' "$LOG" | tail -1)"
check "…and the last good certificate still served" "CN = shop-rotated.example.com" \
  "$(served_subject "$TLS_PORT" shop.example.com)"
stop_gateway || true

# ---- --validate: a key that does not match its certificate --------------------------------------
secret_yaml "$PKI/shop.pem" "$PKI/api.key" >"$CFG/secret.yaml"
rc=0
out="$("$BIN" --validate --config "$CFG" 2>&1)" || rc=$?
check "--validate refuses a key that does not match its certificate" "yes" \
  "$([ "$rc" -ne 0 ] && echo yes || echo "no (rc $rc)")"
check_contains "…naming the VirtualService and the problem" \
  "VirtualService shop/shop-https: sslConfig: certificate shop/shop-https: the private key does not match the certificate" "$out"

finish
