# Shared by the micro-benchmark scripts (payload_mapping.sh, policy.sh, route_match.sh, sigv4.sh): the Release build
# directory and a quiet runner. Source it after setting `root`; `bench_name` names the script in
# failure messages.

build="${BUILD_DIR:-$root/build-bench}"
cxx="${CXX:-c++}"

# Quiet when all is well; the whole log when a step fails.
quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "${bench_name:-bench}: failed: $*" >&2
    exit 1
  fi
  rm -f "$log"
}

# Configures the Release build directory once (CMake, Ninja when present, no tests).
configure_release() {
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    local generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    quietly cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLAMBDAGATE_BUILD_TESTS=OFF
  fi
}
