#!/usr/bin/env bash
# The side-by-side proxy benchmark (issue 14): lambdagate against nginx 1.22 in front of the same
# backend that answers like Lambda's Invoke, on this 2-core machine. See docs/BENCHMARKS.md,
# "Proxy throughput and memory", for what each figure means and the results.
#
#   bench/proxy.sh                       # everything below except soak and profile (~10 min)
#   bench/proxy.sh --quick               # smoke run: 1 round of 5 s, 1,000 idle connections, 3 start-ups
#   bench/proxy.sh --case plain,tls      # a subset (cases listed below)
#   bench/proxy.sh --rounds 5 --duration 20 --log on
#   bench/proxy.sh --soak 5              # 5 minutes of load on lambdagate, RSS every 10 s
#   bench/proxy.sh --soak 5 tls          # the same with the TLS upstream
#   bench/proxy.sh --profile             # syscalls per request (perf stat) and perf profiles of both
#   bench/proxy.sh --profile tls         # the same with the TLS upstream
#
# Cases (--case, comma-separated; default: plain,tls,https,latency,scaling,memory,startup):
#   plain     throughput, proxy -> backend over plain HTTP, access log on and off
#   tls       throughput, proxy -> backend over TLS (verified, connections reused), log on and off
#   https     throughput, client -> proxy over TLS, the same certificate on both
#   latency   1 connection: p50 through each proxy against calling the backend directly
#   scaling   lambdagate --threads 2 vs --threads 1 (and nginx 2 workers vs 1), everything sharing both cores
#   memory    RSS idle with the example config, and per idle keep-alive client connection
#   startup   exec to the first /readyz 200 with static credentials
#   profile   syscalls per request at full speed, and a perf profile (by object, top symbols) of each proxy
#   soak      (with --soak) minutes of load on lambdagate, RSS sampled every 10 s
#
# Pinning (throughput and latency): the proxy under test alone on core 0, wrk (1 thread,
# 64 keep-alive connections, POST "abc") and the backend on core 1. nginx and lambdagate are
# measured alternately, --rounds rounds each, after a 2-second warm-up each; tables give the
# median of the rounds and lambdagate/nginx as the ratio of the medians, and each core's CPU per
# request (core 0: the proxy; core 1: the backend and wrk) with the req/s it allows alone.
#
# It builds lambdagate Release into build-bench-release/ (BUILD_DIR overrides; reused when up to
# date), installs what it needs from Debian when missing (nginx-light, wrk, openssl, curl, python3,
# strace and linux-perf for --profile), and stops every process it started on exit, Ctrl-C or
# failure. BENCH_KEEP=1 keeps the work directory (configs, logs, raw wrk output). What it runs
# after the build runs in a session of its own at nice -20 (BENCH_NICE=0: as it is), since the
# machine is shared.
# LAMBDAGATE_BIN=/path/to/lambdagate measures that binary instead of building one (e.g. to
# compare two builds; the machine line then names this tree's commit, not the binary's).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
here="$root/bench/proxy"
build="${BUILD_DIR:-$root/build-bench-release}"
py=/usr/bin/python3
lg="${LAMBDAGATE_BIN:-$build/lambdagate}"

cases="plain,tls,https,latency,scaling,memory,startup"
rounds=3
duration=10
log_modes="on off"
idle_connections=10000
startup_runs=7
soak_minutes=5
soak_upstream=plain
warmup=2
profile_upstream=plain

all_args=("$@")
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --case) cases="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --log) case "$2" in on|off) log_modes="$2" ;; both) log_modes="on off" ;; *) echo "--log on|off|both" >&2; exit 2 ;; esac; shift 2 ;;
    --quick) rounds=1; duration=5; warmup=1; idle_connections=1000; startup_runs=3; shift ;;
    --soak)
      if [[ "${2:-}" =~ ^[0-9]+$ ]]; then soak_minutes="$2"; shift 2; else soak_minutes=5; shift; fi
      cases="soak"
      if [[ "${1:-}" == plain || "${1:-}" == tls ]]; then soak_upstream="$1"; shift; fi ;;
    --profile)
      cases="profile"; shift
      if [[ "${1:-}" == plain || "${1:-}" == tls ]]; then profile_upstream="$1"; shift; fi ;;
    -h|--help) usage; exit 0 ;;
    *) echo "proxy.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
has_case() { [[ ",$cases," == *",$1,"* ]]; }

say() { echo "proxy.sh: $*" >&2; }
die() { say "$*"; exit 1; }
quietly() {
  local out
  out="$(mktemp)"
  if ! "$@" >"$out" 2>&1; then cat "$out" >&2; rm -f "$out"; die "failed: $*"; fi
  rm -f "$out"
}

# ---------------------------------------------------------------------------------------------
# Packages and build

# shellcheck source=bench/proxy/packages.sh
source "$here/packages.sh"
install_packages() {
  local need=(nginx-light wrk openssl curl python3 util-linux procps)
  has_case profile && need+=(strace linux-perf)
  install_packages_missing "${need[@]}"
}

build_lambdagate() {
  if [[ -n "${LAMBDAGATE_BIN:-}" ]]; then
    say "using $lg as it is (LAMBDAGATE_BIN; nothing built)"
    return 0
  fi
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    bash "$root/scripts/install-deps.sh" >/dev/null
    quietly cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAMBDAGATE_BUILD_TESTS=OFF
  fi
  say "building lambdagate (Release) in $build"
  quietly cmake --build "$build" --target lambdagate -j 2
}

# Once, at normal priority (the measuring session below skips it).
if [[ -z "${BENCH_INNER:-}" ]]; then
  install_packages
  build_lambdagate
fi

# The machine is shared: other work (builds, test runs) competes for both cores. With the
# kernel's autogroups, nice only ranks processes within one session, so the measuring part of this
# script runs in a session of its own (setsid) whose autogroup gets nice BENCH_NICE (default -20
# as root; 0 turns this off): the proxies, wrk and the backend then get the cores they are pinned
# to almost alone, all alike, while other sessions' builds wait. Ctrl-C and TERM are passed on.
bench_nice="${BENCH_NICE:--20}"
[[ "$(id -u)" -eq 0 ]] || bench_nice=0
if [[ -z "${BENCH_INNER:-}" && "$bench_nice" != 0 && -w /proc/self/autogroup ]]; then
  BENCH_INNER=1 setsid bash "${BASH_SOURCE[0]}" "${all_args[@]}" &
  inner=$!
  # TERM for both: a background child of a script ignores SIGINT and cannot trap it.
  trap 'kill -TERM "$inner" 2>/dev/null || true' INT
  trap 'kill -TERM "$inner" 2>/dev/null || true' TERM
  while :; do
    status=0
    wait "$inner" || status=$?
    kill -0 "$inner" 2>/dev/null || break
  done
  exit "$status"
fi
if [[ -n "${BENCH_INNER:-}" ]]; then
  echo "$bench_nice" >/proc/self/autogroup || say "cannot set this session's priority to nice $bench_nice"
fi

# ---------------------------------------------------------------------------------------------
# Processes: everything started here is recorded and stopped on exit, Ctrl-C or failure.

work="$(mktemp -d /tmp/lambdagate-bench.XXXXXX)"
chmod 755 "$work"  # nginx workers run as nobody
started=()
cleanup() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then say "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops one process this script started (nginx: QUIT, the graceful stop that flushes its log).
stop() {
  local pid="$1" signal="${2:-TERM}"
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local keep=() p
  for p in "${started[@]}"; do [[ "$p" == "$pid" ]] || keep+=("$p"); done
  started=("${keep[@]}")
}

# Free loopback ports, picked by the kernel.
read -r -a ports <<<"$("$py" -c '
import socket
socks = [socket.socket() for _ in range(16)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')"
be_plain=${ports[0]} be_tls=${ports[1]} be_scale=${ports[2]}
# The backend's address for an upstream kind: plain or tls.
backend_url() {
  if [[ $1 == plain ]]; then echo "http://127.0.0.1:$be_plain"; else echo "https://127.0.0.1:$be_tls"; fi
}
nx_plain=${ports[3]} nx_tls=${ports[4]} nx_https=${ports[5]} nx2_plain=${ports[6]}
nx2_tls=${ports[7]} nx2_https=${ports[8]}
lg_port=${ports[9]} lg_admin=${ports[10]} lg_https=${ports[11]} lg2_port=${ports[12]} lg2_admin=${ports[13]}

# ---------------------------------------------------------------------------------------------
# Machine line

ticks="$(getconf CLK_TCK)"
nginx_version="$(nginx -v 2>&1 | sed 's/^nginx version: //')"
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$root" diff --quiet HEAD -- src include CMakeLists.txt 2>/dev/null || commit="$commit+changes"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r)," \
  "$(${CXX:-c++} --version | sed -n 1p), $nginx_version, $(wrk -v 2>&1 | sed -n 1p | cut -d' ' -f1-2)," \
  "$(openssl version | cut -d' ' -f1-2), $("$lg" --version 2>&1 | sed -n 1p) at $commit," \
  "$(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; the machine is shared); benchmark session: $(sed 's|^/||' /proc/self/autogroup 2>/dev/null)"
[[ "$cases" == soak || "$cases" == profile ]] || echo "settings: rounds $rounds, $duration s each after a ${warmup} s warm-up; wrk 1 thread, 64 connections, POST \"abc\""

# ---------------------------------------------------------------------------------------------
# Certificates: a CA, and one server certificate for localhost and 127.0.0.1 signed by it.

certs="$work/certs"
# shellcheck source=bench/proxy/make_certs.sh
source "$here/make_certs.sh"
make_certs "$certs" || die "could not make the benchmark's certificates"

# ---------------------------------------------------------------------------------------------
# nginx configurations

# nginx under a prefix of its own, in the foreground (its master's pid is $!), error log in $work.
start_nginx() {  # name cpus conf -> sets nginx_pid
  local name="$1" cpus="$2" conf="$3"
  mkdir -p "$work/$name"
  if [[ "$cpus" == all ]]; then
    nginx -p "$work/$name/" -e "$work/$name/error.log" -c "$conf" &
  else
    taskset -c "$cpus" nginx -p "$work/$name/" -e "$work/$name/error.log" -c "$conf" &
  fi
  nginx_pid=$!
  started+=("$nginx_pid")
  # Ready when its workers are forked (the listeners are bound before that).
  for _ in $(seq 100); do
    [[ -n "$(pgrep -P "$nginx_pid")" ]] && return 0
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.05
  done
  cat "$work/$name/error.log" >&2
  die "nginx ($name) did not start (see above)"
}

# The backend (write_backend_conf) is shared with bench/callgrind.sh.
# shellcheck source=bench/proxy/backend_conf.sh
source "$here/backend_conf.sh"

# The peer: nginx proxy_pass with upstream keep-alive, as a Lambda gateway without signing would
# be; same route (POST /lambda) and same backend path as lambdagate's Invoke.
write_proxy_conf() {  # file log(on|off) workers [plain_port tls_port https_port backend_port log_file]
  local plain="${4:-$nx_plain}" tls="${5:-$nx_tls}" https="${6:-$nx_https}" backend="${7:-$be_plain}"
  local access="access_log off;"
  [[ "$2" == on ]] && access="access_log ${8:-$work/nginx-access.log} bench buffer=32k flush=1s;"
  local invoke="/2015-03-31/functions/uppercase/invocations?Qualifier=%24LATEST"
  cat >"$1" <<EOF
worker_processes $3;
daemon off;
pid $work/$(basename "$1" .conf).pid;
worker_rlimit_nofile 20000;
events { worker_connections 16000; }
http {
  server_tokens off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  # About the size and content of lambdagate's access log line.
  log_format bench '\$time_iso8601 access \$request_id \$remote_addr \$request_method \$request_uri \$status '
                   '\${request_time}s upstream=\$upstream_addr upstream_time=\$upstream_response_time '
                   'in=\$request_length out=\$bytes_sent';
  $access
  upstream lambda_plain {
    server 127.0.0.1:$backend;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
  }
  upstream lambda_tls {
    server 127.0.0.1:$be_tls;
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  server {
    listen 127.0.0.1:$plain;
    location = /lambda { proxy_pass http://lambda_plain$invoke; }
  }
  server {
    listen 127.0.0.1:$tls;
    location = /lambda {
      proxy_pass https://lambda_tls$invoke;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate $certs/ca.pem;
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }
  }
  server {
    listen 127.0.0.1:$https ssl;
    ssl_certificate $certs/server.pem;
    ssl_certificate_key $certs/server.key;
    ssl_session_cache shared:proxy:1m;
    location = /lambda { proxy_pass http://lambda_plain$invoke; }
  }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# lambdagate

# shellcheck source=bench/proxy/fake_credentials.sh
source "$here/fake_credentials.sh"
export AWS_CA_BUNDLE="$certs/ca.pem"
unset AWS_ENDPOINT_URL AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_CONTAINER_CREDENTIALS_FULL_URI || true

# Where lambdagate's access log goes: "on" is stdout appended to a file (as `lambdagate
# >>access.log`); "off" is stdout to /dev/null and, when the binary has it, `--access-log off`
# (older binaries, measured with LAMBDAGATE_BIN, still format and write each line to /dev/null).
lambdagate_stdout() {  # log mode
  if [[ "$1" == on ]]; then echo "$work/lambdagate-access.log"; else echo /dev/null; fi
}
lg_log_switch=()
if "$lg" --help 2>&1 | grep -q -- '--access-log'; then lg_log_switch=(--access-log off); fi

start_lambdagate() {  # cpus endpoint threads listen_port admin_port stdout [config] -> sets lg_pid
  local cpus="$1" endpoint="$2" threads="$3" port="$4" admin="$5" out="$6" config="${7:-$here/lambdagate.yaml}"
  local pin=(taskset -c "$cpus")
  [[ "$cpus" == all ]] && pin=()
  local log_switch=()
  [[ "$out" == /dev/null ]] && log_switch=("${lg_log_switch[@]}")
  AWS_ENDPOINT_URL_LAMBDA="$endpoint" "${pin[@]}" "$lg" --config "$config" --listen "127.0.0.1:$port" \
    --admin "127.0.0.1:$admin" --threads "$threads" --log-level warn "${log_switch[@]}" >>"$out" 2>>"$work/lambdagate.err" &
  lg_pid=$!
  started+=("$lg_pid")
  for _ in $(seq 200); do
    curl -fsS -o /dev/null "http://127.0.0.1:$admin/readyz" 2>/dev/null && return 0
    kill -0 "$lg_pid" 2>/dev/null || break
    sleep 0.05
  done
  tail -20 "$work/lambdagate.err" >&2
  die "lambdagate did not become ready (see above)"
}

# ---------------------------------------------------------------------------------------------
# Measuring

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() {  # sum of utime+stime over the given pids (all their threads)
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
user_ticks() {  # sum of utime alone (the proxy's own code; the rest of CPU/request is the kernel's)
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14}' "/proc/$p/stat"))); done
  echo "$t"
}
nginx_workers() { pgrep -P "$1" | tr '\n' ' '; }
backend_status_port=""  # set once the backend runs
measured_backend=""     # the backend's master, whose CPU per request measure() reports
backend_accepts() { curl -sS "http://127.0.0.1:$backend_status_port/bench_status" | awk 'NR == 3 {print $1}'; }

# Asserts that a proxy answers the benchmark's request with the function's output.
check_answer() {  # url [curl args]
  local url="$1" got
  shift
  got="$(curl -sS --max-time 5 "$@" -H 'content-type: application/json' --data '"abc"' "$url" 2>&1)" || true
  [[ "$got" == '"ABC"' ]] || die "$url answered '$got' instead of \"ABC\""
}

# wrk's command line in the array wrk_argv (run it directly, so that $! is wrk itself).
wrk_args() {  # cpus threads connections seconds url
  wrk_argv=(taskset -c "$1")
  [[ "$1" == all ]] && wrk_argv=()
  wrk_argv+=(wrk -t"$2" -c"$3" -d"$4"s --latency -s "$here/post.lua" "$5")
}
wrk_cmd() { wrk_args "$@"; "${wrk_argv[@]}"; }

# One measured wrk run against a proxy. rss_pid is the process whose RSS is sampled under load
# (lambdagate, or nginx's worker); cpu_pids are summed for CPU time (nginx: master and workers).
# Writes "rps p50_us p99_us cpu_us_per_request rss_max_kib errors upstream_connections_opened
# user_us_per_request backend_cpu_us_per_request wrk_cpu_us_per_request" to $work/measure.out.
measure() {  # wrk_cpus threads connections seconds url rss_pid cpu_pids...
  local wcpus="$1" threads="$2" conns="$3" secs="$4" url="$5" rss_pid="$6"
  shift 6
  local out="$work/wrk.$((++wrk_runs)).txt"
  local before after rss max=0 accepts_before accepts_after
  accepts_before="$(backend_accepts)"
  before="$(cpu_ticks "$@")"
  local user_before user_after backend_before backend_after
  user_before="$(user_ticks "$@")"
  # shellcheck disable=SC2046  # the worker list is several words on purpose
  backend_before="$(cpu_ticks "$measured_backend" $(nginx_workers "$measured_backend"))"
  wrk_args "$wcpus" "$threads" "$conns" "$secs" "$url"
  "${wrk_argv[@]}" >"$out" 2>&1 &
  local wrk_pid=$!
  started+=("$wrk_pid")
  while kill -0 "$wrk_pid" 2>/dev/null; do
    rss="$(rss_kib "$rss_pid")"
    ((rss > max)) && max=$rss
    sleep 0.5
  done
  wait "$wrk_pid" || { cat "$out" >&2; die "wrk failed"; }
  stop "$wrk_pid"
  after="$(cpu_ticks "$@")"
  user_after="$(user_ticks "$@")"
  # shellcheck disable=SC2046
  backend_after="$(cpu_ticks "$measured_backend" $(nginx_workers "$measured_backend"))"
  accepts_after="$(backend_accepts)"
  local rps p50 p99 total errors
  read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$out")"
  local cpu_us
  cpu_us="$(awk -v t="$((after - before))" -v hz="$ticks" -v n="$total" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  local user_us
  user_us="$(awk -v t="$((user_after - user_before))" -v hz="$ticks" -v n="$total" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  # The backend's CPU per request (it shares core 1 with wrk): a signed request is larger than
  # the one nginx forwards, so it costs the backend more to read.
  local backend_us
  backend_us="$(awk -v t="$((backend_after - backend_before))" -v hz="$ticks" -v n="$total" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  # wrk's own CPU per request (post.lua prints it): with the backend's, what core 1 spends per
  # request, so each round shows which core set its pace.
  local wrk_us
  wrk_us="$(awk -v n="$total" '/^wrk CPU:/ {printf "%.2f", $3 * 1e6 / n; found = 1} END {if (!found) print "-"}' "$out")"
  # Less the status request itself.
  echo "$rps $p50 $p99 $cpu_us $max $errors $((accepts_after - accepts_before - 1)) $user_us $backend_us $wrk_us" \
    >"$work/measure.out"
}
wrk_runs=0

samples="$work/samples.tsv"
: >"$samples"

# Rounds of one throughput case: nginx and lambdagate alternate (the order flips every round).
run_rounds() {  # case nginx_url lambdagate_url nginx_master lambdagate_pid nginx_idle_kib lambdagate_idle_kib
  local name="$1" nurl="$2" lurl="$3" nmaster="$4" lpid="$5" nidle="$6" lidle="$7"
  local nworker
  nworker="$(nginx_workers "$nmaster")"
  nworker="${nworker%% *}"
  wrk_cmd 1 1 64 "$warmup" "$nurl" >/dev/null 2>&1
  wrk_cmd 1 1 64 "$warmup" "$lurl" >/dev/null 2>&1
  local r order proxy idle rps p50 p99 cpu rss errors opened user backend_cpu wrk_cpu
  for r in $(seq "$rounds"); do
    order="nginx lambdagate"
    ((r % 2 == 0)) && order="lambdagate nginx"
    for proxy in $order; do
      if [[ "$proxy" == nginx ]]; then
        # shellcheck disable=SC2046  # the worker list is several words on purpose
        measure 1 1 64 "$duration" "$nurl" "$nworker" "$nmaster" $(nginx_workers "$nmaster")
        idle=$nidle
      else
        measure 1 1 64 "$duration" "$lurl" "$lpid" "$lpid"
        idle=$lidle
      fi
      read -r rps p50 p99 cpu rss errors opened user backend_cpu wrk_cpu <"$work/measure.out"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$proxy" "$r" "$rps" "$p50" "$p99" "$cpu" \
        "$idle" "$rss" "$errors" "$backend_cpu" "$wrk_cpu" >>"$samples"
      printf '  %-26s round %d %-10s %6s req/s  p50 %5s µs  p99 %5s µs  %5s µs CPU/req (user %5s; backend %5s, wrk %5s)  RSS %5s KiB  errors %s  upstream conns opened %s\n' \
        "$name" "$r" "$proxy" "$rps" "$p50" "$p99" "$cpu" "$user" "$backend_cpu" "$wrk_cpu" "$rss" "$errors" "$opened"
    done
  done
}

# ---------------------------------------------------------------------------------------------
# The backend runs for the whole benchmark, on core 1 with wrk.

write_backend_conf "$work/backend.conf" "$be_plain" "$be_tls" 1
start_nginx backend 1 "$work/backend.conf"
backend_pid=$nginx_pid
backend_status_port=$be_plain
measured_backend=$backend_pid
for _ in $(seq 100); do curl -sS -o /dev/null "http://127.0.0.1:$be_plain/2015-03-31/functions/" 2>/dev/null && break; sleep 0.05; done
check_answer "http://127.0.0.1:$be_plain/2015-03-31/functions/uppercase/invocations"
check_answer "https://localhost:$be_tls/2015-03-31/functions/uppercase/invocations" --cacert "$certs/ca.pem"

lg_url="http://127.0.0.1:$lg_port/lambda"

# ---------------------------------------------------------------------------------------------
# Throughput: plain and TLS upstream, access log on and off.

throughput_case() {  # upstream(plain|tls) log(on|off)
  local upstream="$1" log="$2" endpoint nx_port
  endpoint="$(backend_url "$upstream")"
  if [[ "$upstream" == plain ]]; then nx_port=$nx_plain; else nx_port=$nx_tls; fi
  local name="$upstream upstream, log $log"
  echo
  echo "== $name (load $(cut -d' ' -f1 /proc/loadavg))"
  rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
  write_proxy_conf "$work/proxy-$log.conf" "$log" 1
  start_nginx "proxy-$log" 0 "$work/proxy-$log.conf"
  local nmaster=$nginx_pid
  start_lambdagate 0 "$endpoint" 1 "$lg_port" "$lg_admin" "$(lambdagate_stdout "$log")"
  local lpid=$lg_pid
  local nworker nidle lidle
  nworker="$(nginx_workers "$nmaster")"
  nidle="$(rss_kib "${nworker%% *}")"
  lidle="$(rss_kib "$lpid")"
  check_answer "http://127.0.0.1:$nx_port/lambda"
  check_answer "$lg_url"
  run_rounds "$name" "http://127.0.0.1:$nx_port/lambda" "$lg_url" "$nmaster" "$lpid" "$nidle" "$lidle"
  stop "$lpid"
  stop "$nmaster" QUIT
  if [[ "$log" == on ]]; then
    echo "  access logs: nginx $(wc -l <"$work/nginx-access.log") lines, lambdagate $(wc -l <"$work/lambdagate-access.log") lines" \
      "(one per request, warm-up included)"
    rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
  fi
}

if has_case plain || has_case tls; then
  echo
  echo "Access log \"on\": nginx 'access_log FILE buffer=32k flush=1s' (a write per 32 KiB or per second);"
  echo "lambdagate's built-in access log (buffered, 32 KiB) with stdout appended to a file (lambdagate >>FILE)."
  echo "Access log \"off\": nginx 'access_log off'; lambdagate --access-log off (stdout to /dev/null)."
  for upstream in plain tls; do
    has_case "$upstream" || continue
    for log in $log_modes; do throughput_case "$upstream" "$log"; done
  done
fi

# ---------------------------------------------------------------------------------------------
# HTTPS client: client -> proxy over TLS, same certificate on both, plain upstream, log on.

# lambdagate's HTTPS listener: a Gateway with ssl: true and a VirtualService with
# sslConfig.sslFiles (Gloo's documents), probed with curl before it is measured.
write_https_config() {
  sed -n '/^apiVersion: gloo.solo.io/,/^---/p' "$here/lambdagate.yaml" >"$work/lambdagate-https.yaml"
  cat >>"$work/lambdagate-https.yaml" <<EOF
apiVersion: gateway.solo.io/v1
kind: Gateway
metadata:
  name: gateway-proxy-ssl
  namespace: gloo-system
spec:
  bindAddress: 127.0.0.1
  bindPort: $lg_https
  ssl: true
  httpGateway: {}
---
apiVersion: gateway.solo.io/v1
kind: VirtualService
metadata:
  name: default-ssl
  namespace: gloo-system
spec:
  sslConfig:
    sslFiles:
      tlsCert: $certs/server.pem
      tlsKey: $certs/server.key
  virtualHost:
    domains:
    - '*'
    routes:
    - matchers:
      - prefix: /lambda
      routeAction:
        single:
          upstream:
            name: lambda
            namespace: gloo-system
          destinationSpec:
            aws:
              logicalName: uppercase
EOF
}

if has_case https; then
  echo
  echo "== HTTPS client (client -> proxy over TLS 1.3, plain upstream, log on)"
  write_https_config
  write_proxy_conf "$work/proxy-on.conf" on 1
  start_nginx proxy-on 0 "$work/proxy-on.conf"
  nmaster=$nginx_pid
  : >"$work/lambdagate.err"
  start_lambdagate 0 "http://127.0.0.1:$be_plain" 1 "$lg_port" "$lg_admin" "$(lambdagate_stdout on)" \
    "$work/lambdagate-https.yaml"
  lpid=$lg_pid
  check_answer "https://localhost:$nx_https/lambda" --cacert "$certs/ca.pem"
  if got="$(curl -sS --max-time 5 --cacert "$certs/ca.pem" -H 'content-type: application/json' --data '"abc"' \
      "https://localhost:$lg_https/lambda" 2>&1)" && [[ "$got" == '"ABC"' ]]; then
    nworker="$(nginx_workers "$nmaster")"
    # wrk connects to 127.0.0.1 (it does not verify certificates; "localhost" could resolve to ::1 first).
    run_rounds "HTTPS client, log on" "https://127.0.0.1:$nx_https/lambda" "https://127.0.0.1:$lg_https/lambda" \
      "$nmaster" "$lpid" "$(rss_kib "${nworker%% *}")" "$(rss_kib "$lpid")"
  else
    echo "  SKIPPED: lambdagate does not terminate TLS yet. Probe: a Gateway with ssl: true on port $lg_https and"
    echo "  a VirtualService with sslConfig.sslFiles; curl https://localhost:$lg_https/lambda said: ${got:-nothing}"
    grep -i -m2 'ssl' "$work/lambdagate.err" | sed 's/^/  lambdagate: /' || true
    echo "  (This case runs by itself once lambdagate serves that configuration.)"
  fi
  stop "$lpid"
  stop "$nmaster" QUIT
  rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
fi

if [[ -s "$samples" ]]; then
  echo
  echo "Throughput, median of $rounds round(s) of $duration s (CPU per request = utime+stime of the proxy's"
  echo "processes / requests; RSS of lambdagate and of nginx's worker, idle = after start, under load = max):"
  echo
  "$py" "$here/report.py" table "$samples"
fi

# ---------------------------------------------------------------------------------------------
# Latency at one connection: through each proxy vs the backend directly (plain upstream, log on).

if has_case latency; then
  echo
  echo "== latency at 1 connection (wrk -c1, plain upstream, log on; median of $rounds round(s))"
  echo "   split: the proxy on core 0, wrk and the backend on core 1 (as for throughput): every request"
  echo "   wakes the other core twice; one-core: everything on core 1, so the difference to direct is"
  echo "   the proxy's own work without cross-core wake-ups"
  write_proxy_conf "$work/proxy-on.conf" on 1
  direct="http://127.0.0.1:$be_plain/2015-03-31/functions/uppercase/invocations?Qualifier=%24LATEST"
  lat="$work/latency.tsv"
  : >"$lat"
  for placement in split one-core; do
    cpu=0
    [[ $placement == one-core ]] && cpu=1
    start_nginx proxy-on "$cpu" "$work/proxy-on.conf"
    nmaster=$nginx_pid
    start_lambdagate "$cpu" "http://127.0.0.1:$be_plain" 1 "$lg_port" "$lg_admin" "$(lambdagate_stdout on)"
    lpid=$lg_pid
    check_answer "http://127.0.0.1:$nx_plain/lambda"
    for target in direct nginx lambdagate; do
      case $target in direct) u=$direct ;; nginx) u="http://127.0.0.1:$nx_plain/lambda" ;; lambdagate) u=$lg_url ;; esac
      wrk_cmd 1 1 1 "$warmup" "$u" >/dev/null 2>&1
    done
    for r in $(seq "$rounds"); do
      for target in direct nginx lambdagate; do
        case $target in direct) u=$direct ;; nginx) u="http://127.0.0.1:$nx_plain/lambda" ;; lambdagate) u=$lg_url ;; esac
        out="$work/wrk.lat.$placement.$r.$target.txt"
        wrk_cmd 1 1 1 "$duration" "$u" >"$out" 2>&1
        read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$out")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$placement" "$target" "$rps" "$p50" "$p99" "$errors" >>"$lat"
        printf '  %-8s round %d %-10s %6s req/s  p50 %5s µs  p99 %5s µs  errors %s\n' "$placement" "$r" "$target" \
          "$rps" "$p50" "$p99" "$errors"
      done
    done
    stop "$lpid"
    stop "$nmaster" QUIT
    rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
  done
  "$py" - "$lat" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
med = lambda p, t, i: statistics.median(float(r[i]) for r in rows if r[0] == p and r[1] == t)
print("  | placement | path | req/s | p50 | p99 | p50 overhead over direct |")
print("  |---|---|---:|---:|---:|---:|")
for p in ("split", "one-core"):
    d = med(p, "direct", 3)
    for t in ("direct", "nginx", "lambdagate"):
        over = "" if t == "direct" else f"{med(p, t, 3) - d:.0f} µs"
        print(f"  | {p} | {t} | {med(p, t, 2):.0f} | {med(p, t, 3):.0f} µs | {med(p, t, 4):.0f} µs | {over} |")
for p in ("split", "one-core"):
    d = med(p, "direct", 3)
    print(f"  {p}: lambdagate p50 overhead {med(p, 'lambdagate', 3) - d:.0f} µs (target ≤ 50 µs), "
          f"nginx {med(p, 'nginx', 3) - d:.0f} µs")
EOF
fi

# ---------------------------------------------------------------------------------------------
# Scaling: 2 workers vs 1 on this 2-core machine. There is no other machine for the load: wrk
# (2 threads) and the backend (2 workers) share the two cores with the proxy, nothing is pinned,
# so this shows how far a second worker helps when the cores are shared, not 2-core capacity.

if has_case scaling; then
  echo
  echo "== scaling: --threads 2 vs --threads 1 (nothing pinned; wrk -t2 -c64 and a 2-worker backend share"
  echo "   both cores with the proxy, so the 2-worker figure is bounded by what the load generator leaves)"
  write_backend_conf "$work/backend-scale.conf" "$be_scale" "" 2
  start_nginx backend-scale all "$work/backend-scale.conf"
  scale_backend=$nginx_pid
  backend_status_port=$be_scale
  measured_backend=$scale_backend
  sleep 0.3
  check_answer "http://127.0.0.1:$be_scale/2015-03-31/functions/uppercase/invocations"
  # Both nginx instances proxy to the scaling backend (same config, 1 and 2 workers).
  write_proxy_conf "$work/proxy-scale1.conf" on 1 "$nx_plain" "$nx_tls" "$nx_https" "$be_scale"
  write_proxy_conf "$work/proxy-scale2.conf" on 2 "$nx2_plain" "$nx2_tls" "$nx2_https" "$be_scale" \
    "$work/nginx2-access.log"
  start_nginx proxy-scale1 all "$work/proxy-scale1.conf"
  n1=$nginx_pid
  start_nginx proxy-scale2 all "$work/proxy-scale2.conf"
  n2=$nginx_pid
  start_lambdagate all "http://127.0.0.1:$be_scale" 1 "$lg_port" "$lg_admin" "$work/lambdagate-access.log"
  l1=$lg_pid
  start_lambdagate all "http://127.0.0.1:$be_scale" 2 "$lg2_port" "$lg2_admin" "$work/lambdagate2-access.log"
  l2=$lg_pid
  check_answer "http://127.0.0.1:$nx_plain/lambda"
  check_answer "http://127.0.0.1:$nx2_plain/lambda"
  check_answer "$lg_url"
  check_answer "http://127.0.0.1:$lg2_port/lambda"
  sc="$work/scaling.tsv"
  : >"$sc"
  declare -A url=([lambdagate-1]=$lg_url [lambdagate-2]="http://127.0.0.1:$lg2_port/lambda"
                  [nginx-1]="http://127.0.0.1:$nx_plain/lambda" [nginx-2]="http://127.0.0.1:$nx2_plain/lambda")
  for c in nginx-1 nginx-2 lambdagate-1 lambdagate-2; do wrk_cmd all 2 64 "$warmup" "${url[$c]}" >/dev/null 2>&1; done
  for r in $(seq "$rounds"); do
    for c in nginx-1 lambdagate-1 nginx-2 lambdagate-2; do
      case $c in
        nginx-1) pids="$n1 $(nginx_workers "$n1")" ;; nginx-2) pids="$n2 $(nginx_workers "$n2")" ;;
        lambdagate-1) pids=$l1 ;; lambdagate-2) pids=$l2 ;;
      esac
      # shellcheck disable=SC2086  # the pid list is several words on purpose
      measure all 2 64 "$duration" "${url[$c]}" ${pids%% *} $pids
      read -r rps p50 p99 cpu rss errors opened user backend_cpu wrk_cpu <"$work/measure.out"
      # CPU per request × req/s = cores the proxy kept busy.
      cores="$(awk -v c="$cpu" -v r="$rps" 'BEGIN {printf "%.2f", c * r / 1e6}')"
      printf '%s\t%s\t%s\t%s\n' "$c" "$rps" "$cores" "$errors" >>"$sc"
      printf '  round %d %-13s %6s req/s  p50 %5s µs  p99 %5s µs  proxy busy %s cores  errors %s\n' \
        "$r" "$c" "$rps" "$p50" "$p99" "$cores" "$errors"
    done
  done
  stop "$l1"; stop "$l2"; stop "$n1" QUIT; stop "$n2" QUIT; stop "$scale_backend" QUIT
  backend_status_port=$be_plain
  measured_backend=$backend_pid
  rm -f "$work"/*access.log
  "$py" - "$sc" <<'EOF'
import statistics, sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()]
med = lambda c, i: statistics.median(float(r[i]) for r in rows if r[0] == c)
print("  | proxy | 1 worker req/s | 2 workers req/s | 2 / 1 | cores busy (1 → 2) | req/s per busy core (1 → 2) |")
print("  |---|---:|---:|---:|---:|---:|")
for p in ("nginx", "lambdagate"):
    a, b = med(p + "-1", 1), med(p + "-2", 1)
    ca, cb = med(p + "-1", 2), med(p + "-2", 2)
    print(f"  | {p} | {a:.0f} | {b:.0f} | {b / a:.2f}× | {ca:.2f} → {cb:.2f} | {a / ca:.0f} → {b / cb:.0f} |")
EOF
fi

# ---------------------------------------------------------------------------------------------
# Memory: idle RSS with the example config, and the cost of an idle keep-alive client connection.

hold_and_measure() {  # name port rss_pid -> prints a line
  local name="$1" port="$2" pid="$3" before after
  wrk_cmd 1 1 64 "$warmup" "http://127.0.0.1:$port/lambda" >/dev/null 2>&1
  sleep 1
  before="$(rss_kib "$pid")"
  taskset -c 1 "$py" "$here/hold_connections.py" --port "$port" --count "$idle_connections" \
    >"$work/hold.out" 2>&1 &
  local hold=$!
  started+=("$hold")
  for _ in $(seq 1200); do grep -q '^ready' "$work/hold.out" 2>/dev/null && break
    kill -0 "$hold" 2>/dev/null || break; sleep 0.1; done
  grep -q '^ready' "$work/hold.out" || { cat "$work/hold.out" >&2; die "the connection holder failed"; }
  sleep 2
  after="$(rss_kib "$pid")"
  local ok
  ok="$(sed -n 's/^ready ok=\([0-9]*\).*/\1/p' "$work/hold.out")"
  printf '  %-10s RSS %6d KiB -> %6d KiB with %s; %s KiB per connection\n' "$name" "$before" "$after" \
    "$(cat "$work/hold.out")" "$(awk -v a="$after" -v b="$before" -v n="$ok" 'BEGIN {printf "%.2f", n ? (a - b) / n : 0}')"
  stop "$hold"
}

if has_case memory; then
  echo
  echo "== memory"
  # Idle: 1 worker, the example configuration in config/ (function discovery on, answered by the
  # backend with an empty list), static credentials from the environment.
  start_lambdagate 0 "http://127.0.0.1:$be_plain" 1 "$lg_port" "$lg_admin" /dev/null "$root/config"
  sleep 2
  printf '  lambdagate idle, --threads 1, config/ example: VmRSS %d KiB (%.1f MiB), RssAnon %s KiB, RssFile %s KiB\n' \
    "$(rss_kib "$lg_pid")" "$(awk -v k="$(rss_kib "$lg_pid")" 'BEGIN {print k / 1024}')" \
    "$(awk '/^RssAnon:/ {print $2}' "/proc/$lg_pid/status")" "$(awk '/^RssFile:/ {print $2}' "/proc/$lg_pid/status")"
  # Where it is: resident KiB per mapped object (the binary, each shared library, anonymous).
  echo "  lambdagate idle, resident KiB per mapping (smaps Rss, summed per object):"
  awk '/^[0-9a-f]+-[0-9a-f]+ / { n = (NF >= 6 ? $6 : "[anon]"); sub(/.*\//, "", n) }
       /^Rss:/ { rss[n] += $2 }
       END { for (n in rss) if (rss[n] > 0) printf "    %6d %s\n", rss[n], n }' "/proc/$lg_pid/smaps" | sort -rn
  stop "$lg_pid"
  write_proxy_conf "$work/proxy-on.conf" on 1
  start_nginx proxy-on 0 "$work/proxy-on.conf"
  nmaster=$nginx_pid
  sleep 1
  nworker="$(nginx_workers "$nmaster")"
  nworker="${nworker%% *}"
  printf '  nginx idle, 1 worker: worker VmRSS %d KiB (%.1f MiB), RssAnon %s KiB; master VmRSS %d KiB\n' \
    "$(rss_kib "$nworker")" "$(awk -v k="$(rss_kib "$nworker")" 'BEGIN {print k / 1024}')" \
    "$(awk '/^RssAnon:/ {print $2}' "/proc/$nworker/status")" "$(rss_kib "$nmaster")"
  echo "  idle keep-alive client connections ($idle_connections, each sent one request; plain upstream, log on):"
  start_lambdagate 0 "http://127.0.0.1:$be_plain" 1 "$lg_port" "$lg_admin" "$(lambdagate_stdout on)"
  hold_and_measure lambdagate "$lg_port" "$lg_pid"
  stop "$lg_pid"
  hold_and_measure nginx "$nx_plain" "$nworker"
  stop "$nmaster" QUIT
  rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
fi

# ---------------------------------------------------------------------------------------------
# Start-up: exec to the first /readyz 200, the example config, static credentials.

if has_case startup; then
  echo
  echo "== start-up: exec to the first /readyz 200 (config/ example, static credentials, --threads 1;"
  echo "   /readyz waits for the first function-discovery round, answered by the backend)"
  AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$be_plain" "$py" "$here/startup.py" --admin "127.0.0.1:$lg_admin" \
    --runs "$startup_runs" -- "$lg" --config "$root/config" --listen "127.0.0.1:$lg_port" \
    --admin "127.0.0.1:$lg_admin" --threads 1 | sed 's/^/  /'
  echo "   the same with function discovery off (bench/proxy/lambdagate.yaml, the throughput cases' config):"
  AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:$be_plain" "$py" "$here/startup.py" --admin "127.0.0.1:$lg_admin" \
    --runs "$startup_runs" -- "$lg" --config "$here/lambdagate.yaml" --listen "127.0.0.1:$lg_port" \
    --admin "127.0.0.1:$lg_admin" --threads 1 | sed 's/^/  /'
fi

# ---------------------------------------------------------------------------------------------
# Soak: minutes of load on lambdagate (plain upstream, or TLS with `--soak N tls`; access log to
# /dev/null so the disk does not fill), RSS every 10 s.

if has_case soak; then
  echo
  echo "== soak: $soak_minutes min of load on lambdagate (pinned as above, $soak_upstream upstream, access log to /dev/null)"
  start_lambdagate 0 "$(backend_url "$soak_upstream")" 1 "$lg_port" "$lg_admin" /dev/null
  lpid=$lg_pid
  echo "  t=0 s (idle): RSS $(rss_kib "$lpid") KiB"
  wrk_args 1 1 64 "$((soak_minutes * 60))" "$lg_url"
  "${wrk_argv[@]}" >"$work/wrk.soak.txt" 2>&1 &
  soak_wrk=$!
  started+=("$soak_wrk")
  t=0
  first=""
  peak=""
  while kill -0 "$soak_wrk" 2>/dev/null; do
    sleep 10
    t=$((t + 10))
    kill -0 "$soak_wrk" 2>/dev/null || break
    rss="$(rss_kib "$lpid")"
    [[ -n "$first" ]] || first=$rss
    peak=$rss
    echo "  t=$t s: RSS $rss KiB, CPU $(cpu_ticks "$lpid") ticks"
  done
  wait "$soak_wrk" || true
  stop "$soak_wrk"
  read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$work/wrk.soak.txt")"
  echo "  $total requests, $rps req/s, p50 $p50 µs, p99 $p99 µs, errors $errors"
  if [[ -n "$first" ]]; then
    echo "  RSS growth under load, from the first sample (t=10 s) to the last: $((peak - first)) KiB" \
      "($first -> $peak KiB); after the load: $(rss_kib "$lpid") KiB"
  fi
  stop "$lpid"
fi

# ---------------------------------------------------------------------------------------------
# Profile: syscalls per request (perf stat; strace -c as the fallback) and a perf profile
# (cpu-clock, kernel included) of each proxy in turn under the same load, with its CPU per
# request, so shares can be compared in µs.

if has_case profile; then
  echo
  echo "== profile ($profile_upstream upstream, log on, pinned as above)"
  endpoint="$(backend_url "$profile_upstream")"
  if [[ $profile_upstream == plain ]]; then nx_port=$nx_plain; else nx_port=$nx_tls; fi
  write_proxy_conf "$work/proxy-on.conf" on 1
  start_nginx proxy-on 0 "$work/proxy-on.conf"
  nmaster=$nginx_pid
  start_lambdagate 0 "$endpoint" 1 "$lg_port" "$lg_admin" "$(lambdagate_stdout on)"
  lpid=$lg_pid
  check_answer "http://127.0.0.1:$nx_port/lambda"
  nworker="$(nginx_workers "$nmaster")"
  nworker="${nworker%% *}"
  # Syscalls per request at full speed, from the kernel's syscall tracepoints (perf stat); strace
  # slows a proxy about tenfold, which hides the reads that fail because the peer has not answered
  # yet. strace -c where the tracepoints are not available.
  syscalls=(recvfrom recvmsg read sendmsg sendto writev write epoll_wait epoll_ctl getsockopt getpid
            timerfd_settime futex)
  for target in lambdagate nginx; do
    if [[ $target == lambdagate ]]; then pid=$lpid u=$lg_url; else pid=$nworker u="http://127.0.0.1:$nx_port/lambda"; fi
    # `write` counts the writes to sockets only (nginx's OpenSSL writes to a TLS upstream with
    # it): the access log's own writes, to lambdagate's stdout and to nginx's log file, are left
    # out of that row (they are in the total).
    if [[ $target == lambdagate ]]; then logfd=1
    else logfd="$(find "/proc/$pid/fd" -lname '*nginx-access.log' -printf '%f\n' 2>/dev/null | head -1)"; fi
    tracepoints=(-e raw_syscalls:sys_enter)
    for sc in "${syscalls[@]}"; do
      tracepoints+=(-e "syscalls:sys_enter_$sc")
      if [[ $sc == write && -n $logfd ]]; then tracepoints+=(--filter "fd != $logfd"); fi
    done
    # The receives that found nothing to read (EAGAIN and other errors).
    tracepoints+=(-e syscalls:sys_exit_recvfrom --filter 'ret < 0' -e syscalls:sys_exit_recvmsg --filter 'ret < 0')
    wrk_cmd 1 1 64 "$warmup" "$u" >/dev/null 2>&1
    if perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1; then
      wrk_args 1 1 64 12 "$u"
      "${wrk_argv[@]}" >"$work/wrk.syscalls.$target.txt" 2>&1 &
      pw=$!
      started+=("$pw")
      sleep 1
      # Requests in the 4 s: the proxy's sends to sockets ÷ 2 (one to the backend, one to the
      # client, each a single send here); wrk's rate over its 12 s is the fallback.
      perf stat -x, -o "$work/syscalls.$target.csv" "${tracepoints[@]}" -p "$pid" -- sleep 4 >/dev/null 2>&1
      wait "$pw" || true
      read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$work/wrk.syscalls.$target.txt")"
      echo "  $target: syscalls per request at full speed (perf stat, 4 s at about $rps req/s; requests = sends ÷ 2):"
      "$py" - "$work/syscalls.$target.csv" "$rps" <<'PYEOF'
import sys
counts, failed, total = {}, 0, 0
for line in open(sys.argv[1]):
    f = line.strip().split(",")
    if len(f) < 3 or not f[0].isdigit():
        continue
    n, event = int(f[0]), f[2]
    if event == "raw_syscalls:sys_enter":
        total = n
    elif event.startswith("syscalls:sys_exit_"):
        failed += n
    else:
        counts[event.replace("syscalls:sys_enter_", "")] = n
requests = sum(counts.get(name, 0) for name in ("sendmsg", "sendto", "writev", "write")) / 2 or float(sys.argv[2]) * 4
print("    | syscall | per request |")
print("    |---|---:|")
for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
    if n / requests >= 0.01:
        print(f"    | {name} | {n / requests:.2f} |")
print(f"    | receives that found nothing (EAGAIN) | {failed / requests:.2f} |")
print(f"    | **all syscalls** | **{total / requests:.2f}** |")
PYEOF
      continue
    fi
    strace -c -f -o "$work/strace.$target.txt" -p "$pid" 2>/dev/null &
    st=$!
    started+=("$st")
    sleep 1
    wrk_cmd 1 1 64 5 "$u" >"$work/wrk.strace.$target.txt" 2>&1
    sleep 0.5
    stop "$st" INT
    read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$work/wrk.strace.$target.txt")"
    echo "  $target: syscalls per request under strace ($total requests at $rps req/s; strace slows the"
    echo "  proxy, so epoll_wait per request is higher than at full speed):"
    "$py" - "$work/strace.$target.txt" "$total" <<'EOF'
import sys
total = int(sys.argv[2])
print("    | syscall | calls per request | errors per request |")
print("    |---|---:|---:|")
rows = []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 5 or not f[0].replace(".", "").isdigit() or f[-1] == "total":
        continue
    calls = int(f[3])
    errors = int(f[4]) if len(f) == 6 else 0
    rows.append((calls, errors, f[-1]))
for calls, errors, name in sorted(rows, reverse=True):
    if calls / total >= 0.01:
        print(f"    | {name} | {calls / total:.2f} | {errors / total:.2f} |")
EOF
  done
  if perf record -e cpu-clock -o "$work/perf.probe" -- true >/dev/null 2>&1; then
    for target in lambdagate nginx; do
      if [[ $target == lambdagate ]]; then pid=$lpid u=$lg_url; else pid=$nworker u="http://127.0.0.1:$nx_port/lambda"; fi
      wrk_args 1 1 64 12 "$u"
      "${wrk_argv[@]}" >"$work/wrk.perf.$target.txt" 2>&1 &
      pw=$!
      started+=("$pw")
      sleep 2
      c0="$(cpu_ticks "$pid")"
      perf record -e cpu-clock -F 2000 -g -p "$pid" -o "$work/perf.$target.data" -- sleep 8 >/dev/null 2>&1
      c1="$(cpu_ticks "$pid")"
      wait "$pw" || true
      stop "$pw"
      read -r rps p50 p99 total errors <<<"$("$py" "$here/report.py" wrk "$work/wrk.perf.$target.txt")"
      # CPU per request over the 8 s recorded, at the rate wrk measured over its 12 s.
      cpu_us="$(awk -v t="$((c1 - c0))" -v hz="$ticks" -v r="$rps" 'BEGIN {printf "%.1f", t * 1e6 / hz / (r * 8)}')"
      perf report -i "$work/perf.$target.data" --stdio --no-children --sort dso,symbol -g none 2>/dev/null \
        >"$work/perf.$target.txt"
      echo "$cpu_us" >"$work/perf.$target.cpu"
      echo "  $target perf (cpu-clock, 8 s under load at $rps req/s, about $cpu_us µs CPU per request):"
      echo "  share of samples by object:"
      perf report -i "$work/perf.$target.data" --stdio --no-children --sort dso -g none 2>/dev/null |
        grep -E '^ +[0-9]' | sed -n 1,6p | sed 's/^/   /'
      echo "  top 12 symbols (self):"
      grep -E '^ +[0-9]' "$work/perf.$target.txt" | sed -n 1,12p | cut -c1-150 | sed 's/^/   /'
      # Groups of libc symbols, summed over every symbol of the group.
      awk '$2 == "libc.so.6" {
             pct = $1; sub("%", "", pct); sym = $4
             if (sym ~ /malloc|free|realloc|calloc|^_int_|tcache|memalign/) alloc += pct
             else if (sym ~ /^__mem|^mem|^__str|^str/) mem += pct
           }
           END { printf "  libc groups: malloc/free family %.1f%%, mem*/str* %.1f%%\n", alloc, mem }' "$work/perf.$target.txt"
    done
    # Each proxy's shares times its own CPU per request: µs per request, side by side.
    "$py" - "$work" <<'EOF'
import re, sys
work = sys.argv[1]
def load(target):
    cpu = float(open(f"{work}/perf.{target}.cpu").read())
    out = {}
    for line in open(f"{work}/perf.{target}.txt"):
        m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)", line)
        if not m:
            continue
        pct, dso, kind, sym = m.groups()
        if dso.startswith("[kernel"):
            key = "kernel: " + sym
        elif dso.startswith("libc"):
            key = "libc: " + sym
        else:
            key = "user: " + dso
        out[key] = out.get(key, 0.0) + float(pct) * cpu / 100
    return out
lg, nx = load("lambdagate"), load("nginx")
def total(d, prefix):
    return sum(v for k, v in d.items() if k.startswith(prefix))
print("  µs per request from each profile (share × that proxy's CPU per request):")
print("    | part | lambdagate | nginx |")
print("    |---|---:|---:|")
for label, prefix in (("kernel", "kernel: "), ("libc", "libc: "), ("user space besides libc", "user: ")):
    print(f"    | {label} | {total(lg, prefix):.1f} | {total(nx, prefix):.1f} |")
print("  kernel symbols where lambdagate spends the most over nginx, µs per request:")
diff = sorted((k for k in set(lg) | set(nx) if k.startswith("kernel: ")), key=lambda k: nx.get(k, 0) - lg.get(k, 0))
for k in diff[:6]:
    print(f"    {k[8:]:32} lambdagate {lg.get(k, 0):5.2f}  nginx {nx.get(k, 0):5.2f}")
EOF
  else
    echo "  perf record does not work here; skipped"
  fi
  stop "$lpid"
  stop "$nmaster" QUIT
  rm -f "$work/nginx-access.log" "$work/lambdagate-access.log"
fi

echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
stop "$backend_pid" QUIT
