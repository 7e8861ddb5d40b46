#!/usr/bin/env bash
# Observability (issue "Run it in EKS"): a known number of requests → /metrics, parsed with a real
# Prometheus text parser (python3-prometheus-client), counts exactly what was sent; /config_dump
# shows the configuration in force with every Secret redacted; no log line carries a secret.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$PY" -c 'import prometheus_client.parser' 2>/dev/null || {
  echo "python3-prometheus-client is not installed (scripts/install-deps.sh installs it)"; exit 1; }

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

# The end-to-end configuration, its Secrets rendered with the fake's keys, plus a Secret holding a
# session token, so /config_dump has every kind of secret to hide.
SESSION_TOKEN="integration-session-token-$$-$RANDOM"
mkdir -p "$WORK/config"
cp "$ROOT/tests/integration/config/e2e/"*.yaml "$WORK/config/"
sed -e "s|@SECRET_KEY_ID@|$FAKE_KEY_ID|" -e "s|@SECRET_SECRET@|$FAKE_SECRET|" \
  "$ROOT/tests/integration/config/e2e/secrets.yaml.in" >"$WORK/config/secrets.yaml"
cat >>"$WORK/config/secrets.yaml" <<EOF
---
apiVersion: v1
kind: Secret
metadata:
  name: session-creds
  namespace: gloo-system
type: Opaque
stringData:
  aws_access_key_id: $FAKE_KEY_ID
  aws_secret_access_key: $FAKE_SECRET
  aws_session_token: $SESSION_TOKEN
EOF

start_gateway obs --config "$WORK/config"
wait_ready
GW="http://127.0.0.1:$GW_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

# A known load: 7 calls to /lambda (route 0 of gloo-system/default), 3 to paths no route matches.
LAMBDA_OK=7
MISSING=3
ok=0
for i in $(seq 1 "$LAMBDA_OK"); do
  out="$(curl -sS "$GW/lambda" --data "\"call $i\"" -H "content-type: application/json")"
  [ "$out" = "\"CALL $i\"" ] && ok=$((ok + 1))
done
check "$LAMBDA_OK calls to /lambda answered" "$LAMBDA_OK" "$ok"
notfound=0
for i in $(seq 1 "$MISSING"); do
  code="$(curl -sS -o /dev/null -w '%{http_code}' "$GW/no-such-route-$i" --data '{}')"
  [ "$code" = 404 ] && notfound=$((notfound + 1))
done
check "$MISSING calls to missing routes answered 404" "$MISSING" "$notfound"

headers="$(curl -sS -D - -o "$WORK/metrics.txt" "$ADMIN/metrics" | tr -d '\r')"
check_contains "/metrics is Prometheus text 0.0.4" "content-type: text/plain; version=0.0.4" "${headers,,}"

# Parse with prometheus_client and print one line per assertion: "name value".
parsed="$("$PY" - "$WORK/metrics.txt" <<'PYEOF'
import sys
from collections import defaultdict
from prometheus_client.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
families = list(text_string_to_metric_families(text))  # raises on malformed exposition
types = {f.name: f.type for f in families}
samples = [s for f in families for s in f.samples]

def total(name, **labels):
    return int(sum(s.value for s in samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())))

route = "gloo-system/default/0"
out = {
    "parsed": "yes",
    "requests_lambda_200": total("lambdagate_requests_total", route=route, upstream="gloo-system/lambda",
                                 function="uppercase", status="200"),
    "requests_404_no_route": total("lambdagate_requests_total", route="", status="404"),
    "requests_all": total("lambdagate_requests_total"),
    "invocations_success": total("lambdagate_lambda_invocations_total", upstream="gloo-system/lambda",
                                 function="uppercase", result="success"),
    "invocations_all": total("lambdagate_lambda_invocations_total"),
    "duration_count_lambda": total("lambdagate_request_duration_seconds_count", route=route),
    "duration_inf_lambda": total("lambdagate_request_duration_seconds_bucket", route=route, le="+Inf"),
    "duration_count_no_route": total("lambdagate_request_duration_seconds_count", route=""),
    "retries_all": total("lambdagate_retries_total"),
    "throttles_all": total("lambdagate_throttles_total"),
    "connections_total_at_least_10": total("lambdagate_connections_total") >= 10,
    "connections_active_present": any(s.name == "lambdagate_connections_active" for s in samples),
    "up": total("lambdagate_up"),
    "type_requests": types.get("lambdagate_requests"),
    "type_duration": types.get("lambdagate_request_duration_seconds"),
    "type_invocations": types.get("lambdagate_lambda_invocations"),
    "credentials_ready_series": any(s.name == "lambdagate_upstream_credentials_ready" for s in samples),
}
# Every histogram's buckets are cumulative and end with _count.
ok = True
by_route = defaultdict(list)
for s in samples:
    if s.name == "lambdagate_request_duration_seconds_bucket":
        by_route[s.labels["route"]].append((float(s.labels["le"]), s.value))
for r, buckets in by_route.items():
    values = [v for _, v in sorted(buckets)]
    ok &= values == sorted(values)
    ok &= values[-1] == total("lambdagate_request_duration_seconds_count", route=r)
out["histograms_cumulative"] = ok and bool(by_route)
for k, v in out.items():
    print(k, v)
PYEOF
)" || parsed="parser failed: $parsed"
metric() { awk -v k="$1" '$1==k{print $2}' <<<"$parsed"; }
check "/metrics parses with prometheus_client" yes "$(metric parsed)"
check "lambdagate_requests_total{route,upstream,function=uppercase,status=200} = $LAMBDA_OK" "$LAMBDA_OK" \
  "$(metric requests_lambda_200)"
check "lambdagate_requests_total{route=\"\",status=404} = $MISSING" "$MISSING" "$(metric requests_404_no_route)"
check "lambdagate_requests_total sums to every request sent" "$((LAMBDA_OK + MISSING))" "$(metric requests_all)"
check "lambdagate_lambda_invocations_total{result=success} = $LAMBDA_OK" "$LAMBDA_OK" "$(metric invocations_success)"
check "no other invocation" "$LAMBDA_OK" "$(metric invocations_all)"
check "duration histogram _count for the route = $LAMBDA_OK" "$LAMBDA_OK" "$(metric duration_count_lambda)"
check "duration histogram +Inf bucket = _count" "$LAMBDA_OK" "$(metric duration_inf_lambda)"
check "duration histogram for unmatched requests" "$MISSING" "$(metric duration_count_no_route)"
check "histogram buckets are cumulative" True "$(metric histograms_cumulative)"
check "no retries" 0 "$(metric retries_all)"
check "no throttles" 0 "$(metric throttles_all)"
check "lambdagate_connections_total counts the connections (>= 10)" True "$(metric connections_total_at_least_10)"
check "lambdagate_connections_active is exposed" True "$(metric connections_active_present)"
check "requests family is a counter" counter "$(metric type_requests)"
check "duration family is a histogram" histogram "$(metric type_duration)"
check "invocations family is a counter" counter "$(metric type_invocations)"
check "the process series stay (lambdagate_up)" 1 "$(metric up)"
check "the credential series stay" True "$(metric credentials_ready_series)"

# /config_dump: the configuration in force, Secrets by name and type only.
code="$(curl -sS -o "$WORK/config_dump.json" -w '%{http_code}' "$ADMIN/config_dump")"
check "/config_dump answers 200" 200 "$code"
dump="$(cat "$WORK/config_dump.json")"
check "/config_dump has the config version" 1 "$(json_get "$dump" 'j["configVersion"]')"
check "/config_dump has the load time" True "$(json_get "$dump" 'j["loadedAt"].endswith("Z")')"
check "/config_dump lists the Upstreams" True \
  "$(json_get "$dump" '"gloo-system/lambda" in [u["metadata"]["namespace"] + "/" + u["metadata"]["name"] for u in j["upstreams"]]')"
check "/config_dump shows secretRef by name" aws-creds \
  "$(json_get "$dump" '[u for u in j["upstreams"] if u["metadata"]["name"] == "with-secret"][0]["spec"]["aws"]["secretRef"]["name"]')"
check "/config_dump lists the routes" /lambda \
  "$(json_get "$dump" 'j["virtualServices"][0]["virtualHost"]["routes"][0]["matchers"][0]["prefix"]')"
check "/config_dump lists every Secret, redacted" "3 True" \
  "$(json_get "$dump" 'str(len(j["secrets"])) + " " + str(all(s["data"] == "redacted" for s in j["secrets"]))')"
if grep -qF "$FAKE_SECRET" "$WORK/config_dump.json"; then r=leaked; else r=clean; fi
check "/config_dump never shows a secret key" clean "$r"
if grep -qF "$SESSION_TOKEN" "$WORK/config_dump.json"; then r=leaked; else r=clean; fi
check "/config_dump never shows a session token" clean "$r"
for page in metrics upstreams readyz; do
  if curl -sS "$ADMIN/$page" | grep -qF -e "$FAKE_SECRET" -e "$SESSION_TOKEN"; then r=leaked; else r=clean; fi
  check "/$page never shows a secret key or session token" clean "$r"
done

rc=0
stop_gateway || rc=$?
check "SIGTERM → exit 0" 0 "$rc"
if grep -qF -e "$FAKE_SECRET" -e "$SESSION_TOKEN" "$WORK"/gateway-*.log; then r=leaked; else r=clean; fi
check "neither the secret key nor the session token appears in lambdagate's logs" clean "$r"

finish
