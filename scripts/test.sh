#!/usr/bin/env bash
# The one command that runs every test: installs what is needed, builds, then runs the unit
# tests and the integration tests (the real binary on loopback against tests/fake_aws) with
# ctest. Extra arguments go to ctest (e.g. -L unit, -R end_to_end).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${LAMBDAGATE_BUILD_DIR:-$root/build}"

bash "$root/scripts/build.sh"
cd "$build_dir"
ctest --output-on-failure --timeout 600 "$@"
