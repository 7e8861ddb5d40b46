#!/usr/bin/env bash
# Builds the routing library (Release, in its own build directory) and bench/route_match.cpp against
# it, then runs the route-matching benchmark. Needs no CMake change; arguments go to the benchmark
# (the first is the number of rounds, default 9).
#   bench/route_match.sh            # build if needed, run
#   BUILD_DIR=/tmp/b bench/route_match.sh 15
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=route_match.sh
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

configure_release
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
