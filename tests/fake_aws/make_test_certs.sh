#!/usr/bin/env bash
# make_test_certs.sh OUTDIR — TLS material for tests, made with the openssl CLI:
#   ca.pem/ca.key              test CA
#   server.pem/server.key      leaf for localhost + 127.0.0.1, signed by the CA
#   untrusted.pem/untrusted.key self-signed leaf for the same names (a client trusting ca.pem
#                              must reject it)
# EC P-256 keys (fast). Idempotent: does nothing when every file exists and the server cert is
# valid for another day. Quiet unless something fails. Keys are made world-readable (0644) so a
# test container running as another user can read them: they protect nothing.
set -euo pipefail

out=${1:?usage: make_test_certs.sh OUTDIR}
mkdir -p "$out"
files=(ca.pem ca.key server.pem server.key untrusted.pem untrusted.key)

complete=1
for f in "${files[@]}"; do [[ -s $out/$f ]] || complete=0; done
if (( complete )) && openssl x509 -checkend 86400 -noout -in "$out/server.pem" >/dev/null 2>&1 \
    && openssl verify -CAfile "$out/ca.pem" "$out/server.pem" >/dev/null 2>&1; then
  exit 0
fi

# Build in a private directory and move into place, so concurrent runs never read half a set.
work=$(mktemp -d "$out/.certs.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/openssl.log

run() { "$@" >>"$log" 2>&1 || { echo "make_test_certs: failed: $*" >&2; cat "$log" >&2; exit 1; }; }
newkey() { run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

san="subjectAltName=DNS:localhost,IP:127.0.0.1"

newkey "$work/ca.key"
run openssl req -x509 -new -key "$work/ca.key" -sha256 -days 3650 -subj "/CN=lambdagate test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -out "$work/ca.pem"

newkey "$work/server.key"
run openssl req -new -key "$work/server.key" -subj "/CN=localhost" -out "$work/server.csr"
cat >"$work/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
$san
EXT
# Random serial instead of -CAcreateserial: no ca.srl left behind.
run openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -sha256 -days 825 \
  -extfile "$work/server.ext" -out "$work/server.pem"

newkey "$work/untrusted.key"
run openssl req -x509 -new -key "$work/untrusted.key" -sha256 -days 825 -subj "/CN=localhost" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature" \
  -addext "extendedKeyUsage=serverAuth" \
  -addext "$san" \
  -out "$work/untrusted.pem"

chmod 0644 "$work"/*.key
for f in "${files[@]}"; do mv -f "$work/$f" "$out/$f"; done
