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
  echo "fuzz: building $target"
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Iinclude -Isrc "tests/fuzz/${target}_fuzz.cpp" ${sources[$target]} -o "$out/${target}_fuzz" ${libs[$target]:-}
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
