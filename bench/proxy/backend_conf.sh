# Sourced by bench/proxy.sh and bench/callgrind.sh: the nginx that stands in for Lambda.
# Uses $work (the pid file's directory) and, with a TLS port, $certs (server.pem, server.key).

# The backend: Lambda's Invoke answer for any function (200, "ABC", application/json and the
# headers Lambda sends), and an empty ListFunctions page for the example config's discovery.
write_backend_conf() {  # file plain_port tls_port workers
  cat >"$1" <<EOF
worker_processes $4;
daemon off;
pid $work/$(basename "$1" .conf).pid;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  # A signed Invoke's head is about 1.4 KB (the session token alone is 1 KB): past nginx's default
  # 1 KiB buffer, each one took a second read and a copy into a large-header buffer, and the
  # backend spent 22 µs per request on it instead of 15.5 (issue 14). Lambda reads such
  # requests routinely; with wrk on the same core, the stand-in's quirk capped lambdagate's req/s.
  client_header_buffer_size 4k;
  default_type application/json;
  # "\$" cannot be written in an nginx string; this variable holds it.
  geo \$dollar { default "\$"; }
  server {
    listen 127.0.0.1:$2 reuseport;
    ${3:+listen 127.0.0.1:$3 ssl reuseport;}
    ${3:+ssl_certificate $certs/server.pem;}
    ${3:+ssl_certificate_key $certs/server.key;}
    ${3:+ssl_session_cache shared:backend:1m;}
    location = /2015-03-31/functions/ { return 200 '{"Functions":[]}'; }
    # Connections accepted so far: how many upstream connections the proxies opened.
    location = /bench_status { stub_status; }
    location /2015-03-31/functions/ {
      add_header x-amzn-RequestId \$request_id;
      add_header x-amzn-Remapped-Content-Length 0;
      add_header X-Amz-Executed-Version "\${dollar}LATEST";
      add_header X-Amzn-Trace-Id "root=1-67a1b2c3-0123456789abcdef01234567;sampled=0";
      return 200 '"ABC"';
    }
  }
}
EOF
}
