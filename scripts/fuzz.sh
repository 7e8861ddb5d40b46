#!/usr/bin/env bash
# Builds every libFuzzer target in tests/fuzz with clang (ASan + UBSan) and runs each for a
# bounded time on a scratch copy of its seed corpus. Exits non-zero on the first crash, leak or
# sanitizer report (libFuzzer writes the reproducer into the output directory).
#   scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

# The sources each target needs: the parsers under test and what they call, no more. Each source
# is compiled once into $out/obj (through ccache when present) and shared by the targets that
# need it; targets link with --gc-sections, so code of a source that the target never reaches
# needs no other module where the linker can tell (it cannot for coroutines: the listing parser
# has a file of its own, src/aws/lambda_listing_parse.cpp).
config_sources="$(echo src/config/*.cpp) src/core/base64.cpp"
declare -A sources=(
  [eventstream]="src/aws/eventstream.cpp src/core/crc32.cpp"
  [unwrap]="src/proxy/response_unwrap.cpp src/proxy/http_prelude.cpp src/core/base64.cpp"
  [jwt]="src/policy/base64url.cpp src/policy/key_set.cpp src/policy/jwt_verifier.cpp"
  [proxy_protocol]="src/http/proxy_protocol.cpp"
  [path]="src/http/path_normalization.cpp"
  [http_request]="src/http/request_checks.cpp"
  [http_response]="src/http/response_parser.cpp src/http/head_scan.cpp src/http/response_headers.cpp"
  [request_events]="src/proxy/request_events.cpp src/core/base64.cpp"
  [route_match]="src/routing/domain_index.cpp src/routing/matcher.cpp src/routing/path_trie.cpp src/routing/route_index.cpp src/routing/route_table.cpp src/http/path_normalization.cpp"
  [sigv4]="src/aws/sigv4.cpp src/aws/sha256.cpp"
  [sts_xml]="src/aws/sts.cpp src/aws/iso8601.cpp src/aws/sigv4.cpp src/aws/sha256.cpp src/aws/credentials.cpp src/http/endpoint.cpp src/http/response_headers.cpp"
  [list_functions]="src/aws/lambda_listing_parse.cpp"
  [yaml]="$config_sources"
)
# Extra link flags per target.
declare -A libs=(
  [jwt]="-lcrypto"
  [route_match]="-lre2"
  [sigv4]="-lcrypto"
  [sts_xml]="-lpugixml -lcrypto"
  [yaml]="-lyaml-cpp -lre2"
)
all_targets=(eventstream unwrap jwt proxy_protocol path http_request http_response request_events route_match sigv4 sts_xml
  list_functions yaml)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

cxx="${CLANGXX:-clang++}"
out="${LAMBDAGATE_FUZZ_DIR:-build-fuzz}"
mkdir -p "$out/obj"
# Without clang, or without its fuzzer and sanitizer runtimes, there is nothing to run: say so,
# and exit with LAMBDAGATE_FUZZ_SKIP_CODE when set (ctest counts that as skipped), else fail.
skip() {
  echo "fuzz: SKIPPED: $1 (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit "${LAMBDAGATE_FUZZ_SKIP_CODE:-1}"
}
command -v "$cxx" >/dev/null || skip "$cxx not found"
probe="$out/probe"
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }' >"$probe.cpp"
"$cxx" -fsanitize=fuzzer,address,undefined "$probe.cpp" -o "$probe" >"$probe.log" 2>&1 ||
  skip "$cxx cannot link a libFuzzer target with ASan and UBSan: $(head -c 300 "$probe.log")"
launcher=""
# Relative paths and no hashed directory: a fresh clone elsewhere (CI) hits the same cache entries.
command -v ccache >/dev/null && launcher="env CCACHE_NOHASHDIR=1 ccache"
# -fsanitize=fuzzer-no-link: coverage for libFuzzer in every object, its main() only at link.
cflags="-std=c++20 -gline-tables-only -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
cflags+=" -ffunction-sections -fdata-sections -Iinclude -Isrc"

for target in "${targets[@]}"; do
  [ -n "${sources[$target]:-}" ] || { echo "fuzz: unknown target $target" >&2; exit 1; }
done

object_of() { local file="${1//\//_}"; echo "$out/obj/${file%.cpp}.o"; }

# stale FILE SOURCE...: whether FILE is missing or older than a source or than any header under
# include/ or src/ (a rerun in the same directory, e.g. ctest after ctest, then only fuzzes).
stale() {
  local file="$1" source
  shift
  [ -e "$file" ] || return 0
  for source in "$@"; do [ "$source" -nt "$file" ] && return 0; done
  [ -n "$(find include src -name '*.hpp' -newer "$file" -print -quit)" ]
}

# Which targets need building, and the objects they need that are out of date.
build_targets=()
declare -A wanted=()
for target in "${targets[@]}"; do
  files=("tests/fuzz/${target}_fuzz.cpp" ${sources[$target]})
  if stale "$out/${target}_fuzz" "${files[@]}"; then
    build_targets+=("$target")
    for file in "${files[@]}"; do stale "$(object_of "$file")" "$file" && wanted["$file"]=1; done
  else
    echo "fuzz: $target is up to date"
  fi
done

# Compiling is most of the time on a small machine: two at a time (LAMBDAGATE_FUZZ_JOBS).
if [ ${#wanted[@]} -gt 0 ]; then
  echo "fuzz: compiling ${#wanted[@]} sources for ${build_targets[*]}"
  export cxx cflags launcher out
  # shellcheck disable=SC2016
  if ! printf '%s\n' "${!wanted[@]}" | sort | xargs -P "${LAMBDAGATE_FUZZ_JOBS:-2}" -I{} bash -c '
      file="{}"; object="$out/obj/$(echo "${file//\//_}" | sed "s/\.cpp$/.o/")"
      $launcher "$cxx" $cflags -c "$file" -o "$object.tmp" >"$object.log" 2>&1 && mv "$object.tmp" "$object" ||
        { cat "$object.log" >&2; echo "fuzz: compiling $file FAILED" >&2; exit 255; }'; then
    exit 1
  fi
fi
for target in "${build_targets[@]}"; do
  objects=()
  for file in "tests/fuzz/${target}_fuzz.cpp" ${sources[$target]}; do objects+=("$(object_of "$file")"); done
  echo "fuzz: linking $target"
  # shellcheck disable=SC2086
  "$cxx" -fsanitize=fuzzer,address,undefined -Wl,--gc-sections "${objects[@]}" -o "$out/${target}_fuzz.tmp" \
    ${libs[$target]:-} || { echo "fuzz: linking $target FAILED" >&2; exit 1; }
  mv "$out/${target}_fuzz.tmp" "$out/${target}_fuzz"
done

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
