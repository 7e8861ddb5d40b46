#!/usr/bin/env bash
# Installs everything lambdagate needs to build, run and test, from Debian's packages.
# Used by scripts/run-local.sh, scripts/test.sh, .ci/run and the Dockerfile's build stage.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  catch2 libre2-dev libpugixml-dev libmimalloc-dev
  clang libclang-rt-14-dev
  curl ca-certificates openssl python3 python3-botocore python3-yaml python3-prometheus-client
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install-deps: all packages present"
