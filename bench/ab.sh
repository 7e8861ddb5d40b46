#!/usr/bin/env bash
# Two lambdagate builds against each other, interleaved round by round (issue 14): for judging
# one performance step on a shared machine, where a whole bench/proxy.sh run of one build and
# then one of the other can land in different weather.
#
#   bench/ab.sh --a /abs/before/lambdagate --b /abs/after/lambdagate
#   bench/ab.sh --a OLD --b NEW --rounds 12 --seconds 3
#   bench/ab.sh --a OLD --b NEW --tls          # the upstream over TLS (verified, connections reused)
#
# Both builds run at once (--threads 1, bench/proxy/lambdagate.yaml, access log on, stdout to a
# file), pinned to core 0; only the one under load does anything. The backend (the nginx that
# answers like Invoke, as in bench/proxy.sh) and wrk (1 thread, 64 connections, POST "abc") are
# on core 1. Each round loads A, then B, for --seconds each, and takes each one's CPU time
# (utime + stime) per request. It prints every round and then the medians, with the per-round
# ratio B/A of CPU per request: the figure to read, since both builds of a round saw nearly the
# same machine. Req/s also depends on core 1, which other work shares.
# Needs nginx, wrk, python3, curl and openssl (installed from Debian when missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/bench/proxy"

a="" b="" rounds=10 seconds=3 tls=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --a) a="$2"; shift 2 ;;
    --b) b="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --tls) tls=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "ab.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$a" && -x "$b" ]] || { echo "ab.sh: --a and --b must name lambdagate binaries" >&2; exit 2; }

# shellcheck source=bench/proxy/packages.sh
source "$here/packages.sh"
install_packages_missing nginx-light wrk python3 curl openssl

work="$(mktemp -d /tmp/lambdagate-ab.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

read -r be_port be_tls_port a_port a_admin b_port b_admin <<<"$(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')"

# shellcheck source=bench/proxy/backend_conf.sh
source "$here/backend_conf.sh"
tls_port=""
if [[ $tls == 1 ]]; then
  # shellcheck source=bench/proxy/make_certs.sh
  source "$here/make_certs.sh"
  certs="$work/certs"
  make_certs "$certs"
  tls_port=$be_tls_port
  export AWS_CA_BUNDLE="$certs/ca.pem"
fi
write_backend_conf "$work/backend.conf" "$be_port" "$tls_port" 1
mkdir -p "$work/backend"
taskset -c 1 nginx -p "$work/backend/" -e "$work/backend/error.log" -c "$work/backend.conf" &
pids+=($!)

# shellcheck source=bench/proxy/fake_credentials.sh
source "$here/fake_credentials.sh"
if [[ $tls == 1 ]]; then export AWS_ENDPOINT_URL_LAMBDA="https://127.0.0.1:$be_tls_port"
else export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$be_port"; fi
start() {  # bin port admin name
  taskset -c 0 "$1" --config "$here/lambdagate.yaml" --listen "127.0.0.1:$2" --admin "127.0.0.1:$3" \
    --threads 1 --log-level warn >>"$work/$4.access.log" 2>"$work/$4.err" &
  pids+=($!)
  for _ in $(seq 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$3/readyz" 2>/dev/null && return
    sleep 0.1
  done
  echo "ab.sh: $4 did not become ready" >&2; cat "$work/$4.err" >&2; exit 1
}
start "$a" "$a_port" "$a_admin" a
a_pid=${pids[-1]}
start "$b" "$b_port" "$b_admin" b
b_pid=${pids[-1]}

ticks_per_s="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
load() {  # pid port seconds -> "req/s µs-CPU-per-request"
  local before after rps
  before="$(cpu_ticks "$1")"
  rps="$(taskset -c 1 wrk -t1 -c64 -d"$3"s -s "$here/post.lua" "http://127.0.0.1:$2/lambda" |
    awk '/^Requests\/sec/ {print $2}')"
  after="$(cpu_ticks "$1")"
  awk -v r="$rps" -v t="$((after - before))" -v hz="$ticks_per_s" -v s="$3" \
    'BEGIN {printf "%.0f %.2f", r, t * 1e6 / hz / (r * s)}'
}

echo "A: $a"
echo "B: $b"
echo "upstream: $AWS_ENDPOINT_URL_LAMBDA; load before: $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of ${seconds} s each"
load "$a_pid" "$a_port" 2 >/dev/null  # warm-up
load "$b_pid" "$b_port" 2 >/dev/null
for i in $(seq "$rounds"); do
  read -r a_rps a_cpu <<<"$(load "$a_pid" "$a_port" "$seconds")"
  read -r b_rps b_cpu <<<"$(load "$b_pid" "$b_port" "$seconds")"
  printf 'round %2d  A %6s req/s %6s µs/req   B %6s req/s %6s µs/req   load %s\n' \
    "$i" "$a_rps" "$a_cpu" "$b_rps" "$b_cpu" "$(cut -d' ' -f1 /proc/loadavg)"
  echo "$a_rps $a_cpu $b_rps $b_cpu" >>"$work/rounds"
done
python3 - "$work/rounds" <<'EOF'
import statistics, sys
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
a_rps, a_cpu, b_rps, b_cpu = (statistics.median(r[i] for r in rows) for i in range(4))
ratios = [r[3] / r[1] for r in rows]
print(f"median  A {a_rps:.0f} req/s {a_cpu:.2f} µs/req   B {b_rps:.0f} req/s {b_cpu:.2f} µs/req")
print(f"B/A CPU per request, per round: median {statistics.median(ratios):.3f} "
      f"(min {min(ratios):.3f}, max {max(ratios):.3f}); req/s median B/A {b_rps / a_rps:.3f}")
EOF
