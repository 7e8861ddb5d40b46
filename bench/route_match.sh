#!/usr/bin/env bash
# Builds the routing library (Release, in its own build directory) and bench/route_match.cpp against
# it, then runs the route-matching benchmark. Needs no CMake change; arguments go to the benchmark
# (the first is the number of rounds, default 9).
#   bench/route_match.sh            # build if needed, run
#   BUILD_DIR=/tmp/b bench/route_match.sh 15
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build-bench}"
cxx="${CXX:-c++}"

# Quiet when all is well; the whole log when a step fails.
quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "route_match.sh: failed: $*" >&2
    exit 1
  fi
  rm -f "$log"
}

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  quietly cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLAMBDAGATE_BUILD_TESTS=OFF
fi
quietly cmake --build "$build" --target lambdagate_routing

library="$build/liblambdagate_routing.a"
binary="$build/bench/route_match"
source="$root/bench/route_match.cpp"
mkdir -p "$build/bench"
if [[ ! -x "$binary" || "$source" -nt "$binary" || "$library" -nt "$binary" ]]; then
  # shellcheck disable=SC2046  # pkg-config prints several words on purpose
  "$cxx" -std=c++20 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -I"$root/include" "$source" "$library" \
    $(pkg-config --cflags --libs re2) -o "$binary"
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
"$binary" "$@"
