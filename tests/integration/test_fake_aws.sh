#!/usr/bin/env bash
# Self-test of tests/fake_aws: starts the fake over HTTP, HTTPS and HTTPS-with-an-untrusted-cert,
# plus one with --extra-functions 60 (ListFunctions paging, functions added at runtime), and
# runs selftest.py (botocore as the signing client) against them; then, against two more fakes
# configured for STS and container credentials (one with a 3 s credential lifetime),
# selftest_sts.py (STS, Pod Identity endpoint, faults); then checks a clean SIGTERM exit.
# Standalone: bash tests/integration/test_fake_aws.sh
set -euo pipefail

src=${LAMBDAGATE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
fake=$src/tests/fake_aws
py=/usr/bin/python3  # Debian's Python with python3-botocore; not a pyenv python3 from PATH

work=$(mktemp -d "${TMPDIR:-/tmp}/test_fake_aws.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "test_fake_aws: FAIL: $*" >&2; exit 1; }

"$py" -c 'import botocore' 2>/dev/null || fail "$py has no botocore (apt install python3-botocore)"
bash "$fake/make_test_certs.sh" "$work/certs"
openssl verify -CAfile "$work/certs/ca.pem" "$work/certs/server.pem" >/dev/null \
  || fail "server.pem does not verify against ca.pem"
if openssl verify -CAfile "$work/certs/ca.pem" "$work/certs/untrusted.pem" >/dev/null 2>&1; then
  fail "untrusted.pem verifies against ca.pem"
fi

# launch NAME [fake_aws args...]: runs a fake in the background. The three start in parallel
# (importing botocore dominates start-up), then wait_ready polls each one's port file.
launch() {
  local name=$1; shift
  "$py" "$fake/fake_aws.py" --port 0 --port-file "$work/$name.port" \
    --credential ASIAFAKESESSION:session-secret:session-tok "$@" \
    >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  names+=("$name")
}
wait_ready() {
  local i j
  for ((j = 0; j < ${#names[@]}; j++)); do
    for ((i = 0; i < 300; i++)); do
      [[ -s $work/${names[j]}.port ]] && break
      if ! kill -0 "${pids[j]}" 2>/dev/null; then
        cat "$work/${names[j]}.log" >&2
        fail "${names[j]} fake exited"
      fi
      sleep 0.05
    done
    [[ -s $work/${names[j]}.port ]] || fail "${names[j]} fake did not start within 15 s"
  done
}

names=()
launch http
certs=$work/certs
launch https --tls-cert "$certs/server.pem" --tls-key "$certs/server.key"
launch untrusted --quiet --tls-cert "$certs/untrusted.pem" --tls-key "$certs/untrusted.key"
launch bulk --extra-functions 60
# STS / container fakes. The token files are written (and rotated) by selftest_sts.py.
: >"$work/web-identity.token"
: >"$work/pod-identity.token"
launch sts --web-identity-token-file "$work/web-identity.token" \
  --container-token-file "$work/pod-identity.token" \
  --role arn:aws:iam::123456789012:role/gateway --role 'arn:aws:iam::123456789012:role/chained*'
launch sts-short --web-identity-token-file "$work/web-identity.token" --credential-lifetime 3
wait_ready

grep -q "^fake_aws listening on http://127.0.0.1:$(cat "$work/http.port")\$" "$work/http.out" \
  || fail "unexpected banner: $(cat "$work/http.out")"
grep -q "^fake_aws listening on https://" "$work/https.out" || fail "no https banner"

status=0
"$py" "$fake/selftest.py" --http-port "$(cat "$work/http.port")" \
  --https-port "$(cat "$work/https.port")" --ca "$work/certs/ca.pem" \
  --untrusted-port "$(cat "$work/untrusted.port")" --bulk-port "$(cat "$work/bulk.port")" \
  || status=$?
if ((status != 0)); then
  echo "--- fake logs ---" >&2
  tail -n 50 "$work"/*.log >&2
  fail "selftest failed"
fi

"$py" "$fake/selftest_sts.py" --port "$(cat "$work/sts.port")" \
  --token-file "$work/web-identity.token" --container-token-file "$work/pod-identity.token" \
  --short-port "$(cat "$work/sts-short.port")" \
  --https-port "$(cat "$work/https.port")" --ca "$work/certs/ca.pem" \
  --log "$work/sts.log" --log "$work/sts-short.log" --log "$work/https.log" || status=$?
if ((status != 0)); then
  echo "--- fake logs ---" >&2
  tail -n 50 "$work"/sts*.log >&2
  fail "selftest_sts failed"
fi

# SIGTERM must stop the fake promptly with exit status 0.
pid=${pids[0]}
kill -TERM "$pid"
for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "fake still running 5 s after SIGTERM"
rc=0; wait "$pid" || rc=$?
((rc == 0)) || fail "fake exited with $rc after SIGTERM"
echo "ok   SIGTERM -> clean exit 0"
echo "test_fake_aws: PASS"
