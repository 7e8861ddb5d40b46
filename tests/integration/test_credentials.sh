#!/usr/bin/env bash
# Web-identity credentials (issue 3) with the real binary and the fake STS + Lambda:
# fetched once at start-up (concurrent first requests wait on that one fetch), refreshed in the
# background across short lifetimes with no failed request, served from cache while STS is
# down, 503 after expiry, recovery without restart, token rotation, role chaining.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LIFETIME=6
echo "token-one-$RANDOM$RANDOM" >"$WORK/token"
start_fake sts --web-identity-token-file "$WORK/token" --credential-lifetime "$LIFETIME" --quiet
FAKE="http://127.0.0.1:$FAKE_PORT_sts"

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true
export AWS_REGION=us-east-1
export AWS_WEB_IDENTITY_TOKEN_FILE="$WORK/token"
export AWS_ROLE_ARN=arn:aws:iam::123456789012:role/gateway
export AWS_ROLE_SESSION_NAME=lambdagate-it
export AWS_ENDPOINT_URL_LAMBDA="$FAKE" AWS_ENDPOINT_URL_STS="$FAKE"

sts_calls() {  # sts_calls ROLE_ARN [STATUS] → number of STS calls for that role (with that status)
  curl -s "$FAKE/__fake/calls?service=sts" | "$PY" -c '
import json, sys
calls = [c for c in json.load(sys.stdin) if c.get("roleArn") == sys.argv[1]]
if len(sys.argv) > 2: calls = [c for c in calls if str(c.get("status")) == sys.argv[2]]
print(len(calls))' "$@"
}
fault() { curl -s -X POST "$FAKE/__fake/faults" -d "$1" >/dev/null; }
clear_faults() { curl -s -X DELETE "$FAKE/__fake/faults" >/dev/null; }

# --- Start-up: STS answers slowly, so the first requests arrive while the one fetch is in flight.
fault '{"service":"sts","mode":"slow","delaySeconds":1}'
start_gateway creds --config "$ROOT/tests/integration/config/credentials"
GW="http://127.0.0.1:$GW_PORT"
code="$(curl -s -o "$WORK/ready.json" -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/readyz")"
check "/readyz is 503 while credentials are being fetched" 503 "$code"
check_contains "…naming the upstream" "gloo-system/base" "$(cat "$WORK/ready.json")"
burst="$("$PY" "$ROOT/tests/integration/load.py" burst "$GW/base" 200)"
check "200 concurrent first requests all succeed" "200 0" "$(json_get "$burst" 'str(j["ok"]) + " " + str(j["failed"])')"
check "…with exactly one STS call for the role" 1 "$(sts_calls "$AWS_ROLE_ARN")"
clear_faults
wait_ready
check "/readyz is 200 once every Upstream has credentials" 200 \
  "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/readyz")"

# --- Role chaining: the function sees the chained role; disableRoleChaining assumes directly.
who="$(curl -sS -X POST "$GW/chained" --data '{}')"
check "a chained role is the one the function sees" "arn:aws:iam::123456789012:role/chained" "$(json_get "$who" 'j["roleArn"]')"
check "…assumed with a signed sts:AssumeRole" "True" "$(curl -s "$FAKE/__fake/calls?service=sts" | "$PY" -c '
import json, sys
calls = [c for c in json.load(sys.stdin) if c.get("operation") == "AssumeRole"]
print(len(calls) >= 1 and all(c["signatureValid"] for c in calls))')"
who="$(curl -sS -X POST "$GW/direct" --data '{}')"
check "disableRoleChaining: the function sees the direct role" "arn:aws:iam::123456789012:role/direct" "$(json_get "$who" 'j["roleArn"]')"
check "…assumed with the web-identity token" "True" "$(curl -s "$FAKE/__fake/calls?service=sts" | "$PY" -c '
import json, sys
calls = [c for c in json.load(sys.stdin) if c.get("roleArn") == "arn:aws:iam::123456789012:role/direct"]
print(len(calls) >= 1 and all(c["operation"] == "AssumeRoleWithWebIdentity" for c in calls))')"

# --- Several lifetimes under a steady loop: no failure, STS about once per half-lifetime.
before="$(sts_calls "$AWS_ROLE_ARN")"
loop="$("$PY" "$ROOT/tests/integration/load.py" loop "$GW/base" $((LIFETIME * 3)) 4)"
after="$(sts_calls "$AWS_ROLE_ARN")"
check "a loop over 3 credential lifetimes: not one request fails" 0 "$(json_get "$loop" 'j["failed"]')"
requests="$(json_get "$loop" 'j["ok"]')"
refreshes=$((after - before))
echo "     ($requests requests, $refreshes STS calls over $((LIFETIME * 3)) s)"
check "…and STS is called per lifetime, not per request (3..9 calls)" yes \
  "$([ "$refreshes" -ge 3 ] && [ "$refreshes" -le 9 ] && [ "$requests" -gt 100 ] && echo yes || echo "no: $refreshes calls for $requests requests")"

# --- Token rotation: the fake accepts only the file's current token; the next fetch reads it.
echo "token-two-$RANDOM$RANDOM" >"$WORK/token"
loop="$("$PY" "$ROOT/tests/integration/load.py" loop "$GW/base" $((LIFETIME + 2)) 2)"
check "after the token file rotates, requests keep succeeding" 0 "$(json_get "$loop" 'j["failed"]')"
check "…and STS accepted the new token" yes "$(curl -s "$FAKE/__fake/calls?service=sts" | "$PY" -c '
import json, sys
calls = [c for c in json.load(sys.stdin) if c.get("operation") == "AssumeRoleWithWebIdentity"]
print("yes" if calls and calls[-1]["status"] == 200 else "no")')"

# --- STS down: cached credentials keep serving until they expire, then 503 JSON.
fault '{"service":"sts","mode":"down"}'
code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$GW/base" --data '{}')"
check "with STS down, requests succeed on cached credentials" 200 "$code"
refused_503() {
  [ "$(curl -s -o "$WORK/err.json" -w '%{http_code}' -X POST "$GW/base" --data '{}')" = 503 ]
}
# Within the credentials' lifetime (plus slack) of the last fetch, they expire.
wait_for "the cached credentials to expire" $((LIFETIME + 5)) refused_503 || true
code="$(curl -s -o "$WORK/err.json" -w '%{http_code}' -X POST "$GW/base" --data '{}')"
check "after the cached credentials expire: 503" 503 "$code"
check "…credentials_unavailable" credentials_unavailable "$(json_get "$(cat "$WORK/err.json")" 'j["code"]')"
ups="$(curl -s "http://127.0.0.1:$ADMIN_PORT/upstreams")"
check "/upstreams shows the last error" True \
  "$(json_get "$ups" 'any(u["credentials"].get("lastError") for u in j["upstreams"] if u["name"] == "gloo-system/base")')"
check "/readyz is 503 again" 503 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/readyz")"

# --- STS back: service resumes without a restart.
clear_faults
ok=no
for _ in $(seq 1 40); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$GW/base" --data '{}')" = 200 ] && { ok=yes; break; }
  sleep 0.25
done
check "when STS comes back, requests succeed again (no restart)" yes "$ok"

# --- Admin: /upstreams and /metrics describe credentials; nothing secret anywhere.
ups="$(curl -s "http://127.0.0.1:$ADMIN_PORT/upstreams")"
check "/upstreams: source, role, expiry" True "$(json_get "$ups" '(all(bool(u["credentials"]["source"] and u["credentials"].get("expiration")) for u in j["upstreams"]) and any(u["credentials"].get("role") == "arn:aws:iam::123456789012:role/chained" for u in j["upstreams"]))')"
metrics="$(curl -s "http://127.0.0.1:$ADMIN_PORT/metrics")"
check_contains "/metrics counts refreshes by result" 'lambdagate_credential_refreshes_total{source="web identity (role arn:aws:iam::123456789012:role/gateway)",result="success"}' "$metrics"
check_contains "/metrics exposes seconds to expiry" "lambdagate_credential_seconds_to_expiry{" "$metrics"
stop_gateway || true
leaked=clean
for secret in "$(cat "$WORK/token")" token-one token-two; do
  if grep -q -- "$secret" "$WORK"/gateway-*.log <(printf '%s' "$ups$metrics"); then leaked="leaked $secret"; fi
done
check "no token appears in logs, /upstreams or /metrics" clean "$leaked"

finish
