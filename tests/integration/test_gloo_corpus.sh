#!/usr/bin/env bash
# Gloo users' manifests load unchanged (issue 15). Each case in tests/data/gloo/<case>/ — written
# after the patterns of Gloo's docs, Helm chart and issues — is checked with the real binary:
# `lambdagate --validate --config <case>` must print exactly <case>/expected.txt (every error,
# warning and info line, file:line included) and exit 0 when it ends "configuration is valid".
# Then the delegation, both-transformations and legacy-secrets cases are served through curl
# against the fake Lambda, which checks every signature (so the legacy Secrets' keys are used).
#
# After an intended change of messages, rewrite the expected files with
#   LAMBDAGATE_WRITE_EXPECTED=1 bash tests/integration/test_gloo_corpus.sh
# and review the diff.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS="$ROOT/tests/data/gloo"

# --validate with no AWS variable in the environment, so the output depends on the files only.
validate() {
  (cd "$CORPUS" && env -i PATH="$PATH" "$BIN" --validate --config "$1" 2>&1)
}

for dir in "$CORPUS"/*/; do
  case_name="$(basename "$dir")"
  expected="$dir/expected.txt"
  rc=0
  out="$(validate "$case_name")" || rc=$?
  if [ "${LAMBDAGATE_WRITE_EXPECTED:-}" = 1 ]; then
    printf '%s\n' "$out" >"$expected"
  fi
  if [ ! -f "$expected" ]; then
    check "$case_name has an expected.txt" present missing
    continue
  fi
  want_rc=0
  grep -q '^configuration is invalid' "$expected" && want_rc=1
  check "--validate $case_name exits $want_rc" "$want_rc" "$rc"
  if [ "$out" == "$(cat "$expected")" ]; then
    check "--validate $case_name prints exactly expected.txt ($(wc -l <"$expected") lines)" same same
  else
    check "--validate $case_name prints exactly expected.txt" same different
    diff <(printf '%s\n' "$out") "$expected" | head -40 || true
  fi
done

# The cases' secrets hold these fake keys; the fake accepts each of them (and checks the
# signature made with it).
start_fake main --quiet \
  --credential AKIDLEGACYTENANTS001:legacy-tenants-secret \
  --credential AKIDPROTONAMES000001:proto-names-secret \
  --credential AKIDLEGACYSECRETS0001:legacy-secrets-secret:legacy-session-token \
  --credential AKIDLEGACYSECRETS0002:hand-written-secret \
  --credential AKIDCURRENTSECRET001:current-secret \
  --credential AKIDPROTONAMES000002:proto-names-secret-2
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main" AWS_REGION=us-east-1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE \
  AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_CONTAINER_CREDENTIALS_FULL_URI || true
export FAKE_OP=Invoke

start_gateway corpus --config "$CORPUS/delegation" --config "$CORPUS/both-transformations" \
  --config "$CORPUS/legacy-secrets"
wait_ready
GW="http://127.0.0.1:$GW_PORT"

# status HOST METHOD PATH [curl args...]: the HTTP status.
status() {
  local host="$1" method="$2" path="$3"; shift 3
  curl -s -o /dev/null -w '%{http_code}' -X "$method" -H "Host: $host" "$GW$path" "$@"
}
# whoami_key HOST PATH [curl args...]: the access key id that signed the call whoami received.
whoami_key() {
  local host="$1" path="$2"; shift 2
  json_get "$(curl -s -X GET -H "Host: $host" "$GW$path" "$@")" 'j["accessKeyId"]'
}

# Delegation: inheritableMatchers puts the parent's header, query parameter and method on each
# child; without one of them the request matches nothing.
T=tenants.example.com
check "inherited matchers: header + ?v=2 + GET reach the child" 200 \
  "$(status $T GET '/acme/whoami?v=2' -H 'x-tenant: acme')"
check "…signed with the legacy glooctl Secret's key" AKIDLEGACYTENANTS001 \
  "$(whoami_key $T '/acme/whoami?v=2' -H 'x-tenant: acme')"
check "…without the inherited header: 404" 404 "$(status $T GET '/acme/whoami?v=2')"
check "…without the inherited query parameter: 404" 404 "$(status $T GET '/acme/whoami' -H 'x-tenant: acme')"
check "…with another method: 404" 404 "$(status $T POST '/acme/whoami?v=2' -H 'x-tenant: acme')"
check "…and a second level inherits them too (unset = the parent's)" 200 \
  "$(status $T GET '/acme/deeper/echo?v=2' -H 'x-tenant: acme' --data '{}')"
check "…which still needs the header" 404 "$(status $T GET '/acme/deeper/echo?v=2' --data '{}')"
check "children that repeat the parent's header themselves" 200 \
  "$(status $T GET /globex/whoami -H 'x-tenant: globex')"
check "…and not without it" 404 "$(status $T GET /globex/whoami)"
check "inheritablePathMatchers: the child serves the parent's path" 200 "$(status $T GET /docs/anything)"
check "…not the path it wrote" 404 "$(status $T GET /anything-at-all)"
check "a selector with every expression operator picks its table" 200 "$(status $T GET /teams/whoami)"
check "…and not the one that fails NotIn" 404 "$(status $T GET /teams/dev)"

# requestTransformation with wrapAsApiGateway: accepted, the function gets the API Gateway event.
L=legacy-app.example.com
event="$(curl -s -H "Host: $L" "$GW/both?x=1" --data '{"a":1}')"
check "both transformations on the route: the API Gateway event (wrapAsApiGateway wins)" "True /both" \
  "$(json_get "$event" '"requestContext" in j and j["httpMethod"] == "POST", j["path"]' | tr -d "(),'")"
event="$(curl -s -H "Host: $L" "$GW/wrap" --data '{"a":1}')"
check "wrapAsApiGateway over destinationOverrides' requestTransformation: the API Gateway event" True \
  "$(json_get "$event" '"requestContext" in j')"
event="$(curl -s -H "Host: $L" "$GW/gloo-event" --data '{"a":1}')"
check "destinationOverrides' requestTransformation alone: Gloo's event" "False POST" \
  "$(json_get "$event" '"requestContext" in j, j["httpMethod"]' | tr -d "(),'")"
check "…signed with the access_key / secret_key Secret" AKIDPROTONAMES000001 \
  "$(json_get "$(fake_calls main echo)" 'j[-1]["accessKeyId"]')"

# Every Secret form signs with its own key.
S=secrets.example.com
check "legacy Secret (base64 data) signs" AKIDLEGACYSECRETS0001 "$(whoami_key $S /legacy)"
check "legacy Secret (stringData) signs" AKIDLEGACYSECRETS0002 "$(whoami_key $S /hand-written)"
check "current Secret signs" AKIDCURRENTSECRET001 "$(whoami_key $S /current)"
check "proto-name Secret signs" AKIDPROTONAMES000002 "$(whoami_key $S /proto-names)"
check "every call reaching the fake carried a valid signature" True \
  "$(json_get "$(fake_calls main)" 'len(j) > 0 and all(c["signatureValid"] for c in j)')"

rc=0
stop_gateway || rc=$?
check "SIGTERM → exit 0" 0 "$rc"
for key in legacy-tenants-secret proto-names-secret legacy-secrets-secret hand-written-secret current-secret; do
  if grep -q "$key" "$WORK"/gateway-*.log; then r=leaked; else r=clean; fi
  check "secret $key never appears in lambdagate's log" clean "$r"
done

finish
