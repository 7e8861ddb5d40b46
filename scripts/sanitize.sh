#!/usr/bin/env bash
# The unit tests (ctest -L unit: the Catch2 executables and the fuzz targets' standalone runs)
# under AddressSanitizer and UndefinedBehaviorSanitizer, in their own build directory
# (${LAMBDAGATE_ASAN_BUILD_DIR:-build-asan}). Only the unit-test executables are built, at -O0
# without debug info to keep the compile short on a small machine; any sanitizer report fails
# the test that triggered it. Run by .ci/run before scripts/test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${LAMBDAGATE_ASAN_BUILD_DIR:-$root/build-asan}"
flags="-O0 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAMBDAGATE_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS_DEBUG="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cd "$build_dir"
# The executables behind the unit label (their test names are their target names).
mapfile -t targets < <(ctest -N -L unit | sed -n 's/^ *Test *#[0-9]*: \([a-z_0-9]*\)$/\1/p')
[ ${#targets[@]} -gt 0 ] || { echo "sanitize: no unit tests found" >&2; exit 1; }
echo "sanitize: building ${#targets[@]} unit-test executables with ASan + UBSan"
cmake --build . -j "${LAMBDAGATE_JOBS:-$(nproc)}" --target "${targets[@]}"
# detect_leaks: a leak is a failure too. halt_on_error: the first report ends the test.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --output-on-failure --timeout 900 -L unit
