#!/usr/bin/env bash
# Installs the dependencies (scripts/install-deps.sh) and builds lambdagate and its tests into
# ${LAMBDAGATE_BUILD_DIR:-build}. Used by run-local.sh, test.sh and the Dockerfile.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${LAMBDAGATE_BUILD_DIR:-$root/build}"
build_type="${LAMBDAGATE_BUILD_TYPE:-RelWithDebInfo}"
with_tests="${LAMBDAGATE_BUILD_TESTS:-ON}"

bash "$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DLAMBDAGATE_BUILD_TESTS="$with_tests" >/dev/null
# Two cores: more parallel jobs only add memory pressure while Asio/Beast compile.
cmake --build "$build_dir" -j "${LAMBDAGATE_JOBS:-$(nproc)}"
echo "build: $build_dir/lambdagate"
