#!/usr/bin/env bash
# Instructions per proxied request, counted by callgrind: the figure a shared, noisy machine does
# not move, so each performance step can be judged on its own (issue 14; docs/BENCHMARKS.md).
#
#   bench/callgrind.sh                       # builds Release into build-bench-release/, 2,000 requests
#   bench/callgrind.sh --bin /abs/lambdagate # measures that binary instead
#   bench/callgrind.sh --requests 4000 --keep
#
# What it runs: lambdagate --threads 1 under `valgrind --tool=callgrind` with the benchmark's
# configuration (bench/proxy/lambdagate.yaml: one route POST /lambda -> Invoke, static credentials
# with a ~1 KB session token, so every request is signed), access log on (stdout to a file), in
# front of an nginx that answers like Invoke. One keep-alive connection sends 300 warm-up
# POSTs "abc", the counters are zeroed, N measured POSTs follow and are dumped. It prints the
# instructions per request and their split by category (OpenSSL, Asio, Beast, libc, allocator,
# lambdagate's modules). User space only; valgrind runs OpenSSL's AVX2 SHA-256, not SHA-NI, so
# the OpenSSL share is larger than on the real CPU.
# Needs valgrind and nginx (installed from Debian when missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/bench/proxy"

bin="" requests=2000 keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "callgrind.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=bench/proxy/packages.sh
source "$here/packages.sh"
install_packages_missing valgrind nginx-light curl python3

if [[ -z "$bin" ]]; then
  build="${BUILD_DIR:-$root/build-bench-release}"
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLAMBDAGATE_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$build" --target lambdagate -j "${LAMBDAGATE_JOBS:-2}" >/dev/null
  bin="$build/lambdagate"
fi

work="$(mktemp -d /tmp/lambdagate-callgrind.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $keep == 1 ]]; then echo "callgrind.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
be_port="$(free_port)" lg_port="$(free_port)" admin_port="$(free_port)"

# shellcheck source=bench/proxy/backend_conf.sh
source "$here/backend_conf.sh"
write_backend_conf "$work/backend.conf" "$be_port" "" 1
mkdir -p "$work/backend"
nginx -p "$work/backend/" -e "$work/backend/error.log" -c "$work/backend.conf" &
pids+=($!)

# shellcheck source=bench/proxy/fake_credentials.sh
source "$here/fake_credentials.sh"
AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$be_port" valgrind --tool=callgrind \
  --callgrind-out-file="$work/callgrind.out.%p" "$bin" --config "$here/lambdagate.yaml" \
  --listen "127.0.0.1:$lg_port" --admin "127.0.0.1:$admin_port" --threads 1 --log-level warn \
  >"$work/access.log" 2>"$work/lambdagate.err" &
lg_pid=$!
pids+=("$lg_pid")
for _ in $(seq 300); do
  curl -fsS -o /dev/null "http://127.0.0.1:$admin_port/readyz" 2>/dev/null && break
  kill -0 "$lg_pid" 2>/dev/null || { cat "$work/lambdagate.err" >&2; exit 1; }
  sleep 0.1
done

python3 - "$lg_port" "$requests" <<'PY'
import http.client, subprocess, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
conn = http.client.HTTPConnection("127.0.0.1", port)
def send(k):
    for _ in range(k):
        conn.request("POST", "/lambda", body=b'"abc"', headers={"content-type": "application/json"})
        response = conn.getresponse()
        body = response.read()
        if body != b'"ABC"':
            sys.exit(f"callgrind.sh: unexpected answer {response.status} {body!r}")
send(300)
subprocess.run(["callgrind_control", "-z"], check=True, capture_output=True)
send(n)
subprocess.run(["callgrind_control", "-d"], check=True, capture_output=True)
PY

dump="$(ls "$work"/callgrind.out.*.1)"
echo "binary: $bin"
echo "requests measured: $requests (after 300 warm-up), one keep-alive connection"
callgrind_annotate --threshold=100 --auto=no "$dump" 2>/dev/null | awk -v req="$requests" '
  /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1; next }
  total && $1 ~ /^[0-9,]+$/ {
    n = $1; gsub(",", "", n)
    if (n + 0 >= total * 0.99) next  # the thread entry points: inclusive, not exclusive, lines
    c = "other"
    if ($0 ~ /sha256|SHA256|EVP_|HMAC|hmac|OPENSSL|ossl_|evp_|CRYPTO_/) c = "OpenSSL (SHA-256, HMAC)"
    else if ($0 ~ /boost::beast::http::basic_parser|basic_parser_base|parser_is|beast::http::detail::read|opt_token|do_field|string_to_field|iless/) c = "Beast parsing"
    else if ($0 ~ /basic_fields|beast::http::message|beast::http::header/) c = "Beast fields"
    else if ($0 ~ /boost::beast::/) c = "Beast, other"
    else if ($0 ~ /boost::asio::/) c = "Asio (coroutines, reactor, handlers)"
    else if ($0 ~ /mimalloc|malloc|free|operator new|operator delete/) c = "allocator"
    else if ($0 ~ /lambdagate::aws::/) c = "lambdagate::aws (signing)"
    else if ($0 ~ /lambdagate::http::/) c = "lambdagate::http"
    else if ($0 ~ /lambdagate::proxy::/) c = "lambdagate::proxy"
    else if ($0 ~ /lambdagate::/) c = "lambdagate, other"
    else if ($0 ~ /libc\.so|std::/) c = "libc / libstdc++"
    part[c] += n
  }
  END {
    printf "instructions per request: %.0f, of them (exclusive, per request):\n", total / req
    fflush()
    for (c in part) printf "  %8.0f  %s\n", part[c] / req, c | "sort -rn"
    close("sort -rn")
  }'
