# Sourced by bench/proxy.sh, bench/ab.sh and bench/callgrind.sh: install_packages_missing PKG...
# installs from Debian those of the named packages that are not installed yet (as root, or
# through sudo), quietly, without recommended packages. None of them starts a service the
# benchmarks use: they run their own instances.
install_packages_missing() {
  local missing=() p sudo=()
  for p in "$@"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  [[ ${#missing[@]} -gt 0 ]] || return 0
  echo "installing ${missing[*]}" >&2
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
