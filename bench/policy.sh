#!/usr/bin/env bash
# Builds the policy library (Release, in its own build directory) and bench/policy.cpp against it,
# then runs the request-policy benchmark: CORS, JWT verification with a cached key (RS256, PS256,
# ES256, EdDSA) and the local rate limit under contention. Needs no CMake change; arguments go to
# the benchmark (the first is the number of rounds, default 7).
#   bench/policy.sh            # build if needed, run
#   BUILD_DIR=/tmp/b bench/policy.sh 11
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=policy.sh
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

configure_release
quietly cmake --build "$build" -j 2 --target lambdagate_policy lambdagate_http lambdagate_config lambdagate_core lambdagate_asio

# The policy library and what it depends on, in link order.
libraries=()
for lib in policy http config core asio; do libraries+=("$build/liblambdagate_$lib.a"); done
binary="$build/bench/policy"
source="$root/bench/policy.cpp"
mkdir -p "$build/bench"
stale=0
[[ -x "$binary" && "$source" -nt "$binary" ]] && stale=1
for lib in "${libraries[@]}"; do [[ -x "$binary" && "$lib" -nt "$binary" ]] && stale=1; done
if [[ ! -x "$binary" || "$stale" == 1 ]]; then
  # shellcheck disable=SC2046  # pkg-config prints several words on purpose
  quietly "$cxx" -std=c++20 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -I"$root/include" \
    -DBOOST_ASIO_SEPARATE_COMPILATION -DBOOST_BEAST_SEPARATE_COMPILATION -DBOOST_ASIO_NO_DEPRECATED \
    "$source" "${libraries[@]}" $(pkg-config --cflags --libs re2) -lssl -lcrypto -lfmt -pthread -o "$binary"
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(date -u +%Y-%m-%dT%H:%MZ)"
"$binary" "$@"
