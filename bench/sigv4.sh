#!/usr/bin/env bash
# Builds the aws library (Release, in its own build directory, shared with route_match.sh) and
# bench/sigv4.cpp against it, then runs the SigV4 signing benchmark. Needs no CMake change.
#   bench/sigv4.sh                    # build if needed, run: 9 rounds, 64-byte session token
#   bench/sigv4.sh 15 1024            # 15 rounds, a 1 KiB session token (IRSA tokens are ~1 KiB)
#   bench/sigv4.sh --callgrind [token_bytes]
#                                     # instructions per operation of each row, under callgrind
#   BUILD_DIR=/tmp/b bench/sigv4.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=sigv4.sh
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

configure_release
quietly cmake --build "$build" --target lambdagate_aws -j 2

libraries=("$build/liblambdagate_aws.a" "$build/liblambdagate_http.a" "$build/liblambdagate_core.a"
           "$build/liblambdagate_asio.a")
binary="$build/bench/sigv4"
source="$root/bench/sigv4.cpp"
mkdir -p "$build/bench"
stale=0
[[ -x "$binary" && ! "$source" -nt "$binary" ]] || stale=1
for library in "${libraries[@]}"; do [[ "$library" -nt "$binary" ]] && stale=1; done
if [[ -n "$(find "$root/include" -name '*.hpp' -newer "$binary" -print -quit 2>/dev/null)" ]]; then stale=1; fi
if ((stale)); then
  # The same definitions as the lambdagate_asio target: Asio and Beast are compiled in that library.
  # shellcheck disable=SC2046  # pkg-config prints several words on purpose
  quietly "$cxx" -std=c++20 -O2 -DNDEBUG -g -Wall -Wextra -Wpedantic -I"$root/include" \
    -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION -DBOOST_ASIO_NO_DEPRECATED \
    "$source" "${libraries[@]}" $(pkg-config --cflags --libs fmt) -lpugixml -lssl -lcrypto -pthread \
    -o "$binary"
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $("$cxx" --version | head -1), $(openssl version | cut -d' ' -f1-2), $(date -u +%Y-%m-%dT%H:%MZ)"

if [[ "${1:-}" == "--callgrind" ]]; then
  # Instruction counts repeat exactly from run to run, whatever else the machine is doing.
  token_bytes="${2:-64}"
  n=2000
  out="$(mktemp -d)"
  printf '%-20s %14s   (callgrind, %d operations, session token of %s bytes)\n' "row" "instructions/op" "$n" \
    "$token_bytes"
  for id in $("$binary" --ids); do
    quietly valgrind --tool=callgrind --toggle-collect='*measured_loop*' \
      --callgrind-out-file="$out/$id.out" "$binary" --one "$id" "$n" "$token_bytes"
    total="$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$out/$id.out")"
    printf '%-20s %14d\n' "$id" "$((total / n))"
  done
  echo "profiles: $out (callgrind_annotate --inclusive=yes FILE)"
  exit 0
fi
"$binary" "$@"
