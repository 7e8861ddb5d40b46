#!/usr/bin/env bash
# deploy/ (issue "Run it in EKS"): every kustomization renders with `kubectl kustomize`, every
# rendered document is valid against the Kubernetes API schemas (npm package kubernetes-models,
# installed into tests/deploy/node_modules from the committed package-lock.json), and the
# Deployment agrees with the binary: its own args, run with the rendered ConfigMap as the config,
# serve the probe paths on the probe ports, the listener on the container port the Service targets,
# and drain within the termination grace period. The base's copy of config/ must load to the same
# documents as config/.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELPER="$ROOT/tests/deploy/inspect_render.py"
NODE_DIR="$ROOT/tests/deploy"

command -v kubectl >/dev/null || { echo "kubectl (with built-in kustomize) is required"; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required"; exit 1; }

# The schema validator: installed once, then cached (tests/deploy/node_modules is git-ignored).
want="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["dependencies"]["kubernetes-models"])' "$NODE_DIR/package.json")"
have="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
  "$NODE_DIR/node_modules/kubernetes-models/package.json" 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  echo "installing kubernetes-models $want into tests/deploy/node_modules (npm ci)"
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$WORK/npm.log" 2>&1) \
    || { echo "npm ci failed"; cat "$WORK/npm.log"; exit 1; }
fi

# The validator itself rejects a broken Deployment (so "valid" below means something).
cat >"$WORK/broken.json" <<'JSON'
[{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
  "spec": {"replicas": "two", "selector": {"matchLabels": {"a": "b"}},
           "template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": "http"}]}]}}}}]
JSON
rc=0; out="$(node "$NODE_DIR/validate.js" "$WORK/broken.json")" || rc=$?
check "the schema validator rejects a Deployment with wrong types" 1 "$rc"
check_contains "…naming the field" "spec/replicas must be integer" "$out"

# The base's copy of Gloo's example equals config/.
check "deploy/base/config loads to the same documents as config/" same \
  "$("$PY" "$HELPER" same-config "$ROOT/config" "$ROOT/deploy/base/config")"
for d in config deploy/base/config; do
  rc=0; "$BIN" --validate --config "$ROOT/$d" >"$WORK/validate.out" 2>&1 || rc=$?
  check "lambdagate --validate accepts $d" 0 "$rc"
done

export AWS_REGION=us-east-1
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA AWS_ENDPOINT_URL_STS AWS_SESSION_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN \
  AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_CA_BUNDLE || true
start_fake lambda

# start_deployed NAME OUTDIR [VAR=VALUE...]: runs the binary with OUTDIR/args (the Deployment's
# own args, on loopback port 0), with the given environment added; sets GW_PORT and ADMIN_PORT
# to the ports it bound.
start_deployed() {
  local name="$1" dir="$2"
  shift 2
  mapfile -t args <"$dir/args"
  env "$@" "$BIN" "${args[@]}" >"$WORK/gateway-$name.log" 2>&1 &
  GW_PID=$!
  PIDS+=($GW_PID)
  await_gateway "$name"
}

# probe PORT PATH: the HTTP status of GET PATH on the loopback port the Deployment's port maps to.
probe() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(local_port "$1")$2"; }
local_port() { if [ "$1" = "$DEP_ADMIN" ]; then echo "$ADMIN_PORT"; elif [ "$1" = "$DEP_LISTEN" ]; then echo "$GW_PORT"; else echo 1; fi; }

mapfile -t kustomizations < <(cd "$ROOT" && find deploy -name kustomization.yaml -printf '%h\n' | sort)
check "deploy/ has the base and the EKS overlay" "deploy/base deploy/overlays/eks" "${kustomizations[*]}"

for k in "${kustomizations[@]}"; do
  tag="${k//\//_}"
  out="$WORK/$tag"; mkdir -p "$out"
  rc=0; kubectl kustomize "$ROOT/$k" >"$out/rendered.yaml" 2>"$out/kustomize.err" || rc=$?
  check "$k: kubectl kustomize renders" 0 "$rc"
  [ "$rc" = 0 ] || { cat "$out/kustomize.err"; continue; }
  "$PY" "$HELPER" tojson <"$out/rendered.yaml" >"$out/rendered.json"
  rc=0; node "$NODE_DIR/validate.js" "$out/rendered.json" >"$out/validate.out" 2>&1 || rc=$?
  check "$k: every rendered document is valid against the Kubernetes schemas" 0 "$rc"
  [ "$rc" = 0 ] || cat "$out/validate.out"
  check "$k: documents rendered" \
    "Namespace ServiceAccount ConfigMap Service Deployment PodDisruptionBudget HorizontalPodAutoscaler NetworkPolicy" \
    "$(json_get "$(cat "$out/rendered.json")" '" ".join(d["kind"] for d in j)')"

  s="$("$PY" "$HELPER" inspect "$out/rendered.json" "$out" 0 0)"
  DEP_LISTEN="$(json_get "$s" 'j["listen_port"]')"
  DEP_ADMIN="$(json_get "$s" 'j["admin_port"]')"
  check "$k: --listen binds all interfaces on the http container port" "0.0.0.0 True" \
    "$(json_get "$s" 'j["listen_host"] + " " + str(j["listen_port"] == j["container_ports"].get("http"))')"
  check "$k: --admin binds all interfaces on the admin container port (kubelet probes the pod IP)" "0.0.0.0 True" \
    "$(json_get "$s" 'j["admin_host"] + " " + str(j["admin_port"] == j["container_ports"].get("admin"))')"
  check "$k: the ConfigMap is mounted at the --config path" "True True" \
    "$(json_get "$s" 'str(j["configmap_found"]) + " " + str(j["config_mount"] == j["config_arg"])')"
  check "$k: liveness and startup probe /healthz, readiness /readyz, all on the admin port" \
    "/healthz:$DEP_ADMIN /healthz:$DEP_ADMIN /readyz:$DEP_ADMIN" \
    "$(json_get "$s" '" ".join("%s:%s" % (j["probes"][k]["path"], j["probes"][k]["port"]) for k in ("livenessProbe", "startupProbe", "readinessProbe"))')"
  check "$k: the Service targets the http port and selects the pods" "[$DEP_LISTEN] True" \
    "$(json_get "$s" 'str(j["service_target_ports"]) + " " + str(j["service_selects_pods"])')"
  check "$k: securityContext: uid 10001, non-root, read-only root, no escalation, drop ALL" \
    "10001 True True True ['ALL']" \
    "$(json_get "$s" '" ".join(str(j[k]) for k in ("run_as_user", "run_as_non_root", "read_only_root", "no_privilege_escalation", "drop"))')"
  check "$k: grace period longer than the 20 s drain; topology spread; CPU request; memory limit" "True True True True" \
    "$(json_get "$s" '" ".join(str(x) for x in (j["grace"] > 20, j["topology_spread"] > 0, bool(j["cpu_request"]), bool(j["memory_limit"])))')"
  check "$k: HPA (autoscaling/v2, cpu) scales the Deployment; PDB selects the pods" "True True True" \
    "$(json_get "$s" '" ".join(str(x) for x in (j["hpa_target"] == j["deployment_name"], j["hpa_api"] == "autoscaling/v2" and j["hpa_metric"] == "cpu", j["pdb_selects_pods"]))')"
  check "$k: pods run as the annotated ServiceAccount, all in the lambdagate namespace" \
    "True True ['lambdagate'] ['lambdagate']" \
    "$(json_get "$s" '" ".join(str(x) for x in (j["pod_service_account"], j["role_arn"].startswith("arn:aws:iam::"), j["namespaces"], j["namespace_doc"]))')"
  # Issue 12: the admin port is not open to the cluster network, the listener is.
  check "$k: the NetworkPolicy admits 8080 from anywhere and 19000 only from Prometheus" \
    "[8080] True monitoring" \
    "$(json_get "$(cat "$out/rendered.json")" '[(lambda ing: "%s %s %s" % ([p["port"] for r in ing if "from" not in r for p in r["ports"]], all(("from" in r) for r in ing if any(p["port"] == 19000 for p in r["ports"])), [r for r in ing if "from" in r][0]["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]))(d["spec"]["ingress"]) for d in j if d["kind"] == "NetworkPolicy"][0]')"
  rc=0; "$BIN" --validate --config "$out/config" >"$out/validate-config.out" 2>&1 || rc=$?
  check "$k: lambdagate --validate accepts the rendered ConfigMap" 0 "$rc"
  [ "$rc" = 0 ] || cat "$out/validate-config.out"

  # The Deployment's own args, with credentials: the probes answer 200, the listener reaches Lambda.
  start_deployed "$tag" "$out" AWS_ACCESS_KEY_ID="$FAKE_KEY_ID" AWS_SECRET_ACCESS_KEY="$FAKE_SECRET" \
    AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$FAKE_PORT_lambda"
  check "$k: liveness probe $(json_get "$s" 'j["probes"]["livenessProbe"]["path"]') → 200" 200 \
    "$(probe "$DEP_ADMIN" "$(json_get "$s" 'j["probes"]["livenessProbe"]["path"]')")"
  wait_ready || true
  check "$k: readiness probe $(json_get "$s" 'j["probes"]["readinessProbe"]["path"]') → 200 with credentials" 200 \
    "$(probe "$DEP_ADMIN" "$(json_get "$s" 'j["probes"]["readinessProbe"]["path"]')")"
  check "$k: the http container port serves Gloo's example" '"ABC"' \
    "$(curl -sS "http://127.0.0.1:$(local_port "$DEP_LISTEN")/lambda" --data '"abc"' -H 'content-type: application/json')"
  check_contains "$k: --log-format json: JSON log lines" '{"' "$(head -c 2000 "$WORK/gateway-$tag.log")"
  start=$SECONDS; rc=0; stop_gateway || rc=$?
  check "$k: SIGTERM → exit 0 within terminationGracePeriodSeconds" "0 True" \
    "$rc $( [ $(( SECONDS - start )) -lt "$(json_get "$s" 'j["grace"]')" ] && echo True || echo False)"
  # Without credentials: alive (200) but not ready (503).
  rm -rf "$out/nocreds"; mkdir -p "$out/nocreds"
  "$PY" "$HELPER" inspect "$out/rendered.json" "$out/nocreds" 0 0 >/dev/null
  start_deployed "$tag-nocreds" "$out/nocreds"
  check "$k: without credentials /healthz → 200 (the pod is not restarted)" 200 "$(probe "$DEP_ADMIN" /healthz)"
  check "$k: without credentials /readyz → 503 (no traffic is sent to it)" 503 "$(probe "$DEP_ADMIN" /readyz)"
  stop_gateway || true
done

# The EKS overlay specifics.
eks="$WORK/deploy_overlays_eks/rendered.json"
if [ -f "$eks" ]; then
  check "eks: LoadBalancer Service with the NLB annotation" "LoadBalancer nlb" \
    "$(json_get "$(cat "$eks")" '[d["spec"]["type"] + " " + d["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-type"] for d in j if d["kind"] == "Service"][0]')"
  check "eks: --shutdown-delay 5, and the grace period covers delay + 20 s drain" "5 True" \
    "$(json_get "$(cat "$eks")" '(lambda d: (lambda a: "%s %s" % (a[a.index("--shutdown-delay") + 1], d["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30) > 5 + 20))(d["spec"]["template"]["spec"]["containers"][0]["args"]))([d for d in j if d["kind"] == "Deployment"][0])')"
  check "eks: image from ECR" True \
    "$(json_get "$(cat "$eks")" '[d for d in j if d["kind"] == "Deployment"][0]["spec"]["template"]["spec"]["containers"][0]["image"].split("/")[0].endswith(".amazonaws.com")')"
  check "eks: the config carries Settings with serviceAccountCredentials.region" us-east-1 \
    "$("$PY" -c 'import sys,yaml; d=[x for x in yaml.safe_load_all(open(sys.argv[1])) if x and x["kind"]=="Settings"][0]; print(d["spec"]["gloo"]["awsOptions"]["serviceAccountCredentials"]["region"])' "$WORK/deploy_overlays_eks/config/settings.yaml")"
fi

# The IAM templates are JSON with the right actions and trust conditions.
check "deploy/iam: permission policy actions" \
  "lambda:GetFunction lambda:InvokeAsync lambda:InvokeFunction lambda:ListFunctions" \
  "$("$PY" -c 'import json,sys; p=json.load(open(sys.argv[1])); print(" ".join(sorted(a for s in p["Statement"] for a in s["Action"])))' "$ROOT/deploy/iam/lambda-invoke-policy.json")"
check "deploy/iam: trust policy: web identity, :sub and :aud conditions" \
  "sts:AssumeRoleWithWebIdentity OIDC_PROVIDER:aud=sts.amazonaws.com OIDC_PROVIDER:sub=system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT" \
  "$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["Statement"][0]; c=s["Condition"]["StringEquals"]; print(s["Action"], " ".join(f"{k}={v}" for k, v in sorted(c.items())))' "$ROOT/deploy/iam/trust-policy.json.tmpl")"

finish
