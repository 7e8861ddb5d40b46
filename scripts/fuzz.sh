#!/usr/bin/env bash
# Builds every libFuzzer target in tests/fuzz with clang (ASan + UBSan) and runs each for a
# bounded time on a scratch copy of its seed corpus. Exits non-zero on the first crash, leak or
# sanitizer report (libFuzzer writes the reproducer into the output directory).
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

# The sources each target needs: the pure parsers only, no Boost and no other module.
declare -A sources=(
  [eventstream]="src/aws/eventstream.cpp src/core/crc32.cpp"
  [unwrap]="src/proxy/response_unwrap.cpp src/proxy/http_prelude.cpp src/core/base64.cpp"
  [jwt]="src/policy/base64url.cpp src/policy/key_set.cpp src/policy/jwt_verifier.cpp"
  [proxy_protocol]="src/http/proxy_protocol.cpp"
  [path]="src/http/path_normalization.cpp"
)
# Extra link flags per target.
declare -A libs=(
  [jwt]="-lcrypto"
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(eventstream unwrap jwt proxy_protocol path)

cxx="${CLANGXX:-clang++}"
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
out="${LAMBDAGATE_FUZZ_DIR:-build-fuzz}"
mkdir -p "$out"

for target in "${targets[@]}"; do
  [ -n "${sources[$target]:-}" ] || { echo "fuzz: unknown target $target" >&2; exit 1; }
done

# build TARGET: compiles one target unless its binary is newer than every source it is made of
# (a rerun in the same directory, e.g. ctest after ctest, then only fuzzes).
build() {
  local target="$1" binary="$out/$1_fuzz" file stale=0
  [ -x "$binary" ] || stale=1
  for file in "tests/fuzz/${target}_fuzz.cpp" ${sources[$target]}; do
    [ "$file" -nt "$binary" ] && stale=1
  done
  # Headers too: any under include/ or src/ changed since the binary was built.
  [ "$stale" = 0 ] && [ -n "$(find include src -name '*.hpp' -newer "$binary" -print -quit)" ] && stale=1
  [ "$stale" = 1 ] || { echo "fuzz: $target is up to date"; return 0; }
  echo "fuzz: building $target"
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Isrc "tests/fuzz/${target}_fuzz.cpp" ${sources[$target]} -o "$binary.tmp" ${libs[$target]:-} &&
    mv "$binary.tmp" "$binary"
}

# Compiling is most of the time on a small machine: two at a time (LAMBDAGATE_FUZZ_JOBS).
jobs="${LAMBDAGATE_FUZZ_JOBS:-2}"
pids=()
failed=0
for target in "${targets[@]}"; do
  build "$target" >"$out/${target}.build.log" 2>&1 &
  pids+=($!)
  if [ ${#pids[@]} -ge "$jobs" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
for target in "${targets[@]}"; do cat "$out/${target}.build.log"; done
[ "$failed" = 0 ] || { echo "fuzz: a build FAILED" >&2; exit 1; }

for target in "${targets[@]}"; do
  work="$out/${target}_corpus"
  rm -rf "$work" && mkdir -p "$work" && cp "tests/fuzz/corpus/$target"/* "$work/"
  echo "fuzz: running $target for ${seconds}s"
  status=0
  (cd "$out" && "./${target}_fuzz" -max_total_time="$seconds" -print_final_stats=1 "${target}_corpus") \
    >"$out/${target}.log" 2>&1 || status=$?
  grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" "$out/${target}.log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$out/${target}.log" >&2
    echo "fuzz: $target FAILED (log: $out/${target}.log)" >&2
    exit 1
  fi
done
echo "fuzz: all targets ran clean"
