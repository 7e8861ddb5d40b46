# Sourced by bench/proxy.sh and bench/ab.sh: make_certs DIR writes a CA (ca.pem, ca.key) and one
# server certificate for localhost and 127.0.0.1 signed by it (server.pem, server.key), P-256,
# valid two days. Nothing here leaves the machine.
make_certs() {  # dir
  local certs="$1" out
  mkdir -p "$certs"
  out="$(mktemp)"
  if ! {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/CN=lambdagate bench CA" -keyout "$certs/ca.key" -out "$certs/ca.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
      -keyout "$certs/server.key" -out "$certs/server.csr" &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
      >"$certs/server.ext" &&
    openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" -CAcreateserial \
      -days 2 -extfile "$certs/server.ext" -out "$certs/server.pem"
  } >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    echo "make_certs: openssl failed" >&2
    return 1
  fi
  rm -f "$out"
  chmod 644 "$certs"/*
}
