#!/usr/bin/env bash
# TLS to Lambda (issue 2): lambdagate verifies the endpoint's certificate against the system CAs
# plus AWS_CA_BUNDLE, with SNI and host name checks. A fake serving a certificate from the test
# CA works; a fake with an untrusted certificate fails closed (502, no call reaches it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# These checks are about Invoke; function discovery's ListFunctions calls are counted elsewhere.
export FAKE_OP=Invoke

bash "$ROOT/tests/fake_aws/make_test_certs.sh" "$WORK/certs" >/dev/null
start_fake trusted --tls-cert "$WORK/certs/server.pem" --tls-key "$WORK/certs/server.key"
start_fake untrusted --tls-cert "$WORK/certs/untrusted.pem" --tls-key "$WORK/certs/untrusted.key"

export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
export AWS_CA_BUNDLE="$WORK/certs/ca.pem"
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL || true

# Trusted: by host name (SNI + name check) and by IP literal (IP SAN).
for host in localhost 127.0.0.1; do
  export AWS_ENDPOINT_URL_LAMBDA="https://$host:$FAKE_PORT_trusted"
  start_gateway "trusted-$host" --config "$ROOT/config"
  out="$(curl -sS "http://127.0.0.1:$GW_PORT/lambda" --data '"abc"' -H "content-type: application/json")"
  check "HTTPS via $host with the test CA: \"ABC\"" '"ABC"' "$out"
  stop_gateway || true
done
check "the trusted fake verified both signatures" "2 True" \
  "$(json_get "$(FAKE_SCHEME=https FAKE_CURL_ARGS="--cacert $WORK/certs/ca.pem" fake_calls trusted)" 'str(len(j)) + " " + str(all(c["signatureValid"] for c in j))')"

# Untrusted certificate: fail closed.
export AWS_ENDPOINT_URL_LAMBDA="https://localhost:$FAKE_PORT_untrusted"
start_gateway untrusted --config "$ROOT/config"
code="$(curl -sS -o "$WORK/err.json" -w '%{http_code}' "http://127.0.0.1:$GW_PORT/lambda" --data '"abc"')"
check "untrusted certificate → 502" 502 "$code"
check "…upstream_unavailable" upstream_unavailable "$(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
check "…and no call reached the untrusted fake" 0 \
  "$(json_get "$(curl -sk "https://127.0.0.1:$FAKE_PORT_untrusted/__fake/calls")" 'len(j)')"
stop_gateway || true

# Without AWS_CA_BUNDLE the test CA is not trusted either.
unset AWS_CA_BUNDLE
export AWS_ENDPOINT_URL_LAMBDA="https://localhost:$FAKE_PORT_trusted"
start_gateway no-bundle --config "$ROOT/config"
code="$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/lambda" --data '"abc"')"
check "the test CA without AWS_CA_BUNDLE → 502" 502 "$code"
stop_gateway || true

finish
