#!/usr/bin/env bash
# Builds bench/payload_mapping.cpp and runs the payload-mapping / event-stream benchmark. Arguments
# go to the benchmark (the first is the number of rounds, default 11).
#   bench/payload_mapping.sh            # build if needed, run
#   BUILD_DIR=/tmp/b bench/payload_mapping.sh 21
#
# No CMake here, on purpose: the functions measured are pure and live in a handful of sources, while
# the CMake target that holds them (lambdagate_proxy) pulls in most of the tree (Asio, Beast, OpenSSL,
# spdlog, ...). So this script compiles just those sources, -O2 -DNDEBUG -std=c++20 -Iinclude -Isrc
# (Release flags; the only dependency is the header-only nlohmann_json), into objects under
# $BUILD_DIR/bench/payload_mapping.o/ (default build-bench/, shared with route_match.sh, whose CMake
# files it does not touch), recompiling a source when it or a project header is newer than its
# object, and links them with the benchmark. No CMake change and no new dependency.
# BENCH_DEFAULT_MALLOC=1 keeps glibc's malloc defaults (see the top of payload_mapping.cpp).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_name=payload_mapping.sh
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
flags=(-std=c++20 -O2 -DNDEBUG -Wall -Wextra -Wpedantic -I"$root/include" -I"$root/src")

# What the measured functions need, and nothing else (the linker says so when this goes stale).
sources=(
  src/proxy/request_events.cpp
  src/proxy/response_unwrap.cpp
  src/proxy/http_prelude.cpp
  src/aws/eventstream.cpp
  src/core/base64.cpp
  src/core/crc32.cpp
)

objects="$build/bench/payload_mapping.o"
binary="$build/bench/payload_mapping"
mkdir -p "$objects"

# Compiles the stale objects, in parallel (nlohmann_json makes each source slow to compile).
pids=()
logs=()
objs=()
relink=0
for source in "${sources[@]}" bench/payload_mapping.cpp; do
  object="$objects/$(echo "$source" | tr / _).o"
  objs+=("$object")
  # Stale when the source, or any project header, is newer than the object.
  if [[ ! -f "$object" || "$root/$source" -nt "$object" ||
        -n "$(find "$root/include" "$root/src" -name '*.hpp' -newer "$object" -print -quit)" ]]; then
    relink=1
    log="$(mktemp)"
    logs+=("$log")
    "$cxx" "${flags[@]}" -c "$root/$source" -o "$object" >"$log" 2>&1 &
    pids+=($!)
  fi
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    cat "${logs[$i]}" >&2
    failed=1
  fi
  rm -f "${logs[$i]}"
done
if ((failed)); then
  rm -f "$binary"
  echo "payload_mapping.sh: compilation failed" >&2
  exit 1
fi
if ((relink)) || [[ ! -x "$binary" ]]; then
  # request_events.cpp names the TLS stream types (the client certificate in events): Asio's SSL
  # error category comes with them.
  quietly "$cxx" "${objs[@]}" -o "$binary" -lssl -lcrypto
fi

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $("$cxx" --version | head -1), $(date -u +%Y-%m-%dT%H:%MZ)"
"$binary" "$@"
