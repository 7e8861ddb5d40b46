#!/usr/bin/env bash
# Function discovery (issue 6) against the fake with 60 extra functions (85 entries with their
# versions, so ListFunctions takes two pages) plus aliases: every function is routable by its
# logical name, hand-written entries win, a function added while lambdagate runs becomes
# routable within one interval, the last list keeps serving while the Lambda API is down, and
# `lambdagate discover` prints YAML lambdagate itself accepts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main --extra-functions 60
FAKE="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ENDPOINT_URL_LAMBDA="$FAKE"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true
INTERVAL=2

# The configuration: an Upstream with one hand-written function (named like a discovered one, to
# show it wins), a second Upstream with discovery switched off, and one exact route per logical
# name the fake's account has (taken from the fake's own list), plus one for a function that
# does not exist yet.
mkdir -p "$WORK/config"
"$PY" - "$FAKE" "$WORK/config" "$INTERVAL" <<'PYEOF'
import json, sys, urllib.request
fake, out, interval = sys.argv[1], sys.argv[2], sys.argv[3]
functions = json.load(urllib.request.urlopen(fake + "/__fake/functions"))
names = []
for f in functions:
    names.append(f["name"])
    names += [f'{f["name"]}:{v}' for v in f["versions"]]
    names += [f'{f["name"]}:{a}' for a in f["aliases"]]
names.append("late-fn")
json.dump(sorted(names), open(out + "/../names.json", "w"))
routes = "\n".join(f"""    - matchers: [{{exact: "/fn/{n.replace(':', '/')}"}}]
      routeAction:
        single:
          upstream: {{name: bulk, namespace: gloo-system}}
          destinationSpec: {{aws: {{logicalName: "{n}"}}}}""" for n in sorted(names))
open(out + "/discovery.yaml", "w").write(f"""apiVersion: gloo.solo.io/v1
kind: Settings
metadata: {{name: default, namespace: gloo-system}}
spec:
  discovery: {{fdsMode: BLACKLIST}}
  lambdagate:
    discovery: {{pollInterval: {interval}s, aliases: true, aliasCallsPerSecond: 100}}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata: {{name: bulk, namespace: gloo-system}}
spec:
  aws:
    region: us-east-1
    lambdaFunctions:
    - {{logicalName: bulk-001, lambdaFunctionName: uppercase}}
---
apiVersion: gloo.solo.io/v1
kind: Upstream
metadata:
  name: manual
  namespace: gloo-system
  labels: {{discovery.solo.io/function_discovery: disabled}}
spec:
  aws:
    region: us-east-1
    lambdaFunctions: [{{logicalName: echo, lambdaFunctionName: echo}}]
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata: {{name: discovered, namespace: gloo-system}}
spec:
  virtualHost:
    domains: ['*']
    routes:
{routes}
""")
PYEOF
count="$(json_get "$(cat "$WORK/names.json")" 'len(j)')"

# --validate accepts routes to functions not written by hand, with warnings.
rc=0; "$BIN" --validate --config "$WORK/config" >"$WORK/validate.out" 2>&1 || rc=$?
check "--validate: routes to not-yet-discovered functions are valid" 0 "$rc"
check_contains "--validate: ... with a warning naming discovery" "expecting function discovery to find it" "$(cat "$WORK/validate.out")"

start_gateway discovery --config "$WORK/config"
wait_ready
GW="http://127.0.0.1:$GW_PORT"
ADMIN="http://127.0.0.1:$ADMIN_PORT"

# Wait for the first round.
for i in $(seq 1 100); do
  n="$(json_get "$(curl -sS "$ADMIN/upstreams")" '[u for u in j["upstreams"] if u["name"]=="gloo-system/bulk"][0]["discovery"]["discoveredFunctions"]')"
  [ "$n" -gt 0 ] && break; sleep 0.1
done
check "the first round found every version and alias (85 ListFunctions entries + 15 aliases)" \
  "$((count - 1))" "$n"
lists="$(curl -sS "$FAKE/__fake/calls?op=ListFunctions")"
check "ListFunctions (FunctionVersion=ALL) followed NextMarker: 85 versions as 50 + 35 over 2 pages, every call validly signed" \
  "FunctionVersion=ALL 50 | FunctionVersion=ALL&Marker= 35 | True" \
  "$(json_get "$lists" '" | ".join([j[0]["rawQuery"]+" "+str(j[0]["itemCount"]), j[1]["rawQuery"].split("Marker=")[0]+"Marker= "+str(j[1]["itemCount"]), str(all(c["signatureValid"] for c in j))])')"

# Every logical name answers (bulk-* are echo functions; bulk-001 is hand-written → uppercase).
"$PY" - "$GW" "$WORK/names.json" >"$WORK/routable.json" <<'PYEOF'
import json, sys, urllib.request, urllib.error
gw, names = sys.argv[1], json.load(open(sys.argv[2]))
result = {}
for n in names:
    if n == "late-fn":
        continue
    req = urllib.request.Request(gw + "/fn/" + n.replace(":", "/"), data=b'"abc"', method="POST")
    try:
        with urllib.request.urlopen(req) as r:
            result[n] = [r.status, r.read().decode()]
    except urllib.error.HTTPError as e:
        result[n] = [e.code, e.read().decode()]
print(json.dumps(result))
PYEOF
r="$(cat "$WORK/routable.json")"
check "every discovered logical name reaches its function ($((count - 1)) routes; none is unknown)" "$((count - 1))" \
  "$(json_get "$r" 'sum(1 for v in j.values() if v[0] == 200 or "function_error" in v[1])')"
check "... and every one that is not a failing test function answers 200" \
  "['apigw-raw', 'crash', 'fail', 'stream-fail']" "$(json_get "$r" 'str(sorted(k for k, v in j.items() if v[0] != 200))')"
check "the hand-written bulk-001 wins over the discovered one (uppercase, not echo)" '"ABC"' "$(json_get "$r" 'j["bulk-001"][1]')"
check "a discovered function runs as itself (bulk-002 echoes)" '"abc"' "$(json_get "$r" 'j["bulk-002"][1]')"
calls="$(fake_calls main bulk-005)"
check "name:version and name:alias invoke with their qualifier" "['1', 'live']" \
  "$(json_get "$calls" 'str(sorted(set(c.get("qualifier") for c in j if c.get("operation") == "Invoke" and c.get("qualifier"))))')"

# A function that does not exist yet: a clear 502, then routable within one interval of appearing.
code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/fn/late-fn" --data '"x"')"
check "a route to a function not found yet → 502 lambda_rejected" "502 lambda_rejected" "$code $(json_get "$(cat "$WORK/b")" 'j["code"]')"
check_contains "... naming the missing function" "late-fn" "$(cat "$WORK/b")"
curl -sS -X POST "$FAKE/__fake/functions" -d '{"name":"late-fn","behaviour":"uppercase"}' >/dev/null
added=$(date +%s.%N)
for i in $(seq 1 100); do
  code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/fn/late-fn" --data '"x"')"
  [ "$code" = 200 ] && break; sleep 0.1
done
took="$("$PY" -c "import time; print(round(time.time() - $added, 2))")"
echo "     late-fn routable after ${took}s (interval ${INTERVAL}s)"
check "a function added while lambdagate runs becomes routable" "200 \"X\"" "$code $(cat "$WORK/b")"
# One interval, plus the round's own time (two pages and ~70 rate-limited ListAliases calls).
check "... within one interval plus one round (≤ $((INTERVAL * 2 + 1)) s)" "True" "$("$PY" -c "print($took <= $INTERVAL * 2 + 1)")"

# The Lambda API down: rounds fail, the last list keeps serving.
curl -sS -X POST "$FAKE/__fake/faults" -d '{"service":"lambda","operation":"ListFunctions","mode":"status","status":500}' >/dev/null
before="$(json_get "$(curl -sS "$ADMIN/upstreams")" '[u for u in j["upstreams"] if u["name"]=="gloo-system/bulk"][0]["discovery"]["roundsFailed"]')"
rounds_failed_since() {
  [ "$(json_get "$(curl -sS "$ADMIN/upstreams")" '[u for u in j["upstreams"] if u["name"]=="gloo-system/bulk"][0]["discovery"]["roundsFailed"]')" -gt "$before" ]
}
wait_for "a failed discovery round" $((INTERVAL * 2 + 1)) rounds_failed_since || true
u="$(curl -sS "$ADMIN/upstreams")"
check "with ListFunctions failing, rounds fail" "True" \
  "$(json_get "$u" '[x for x in j["upstreams"] if x["name"]=="gloo-system/bulk"][0]["discovery"]["roundsFailed"] > '"$before")"
check_contains "... and /upstreams says why" "ServiceException" "$(json_get "$u" '[x for x in j["upstreams"] if x["name"]=="gloo-system/bulk"][0]["discovery"]["lastError"]')"
code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/fn/bulk-060" --data '"y"')"
check "... while the last list keeps serving" '200 "y"' "$code $(cat "$WORK/b")"
code="$(curl -sS -o "$WORK/b" -w '%{http_code}' "$GW/fn/late-fn" --data '"y"')"
check "... including the function found late" '200 "Y"' "$code $(cat "$WORK/b")"
curl -sS -X DELETE "$FAKE/__fake/faults" >/dev/null

# /upstreams and /metrics.
u="$(curl -sS "$ADMIN/upstreams")"
check "/upstreams lists functions with their source" "True True" \
  "$(json_get "$u" 'str(any(f["source"]=="static" and f["logicalName"]=="bulk-001" for x in j["upstreams"] for f in x["functions"]))+" "+str(any(f["source"]=="discovered" and f["logicalName"]=="bulk-005:live" and f["kind"]=="alias" for x in j["upstreams"] for f in x["functions"]))')"
check "/upstreams: discovery off for the labelled Upstream" "False" \
  "$(json_get "$u" '[x for x in j["upstreams"] if x["name"]=="gloo-system/manual"][0]["discovery"]["enabled"]')"
curl -sS "$ADMIN/metrics" >"$WORK/metrics.txt"
check "metrics: discovered functions per Upstream" "True" "$("$PY" - "$WORK/metrics.txt" 2>&1 <<'PYEOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
v = {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        v[(s.name, tuple(sorted(s.labels.items())))] = s.value
found = v[("lambdagate_upstream_functions", (("source", "discovered"), ("upstream", "gloo-system/bulk")))]
ok = v[("lambdagate_discovery_rounds_total", (("result", "success"), ("upstream", "gloo-system/bulk")))]
bad = v[("lambdagate_discovery_rounds_total", (("result", "failure"), ("upstream", "gloo-system/bulk")))]
print(found >= 97 and ok >= 2 and bad >= 1)
PYEOF
)"
check_contains "the log reports the failed rounds" "function discovery for upstream gloo-system/bulk failed" "$(cat "$WORK/gateway-discovery.log")"
check "no secret in the log" "no leak" "$(grep -q -- "$FAKE_SECRET" "$WORK/gateway-discovery.log" && echo leak || echo 'no leak')"

# The one-shot command prints YAML an operator could apply, and lambdagate accepts it.
rc=0; "$BIN" discover --config "$WORK/config" >"$WORK/discovered.yaml" 2>"$WORK/discover.err" || rc=$?
check "lambdagate discover exits 0" 0 "$rc"
check "its output is YAML with both Upstreams, bulk's functions filled in" "['bulk', 'manual'] True True" "$("$PY" - "$WORK/discovered.yaml" <<'PYEOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
names = sorted(d["metadata"]["name"] for d in docs if d["kind"] == "Upstream" and d["apiVersion"] == "gloo.solo.io/v1")
bulk = [d for d in docs if d["metadata"]["name"] == "bulk"][0]["spec"]["aws"]["lambdaFunctions"]
logical = {f["logicalName"]: f for f in bulk}
print(names, logical["bulk-001"]["lambdaFunctionName"] == "uppercase",
      logical["bulk-005:1"]["qualifier"] == "1" and "late-fn" in logical and "bulk-010:live" in logical)
PYEOF
)"
mkdir -p "$WORK/applied" && cp "$WORK/discovered.yaml" "$WORK/applied/" && \
  sed -n '/kind: VirtualService/,$p' "$WORK/config/discovery.yaml" | sed '1s/^/apiVersion: gateway.solo.io\/v1\n/' >"$WORK/applied/vs.yaml"
rc=0; "$BIN" --validate --config "$WORK/applied" >"$WORK/validate2.out" 2>&1 || rc=$?
check "lambdagate --validate accepts the printed Upstreams" 0 "$rc"

stop_gateway
finish
