#!/usr/bin/python3
"""fake_aws: a loopback stand-in for AWS Lambda, STS and the EKS Pod Identity credentials endpoint
that checks every SigV4 signature with botocore.

Run with Debian's /usr/bin/python3 (it has python3-botocore). See README.md beside this file.
"""

from __future__ import annotations

import argparse
import os
import signal
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import App, Config  # noqa: E402
from functions import default_registry  # noqa: E402
from httpd import DEFAULT_MAX_BODY, FakeHTTPServer  # noqa: E402
from issuer import parse_role_arn  # noqa: E402
from sigv4_verify import Credential, CredentialStore  # noqa: E402

DEFAULT_ACCESS_KEY = "AKIDFAKEEXAMPLE"
DEFAULT_SECRET_KEY = "fake-secret-key-for-tests"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Fake AWS Lambda, STS and container credentials, "
                                            "with SigV4 verification.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--port-file", help="write the bound port here (atomically) once listening")
    p.add_argument("--tls-cert", help="PEM certificate chain; serve HTTPS")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account-id", default="123456789012")
    p.add_argument("--access-key", default=DEFAULT_ACCESS_KEY)
    p.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    p.add_argument("--session-token", help="require this X-Amz-Security-Token with --access-key")
    p.add_argument("--credential", action="append", default=[], metavar="AKID:SECRET[:TOKEN]",
                   help="accept another key (repeatable)")
    p.add_argument("--idle-timeout", type=float, default=120.0,
                   help="close a keep-alive connection idle this long (seconds)")
    p.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY,
                   help="refuse request bodies above this many bytes without reading them")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    p.add_argument("--extra-functions", type=int, default=0, metavar="N",
                   help="also register N generated echo functions bulk-001 … (every 5th with "
                        "version 1 and alias live → 1), e.g. to make ListFunctions paginate")
    sts = p.add_argument_group("STS and container credentials")
    sts.add_argument("--web-identity-token-file", metavar="PATH",
                     help="AssumeRoleWithWebIdentity accepts only this file's current contents "
                          "(re-read on every call, stripped); default: any token")
    sts.add_argument("--role", action="append", default=[], metavar="ARN",
                     help="a role (ARN or glob) STS may issue credentials for (repeatable); "
                          "default: arn:aws:iam::ACCOUNT:role/*")
    sts.add_argument("--credential-lifetime", type=int, default=3600, metavar="SECONDS",
                     help="lifetime of issued credentials; DurationSeconds may only shorten it "
                          "(default 3600)")
    sts.add_argument("--container-token-file", metavar="PATH",
                     help="GET /v1/credentials requires Authorization equal to this file's "
                          "current contents; default: any non-empty Authorization")
    sts.add_argument("--container-role", metavar="ARN",
                     help="role of container credentials (default "
                          "arn:aws:iam::ACCOUNT:role/pod-identity)")
    args = p.parse_args(argv)
    if not 0 <= args.extra_functions <= 100000:
        p.error("--extra-functions must be between 0 and 100000")
    if args.credential_lifetime < 1:
        p.error("--credential-lifetime must be at least 1 second")
    if args.container_role and parse_role_arn(args.container_role) is None:
        p.error(f"--container-role {args.container_role!r} is not a role ARN "
                f"(arn:aws:iam::ACCOUNT:role/NAME)")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    return args


def build_credentials(args) -> CredentialStore:
    store = CredentialStore()
    store.add(Credential(args.access_key, args.secret_key, args.session_token))
    for spec in args.credential:
        parts = spec.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            sys.exit(f"fake_aws: --credential wants AKID:SECRET[:TOKEN], got '{parts[0]}:...'")
        store.add(Credential(parts[0], parts[1], parts[2] if len(parts) == 3 else None))
    return store


def write_port_file(path: str, port: int) -> None:
    # Write then rename: a reader polling for the file never sees it half-written.
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    args = parse_args(argv)
    app = App(Config(region=args.region, account_id=args.account_id, quiet=args.quiet,
                     web_identity_token_file=args.web_identity_token_file,
                     roles=tuple(args.role), credential_lifetime=args.credential_lifetime,
                     container_token_file=args.container_token_file,
                     container_role=args.container_role),
              build_credentials(args), default_registry(args.extra_functions))

    ssl_context = None
    if args.tls_cert:
        ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
        ssl_context.set_alpn_protocols(["http/1.1"])

    server = FakeHTTPServer((args.host, args.port), app, ssl_context=ssl_context,
                            idle_timeout=args.idle_timeout or None, max_body=args.max_body,
                            on_error=app.log_line)
    port = server.server_address[1]

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="accept", daemon=True)
    thread.start()
    if args.port_file:
        write_port_file(args.port_file, port)
    scheme = "https" if ssl_context else "http"
    print(f"fake_aws listening on {scheme}://{args.host}:{port}", flush=True)

    # The main thread only waits, so signal handlers run promptly; serve_forever can't be
    # shut down from a handler running on its own thread.
    while not stop.wait(1.0):
        pass
    server.shutdown()
    server.server_close()
    if not args.quiet:
        print("fake_aws: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
