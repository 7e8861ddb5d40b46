#!/usr/bin/env bash
# The Dockerfile (no Docker engine here, so it is checked, not built): the build stage builds with
# scripts/build.sh, the script CI builds with; the runtime stage installs the Debian package of
# every shared library the binary links (ldd + dpkg -S), runs as uid 10001 like the Deployment,
# and starts the binary it copied with the Deployment's arguments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOCKERFILE="$ROOT/Dockerfile"
# Split the Dockerfile into stages: JSON {stage: {"from", "run": [...], "copy": [...], ...}}.
stages="$("$PY" - "$DOCKERFILE" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
text = re.sub(r"\\\n", " ", text)                       # join continuation lines
stages, cur = {}, None
for line in text.splitlines():
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    word, _, rest = line.partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), re.I)
        cur = {"from": m.group(1), "run": [], "copy": [], "env": [], "user": None,
               "entrypoint": None, "cmd": None}
        stages[m.group(2) or str(len(stages))] = cur
        stages["_last"] = m.group(2) or str(len(stages) - 1)
    elif cur is not None:
        key = word.lower()
        if key in ("run", "copy", "env"):
            cur[key].append(re.sub(r"\s+", " ", rest.strip()))
        elif key in ("user", "entrypoint", "cmd"):
            cur[key] = json.loads(rest) if rest.strip().startswith("[") else rest.strip()
print(json.dumps(stages))
PY
)"
last="$(json_get "$stages" 'j["_last"]')"
check "the Dockerfile has a build stage and a runtime stage after it" "True True" \
  "$(json_get "$stages" 'str("build" in j) + " " + str(j["_last"] != "build")')"
check "build stage: debian:12" "debian:12" "$(json_get "$stages" 'j["build"]["from"]')"
check "runtime stage: debian:12-slim" "debian:12-slim" "$(json_get "$stages" "j['$last']['from']")"
check "build stage runs scripts/build.sh (the script CI builds with)" True \
  "$(json_get "$stages" 'any("scripts/build.sh" in r for r in j["build"]["run"])')"
check_contains "…and scripts/build.sh installs the dependencies with scripts/install-deps.sh" \
  'scripts/install-deps.sh' "$(cat "$ROOT/scripts/build.sh")"

# The binary the runtime stage copies is the one the build stage built, and it is what runs.
build_dir="$(json_get "$stages" '[e.split("LAMBDAGATE_BUILD_DIR=")[1].split()[0] for e in j["build"]["env"] if "LAMBDAGATE_BUILD_DIR=" in e][0]')"
check "runtime copies \$LAMBDAGATE_BUILD_DIR/lambdagate from the build stage to the ENTRYPOINT" True \
  "$(json_get "$stages" "any(c.split() == ['--from=build', '$build_dir/lambdagate', j['$last']['entrypoint'][0]] for c in j['$last']['copy'])")"
check "runtime runs as uid 10001 (the Deployment's runAsUser)" True \
  "$(json_get "$stages" "j['$last']['user'].split(':')[0] == '10001' and any('--uid 10001' in r for r in j['$last']['run'])")"
dep_args="$("$PY" -c 'import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); print(json.dumps(d["spec"]["template"]["spec"]["containers"][0]["args"]))' "$ROOT/deploy/base/deployment.yaml")"
check "the image's CMD is the Deployment's args" "$dep_args" "$(json_get "$stages" "json.dumps(j['$last']['cmd'])")"

# Every shared library the binary needs, as a Debian package.
packages="$(json_get "$stages" "' '.join(sorted({w for r in j['$last']['run'] if 'apt-get install' in r for w in r.split('apt-get install', 1)[1].split('&&')[0].split() if not w.startswith('-')}))")"
echo "# runtime packages: $packages"
# Present in debian:12-slim already (essential packages and what they pull in).
base_pkgs="libc6 libstdc++6 libgcc-s1"
declare -A needed=()
mapfile -t libs < <(ldd "$BIN" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
check "ldd reports the binary's shared libraries" True "$([ "${#libs[@]}" -gt 3 ] && echo True || echo False)"
# One dpkg -S for all of them (it is slow per call); each library by its path, its /usr path
# (merged /usr: ldd says /lib/..., dpkg knows /usr/lib/...) and its resolved file.
declare -A owner=()
cands=()
for lib in "${libs[@]}"; do cands+=("$lib" "/usr$lib" "$(readlink -f "$lib")"); done
while IFS= read -r line; do
  owner["${line#*: }"]="${line%%:*}"
done < <(dpkg -S "${cands[@]}" 2>/dev/null | grep -v '^diversion')
for lib in "${libs[@]}"; do
  pkg=""
  for cand in "$lib" "/usr$lib" "$(readlink -f "$lib")"; do
    pkg="${owner[$cand]:-}"
    [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    check "$lib belongs to a Debian package" "a package" "none"
    continue
  fi
  needed[$pkg]+="$(basename "$lib") "
done
missing=()
for pkg in $(printf '%s\n' "${!needed[@]}" | sort); do
  case " $base_pkgs $packages " in
    *" $pkg "*) echo "# $pkg provides ${needed[$pkg]}" ;;
    *) missing+=("$pkg (${needed[$pkg]% })") ;;
  esac
done
check "the runtime stage installs the package of every linked library (missing: ${missing[*]:-none})" \
  "" "${missing[*]:-}"
check_contains "runtime installs ca-certificates (TLS to AWS)" " ca-certificates " " $packages "

# The build context leaves out build trees and the test's npm cache.
for p in 'build*/' '.git/' 'node_modules/'; do
  check "….dockerignore excludes $p" True \
    "$(grep -qF -- "$p" "$ROOT/.dockerignore" && echo True || echo False)"
done

finish
