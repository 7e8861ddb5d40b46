#!/usr/bin/env bash
# Runs lambdagate locally with the example configuration in config/.
#
# With no AWS credentials in the environment (or with LAMBDAGATE_FAKE_AWS=1) it starts the
# project's fake Lambda (tests/fake_aws) on loopback and points lambdagate at it, so Gloo's
# example works on any machine:
#   curl -v localhost:8080/lambda --data '"abc"' -H "content-type: application/json"   ->  "ABC"
# With AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY set (and LAMBDAGATE_FAKE_AWS unset) it talks to
# real AWS Lambda over HTTPS instead. Extra arguments go to lambdagate (e.g. --log-format json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${LAMBDAGATE_BUILD_DIR:-$root/build}"
listen="${LAMBDAGATE_LISTEN:-0.0.0.0:8080}"
admin="${LAMBDAGATE_ADMIN:-127.0.0.1:19000}"

bash "$root/scripts/build.sh"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

use_fake="${LAMBDAGATE_FAKE_AWS:-}"
if [ -z "$use_fake" ]; then
  if [ -n "${AWS_ACCESS_KEY_ID:-}" ] && [ -n "${AWS_SECRET_ACCESS_KEY:-}" ]; then use_fake=0; else use_fake=1; fi
fi

if [ "$use_fake" = 1 ]; then
  state="$(mktemp -d)"
  export AWS_ACCESS_KEY_ID=AKIDLOCALFAKE0000001
  export AWS_SECRET_ACCESS_KEY="local-fake-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  unset AWS_SESSION_TOKEN
  export AWS_REGION=us-east-1
  /usr/bin/python3 "$root/tests/fake_aws/fake_aws.py" --port 0 --port-file "$state/fake.port" \
    --region "$AWS_REGION" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" --quiet &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$state/fake.port" ] && break; sleep 0.1; done
  [ -s "$state/fake.port" ] || { echo "run-local: the fake Lambda did not start" >&2; exit 2; }
  export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$(cat "$state/fake.port")"
  echo "run-local: no AWS account in use; the fake Lambda listens on $AWS_ENDPOINT_URL_LAMBDA"
else
  echo "run-local: using real AWS Lambda in ${AWS_REGION:-each Upstream region} with the environment's credentials"
fi

"$build_dir/lambdagate" --config "$root/config" --listen "$listen" --admin "$admin" "$@" &
pids+=($!)
port="${listen##*:}"
for _ in $(seq 1 100); do
  curl -fsS "http://$admin/readyz" >/dev/null 2>&1 && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "run-local: lambdagate exited" >&2; exit 2; }
  sleep 0.1
done
cat <<MSG

lambdagate is ready. Try Gloo's example:

  curl -v localhost:$port/lambda --data '"abc"' -H "content-type: application/json"

Admin: curl $admin/readyz      Stop: Ctrl-C
MSG
wait "${pids[-1]}"
