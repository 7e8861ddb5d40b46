#!/usr/bin/env bash
# Live reload (issue "Run it in EKS"): the configuration is a directory laid out like a Kubernetes
# ConfigMap mount (timestamped generation directory, "..data" link, file links through it) and is
# updated the way kubelet does it: a new generation, then "..data" swapped by rename. A steady
# request loop runs throughout and must see no failure: a new route answers within ~2 s, a broken
# generation is refused (error with file:line, counted) while the old routes keep answering, a fix
# is picked up, and SIGHUP reloads too. Then single --config files: one replaced by rename, one a
# link through "..data" whose target changes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_fake main
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_main"
export AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE || true

SRC="$ROOT/tests/integration/config/reload"
CFG="$WORK/configmap"
mkdir -p "$CFG"
GENERATION=""

# publish STAMP VIRTUALSERVICE_FILE: what kubelet's AtomicWriter does for a ConfigMap update.
publish() {
  local stamp="..2026_11_25_00_00_$1.000000" old="$GENERATION"
  mkdir "$CFG/$stamp"
  cp "$SRC/upstream.yaml" "$CFG/$stamp/upstream.yaml"
  cp "$SRC/$2" "$CFG/$stamp/virtualservice.yaml"
  ln -s "$stamp" "$CFG/..data_tmp"
  mv -T "$CFG/..data_tmp" "$CFG/..data"
  for f in upstream.yaml virtualservice.yaml; do
    [ -L "$CFG/$f" ] || ln -s "..data/$f" "$CFG/$f"
  done
  [ -n "$old" ] && rm -rf "${CFG:?}/$old"
  GENERATION="$stamp"
}

status_of() { curl -s -o /dev/null -w '%{http_code}' -X POST "$GW$1" --data '"abc"'; }

# wait_status PATH STATUS SECONDS: polls every 0.1 s; prints the seconds it took, or "timeout".
wait_status() {
  local start end
  start=$(date +%s.%N)
  end=$(echo "$start + $3" | bc)
  while [ "$(echo "$(date +%s.%N) < $end" | bc)" = 1 ]; do
    if [ "$(status_of "$1")" = "$2" ]; then
      printf '%.1f\n' "$(echo "$(date +%s.%N) - $start" | bc)"
      return 0
    fi
    sleep 0.1
  done
  echo timeout
}

log_count() { grep -c -- "$1" "$WORK/gateway-reload.log" || true; }

publish 00 virtualservice-v1.yaml
start_gateway reload --config "$CFG"
wait_ready
GW="http://127.0.0.1:$GW_PORT"

check "generation 1: /echo answers" 200 "$(status_of /echo)"
check "generation 1: /upper is not routed yet" 404 "$(status_of /upper)"
check_contains "the watcher is on" "config watcher: watching" "$(cat "$WORK/gateway-reload.log")"

# The steady load: 4 keep-alive clients on /echo for the whole test.
"$PY" "$ROOT/tests/integration/load.py" loop "$GW/echo" 14 4 >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!
# The load is on once its requests show in /metrics.
echo_requests() {
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" |
    "$PY" -c 'import sys; print(sum(float(l.split()[-1]) for l in sys.stdin if l.startswith("lambdagate_requests_total{") and "status=\"200\"" in l))'
}
before_load="$(echo_requests)"
load_running() { "$PY" -c "import sys; sys.exit(0 if $(echo_requests) > $before_load + 10 else 1)"; }
wait_for "the steady load to start" 10 load_running

# (a) A new generation adds /upper.
publish 01 virtualservice-v2.yaml
took="$(wait_status /upper 200 3)"
echo "     (new route answered after ${took}s)"
check "(a) the new route answers within ~2 s of the ..data swap" yes \
  "$([ "$took" != timeout ] && [ "$(echo "$took <= 2.5" | bc)" = 1 ] && echo yes || echo no)"
check "(a) /upper calls uppercase" '"ABC"' "$(curl -s -X POST "$GW/upper" --data '"abc"')"
check "(a) one successful reload logged" 1 "$(log_count 'reloads: 1 succeeded, 0 failed')"

# (b) A broken generation is refused; the old routes keep answering.
publish 02 virtualservice-broken.yaml
for _ in $(seq 1 30); do grep -q "reload refused" "$WORK/gateway-reload.log" && break; sleep 0.1; done
log="$(cat "$WORK/gateway-reload.log")"
check_contains "(b) the error names file and line" \
  "$CFG/virtualservice.yaml:13: error: route #2: upstream gloo-system/no-such-upstream not found" "$log"
check_contains "(b) the reload is refused and counted" "reload refused" "$log"
check_contains "(b) the failure counter is 1" "0 failed)" "$(grep 'configuration reloaded' "$WORK/gateway-reload.log" | tail -1)"
check_contains "(b) ...and then 1" "1 failed)" "$(grep 'reload refused' "$WORK/gateway-reload.log" | tail -1)"
check "(b) /upper still answers from the old snapshot" 200 "$(status_of /upper)"
check "(b) /gone was never routed" 404 "$(status_of /gone)"

# (c) The fix: a valid generation again.
publish 03 virtualservice-v2.yaml
for _ in $(seq 1 30); do [ "$(log_count 'configuration reloaded')" -ge 2 ] && break; sleep 0.1; done
check "(c) the fixed generation is loaded" yes "$([ "$(log_count 'configuration reloaded')" -ge 2 ] && echo yes || echo no)"
check "(c) /upper answers" 200 "$(status_of /upper)"

# (d) SIGHUP reloads as well.
before="$(log_count 'configuration reloaded')"
kill -HUP "$GW_PID"
for _ in $(seq 1 30); do [ "$(log_count 'configuration reloaded')" -gt "$before" ] && break; sleep 0.1; done
check_contains "(d) SIGHUP reloads" "SIGHUP: reloading the configuration" "$(cat "$WORK/gateway-reload.log")"
check "(d) one more successful reload" "$((before + 1))" "$(log_count 'configuration reloaded')"
check "(d) the gateway is still ready" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ADMIN_PORT/readyz")"

wait "$LOAD_PID"
load="$(cat "$WORK/load.json")"
echo "     load: $load"
check "no request failed during the reloads" 0 "$(json_get "$load" 'j["failed"]')"
check "the load loop did run" True "$(json_get "$load" 'j["ok"] > 100')"
check "no crash during reloads" "True" "$(kill -0 "$GW_PID" 2>/dev/null && echo True || echo False)"

rc=0
stop_gateway || rc=$?
check "exit code 0 after SIGTERM" 0 "$rc"

# (e) Single files: a plain file replaced by rename (what editors and `sed -i` do), and a file
# that is a link through "..data" whose target changes when kubelet swaps the generation.
mkdir -p "$WORK/single"
cp "$SRC/virtualservice-v1.yaml" "$WORK/single/vs.yaml"
start_gateway files --config "$WORK/single/vs.yaml" --config "$CFG/upstream.yaml"
wait_ready
GW="http://127.0.0.1:$GW_PORT"
check "(e) files: /upper is not routed yet" 404 "$(status_of /upper)"
cp "$SRC/virtualservice-v2.yaml" "$WORK/single/.vs.yaml.tmp"
mv "$WORK/single/.vs.yaml.tmp" "$WORK/single/vs.yaml"
took="$(wait_status /upper 200 3)"
check "(e) a file replaced by rename is reloaded (${took}s)" yes "$([ "$took" != timeout ] && echo yes || echo no)"
files_log() { grep -c "configuration reloaded" "$WORK/gateway-files.log" || true; }
before="$(files_log)"
publish 04 virtualservice-v1.yaml
for _ in $(seq 1 30); do [ "$(files_log)" -gt "$before" ] && break; sleep 0.1; done
check "(e) a swap of ..data behind a linked --config file triggers a reload" "$((before + 1))" "$(files_log)"
check "(e) ...and the gateway still serves" 200 "$(status_of /upper)"
rc=0
stop_gateway || rc=$?
check "(e) exit code 0" 0 "$rc"
finish
