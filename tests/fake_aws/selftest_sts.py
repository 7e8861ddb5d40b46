#!/usr/bin/python3
"""Self-test for fake_aws's STS, container credentials and fault injection.

Expects fakes already running (tests/integration/test_fake_aws.sh starts them):
  selftest_sts.py --port P --token-file F --container-token-file F2 --short-port P2
                  [--https-port P3 --ca CA.pem] [--log FAKE_STDERR_LOG]...
- P: --web-identity-token-file F --container-token-file F2 --role ROLE_GW --role 'ROLE_CHAIN*'
- P2: --web-identity-token-file F --credential-lifetime SHORT_LIFETIME
- P3 (optional): HTTPS with no token file (any web identity token accepted)
The test writes the token files itself (rotation). Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import base64
import calendar
import json
import os
import re
import socket
import ssl
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import botocore.session
from botocore.config import Config
from botocore.credentials import ContainerProvider, Credentials
from botocore.exceptions import ClientError

from selftest import ACCOUNT, DEFAULT, INVOKE, REGION, Checker, Client, Result

NS = "https://sts.amazonaws.com/doc/2011-06-15/"
N = {"s": NS}
FORM = ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
ROLE_GW = f"arn:aws:iam::{ACCOUNT}:role/gateway"
ROLE_CHAIN = f"arn:aws:iam::{ACCOUNT}:role/chained-target"
ROLE_POD = f"arn:aws:iam::{ACCOUNT}:role/pod-identity"
SHORT_LIFETIME = 3  # must match --credential-lifetime of the short fake
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def write(path: str, text: str) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def jwt(claims: dict) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return f"{part({'alg': 'RS256', 'kid': 'fake'})}.{part(claims)}.c2lnbmF0dXJl"


def web_identity_body(token, role=ROLE_GW, session="lambdagate-test", **extra) -> bytes:
    return urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                      "RoleArn": role, "RoleSessionName": session, "WebIdentityToken": token,
                      **extra}).encode()


def web_identity(c: Client, token, role=ROLE_GW, session="lambdagate-test", **extra) -> Result:
    return c.send("POST", "/", web_identity_body(token, role, session, **extra), [FORM])


def assume_role(c: Client, creds, role=ROLE_CHAIN, session="chained", **extra) -> Result:
    body = urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": role,
                      "RoleSessionName": session, **extra}).encode()
    return c.call("POST", "/", body, [FORM], creds=creds, service="sts")


def parsed(r: Result):
    try:
        return ET.fromstring(r.body)
    except ET.ParseError:
        return None


def sts_creds(r: Result) -> dict:
    """Credentials + AssumedRoleUser from a 200 STS answer (empty dict if not one)."""
    root = parsed(r)
    if r.status != 200 or root is None:
        return {}
    c = root.find(".//s:Credentials", N)
    u = root.find(".//s:AssumedRoleUser", N)
    if c is None or u is None:
        return {}
    out = {e.tag.split("}")[1]: e.text for e in list(c) + list(u)}
    out["root"] = root.tag
    return out


def creds_of(d: dict) -> Credentials:
    return Credentials(d["AccessKeyId"], d["SecretAccessKey"], d.get("SessionToken")
                       or d.get("Token"))


def expiration_epoch(text: str) -> float:
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def check_sts_error(check: Checker, name, r: Result, status, code, message_start=None):
    root = parsed(r)
    detail = f"got {r.status} {r.body[:400]!r}"
    ok = r.status == status and root is not None and root.tag == f"{{{NS}}}ErrorResponse" \
        and r.headers.get("Content-Type") == "text/xml"
    if ok:
        err_type = root.findtext("s:Error/s:Type", None, N)
        ok = (root.findtext("s:Error/s:Code", None, N) == code
              and err_type == ("Sender" if status < 500 else "Receiver")
              and root.findtext("s:RequestId", None, N) == r.headers.get("x-amzn-RequestId"))
        if message_start:
            ok = ok and (root.findtext("s:Error/s:Message", "", N) or "").startswith(
                message_start)
    check(name, ok, detail)


def sts_client(port: int, creds: Credentials = DEFAULT):
    return botocore.session.get_session().create_client(
        "sts", region_name=REGION, endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, config=Config(retries={"total_max_attempts": 1}))


def whoami(c: Client, creds) -> Result:
    return c.invoke("whoami", creds=creds)


def raw_exchange(port: int, request: bytes, timeout=5.0):
    """Send raw bytes; return what came back before the server closed, or the exception."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return data
                data += chunk
        except (ConnectionResetError, socket.timeout) as exc:
            return exc


def raw_request(method, path, headers, body=b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def calls(c: Client, query="") -> list:
    return json.loads(c.control("GET", "/__fake/calls" + query).body)


def faults(c: Client, method="GET", body=None, query=""):
    if body is None:
        r = c.send(method, "/__fake/faults" + query)
    else:
        r = c.send(method, "/__fake/faults", json.dumps(body).encode(),
                   [("Content-Type", "application/json")])
    return r.status, (json.loads(r.body) if r.body else None)


# --------------------------------------------------------------------------------------------
# Web identity
# --------------------------------------------------------------------------------------------

def test_web_identity(c: Client, port: int, token_file: str, check: Checker, secrets: set):
    token = "eyJ.token-one." + "x" * 40
    write(token_file, token + "\n")  # trailing newline, as kubelet may write: stripped
    secrets.add(token)

    # botocore as the client: proves the XML parses the way an SDK expects.
    sts = sts_client(port)
    before = time.time()
    try:
        out = sts.assume_role_with_web_identity(RoleArn=ROLE_GW, RoleSessionName="sdk-session",
                                                WebIdentityToken=token)
    except ClientError as exc:
        out = {"error": str(exc)}
    cr = out.get("Credentials", {})
    exp = cr.get("Expiration")
    check("botocore parses AssumeRoleWithWebIdentity",
          re.fullmatch(r"ASIA[A-Z0-9]{16}", cr.get("AccessKeyId", "")) is not None
          and len(cr.get("SecretAccessKey", "")) >= 40 and len(cr.get("SessionToken", "")) > 300
          and exp is not None and 3590 <= exp.timestamp() - before <= 3602
          and out.get("AssumedRoleUser", {}).get("Arn")
          == f"arn:aws:sts::{ACCOUNT}:assumed-role/gateway/sdk-session"
          and out["AssumedRoleUser"].get("AssumedRoleId", "").startswith("AROA")
          and out["AssumedRoleUser"]["AssumedRoleId"].endswith(":sdk-session")
          and out.get("Audience") == "sts.amazonaws.com"
          and out.get("SubjectFromWebIdentityToken"), out)
    if cr:
        secrets.update((cr["SecretAccessKey"], cr["SessionToken"]))

    r = web_identity(c, token)
    d = sts_creds(r)
    check("raw answer: text/xml, namespace, ISO-8601 Z, RequestId = header",
          r.headers.get("Content-Type") == "text/xml"
          and d.get("root") == f"{{{NS}}}AssumeRoleWithWebIdentityResponse"
          and ISO_Z.fullmatch(d.get("Expiration") or "") is not None
          and parsed(r).findtext("s:ResponseMetadata/s:RequestId", None, N)
          == r.headers.get("x-amzn-RequestId"), r.body[:600])
    if not d:
        return None
    secrets.update((d["SecretAccessKey"], d["SessionToken"]))
    issued = creds_of(d)

    r = whoami(c, issued)
    w = r.json() if r.status == 200 else {}
    check("issued credentials accepted by Lambda; whoami reports the role",
          w.get("accessKeyId") == issued.access_key and w.get("roleArn") == ROLE_GW, r)
    w = whoami(c, DEFAULT).json()
    check("whoami: roleArn null for a configured static key", "roleArn" in w
          and w["roleArn"] is None, w)

    r = web_identity(c, "wrong-token-value")
    check_sts_error(check, "wrong token -> 400 InvalidIdentityToken", r, 400,
                    "InvalidIdentityToken")
    r = web_identity(c, token + "\n")
    check_sts_error(check, "token with a trailing newline -> InvalidIdentityToken", r, 400,
                    "InvalidIdentityToken")

    new_token = "eyJ.token-two." + "y" * 40
    write(token_file, new_token)
    secrets.add(new_token)
    r = web_identity(c, token)
    check_sts_error(check, "rotated file: old token -> InvalidIdentityToken", r, 400,
                    "InvalidIdentityToken")
    r = web_identity(c, new_token)
    check("rotated file: new token accepted", r.status == 200 and sts_creds(r), r.body[:300])
    secrets.update(sts_creds(r).get(k, "") for k in ("SecretAccessKey", "SessionToken"))

    # A JWT: its claims fill the answer; an expired one is ExpiredTokenException.
    claims = {"sub": "system:serviceaccount:gw:lambdagate", "aud": ["sts.amazonaws.com"],
              "iss": "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
              "exp": int(time.time()) + 3600}
    good_jwt = jwt(claims)
    write(token_file, good_jwt)
    r = web_identity(c, good_jwt)
    root = parsed(r)
    check("JWT claims -> SubjectFromWebIdentityToken, Provider, Audience", r.status == 200
          and root.findtext(".//s:SubjectFromWebIdentityToken", None, N) == claims["sub"]
          and root.findtext(".//s:Provider", None, N) == claims["iss"]
          and root.findtext(".//s:Audience", None, N) == "sts.amazonaws.com", r.body[:300])
    old_jwt = jwt({**claims, "exp": int(time.time()) - 10})
    write(token_file, old_jwt)
    r = web_identity(c, old_jwt)
    check_sts_error(check, "expired JWT -> 400 ExpiredTokenException", r, 400,
                    "ExpiredTokenException", "Token expired")
    write(token_file, new_token)

    r = web_identity(c, new_token, role=f"arn:aws:iam::{ACCOUNT}:role/not-allowed")
    check_sts_error(check, "role not allowed -> 403 AccessDenied", r, 403, "AccessDenied",
                    "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    r = web_identity(c, new_token, role="arn:aws:s3:::some-bucket-name")
    check_sts_error(check, "not a role ARN -> 400 ValidationError", r, 400, "ValidationError",
                    "Request ARN is invalid")
    for session in ("a", "bad name!", "x" * 65):
        r = web_identity(c, new_token, session=session)
        check_sts_error(check, f"RoleSessionName {session[:10]!r} -> 400 ValidationError", r,
                        400, "ValidationError", "1 validation error detected")
    r = web_identity(c, new_token, session="a+b=c,d.e@f-g_h")
    check("RoleSessionName with every allowed punctuation", r.status == 200, r.body[:300])
    r = web_identity(c, new_token, DurationSeconds="899")
    check_sts_error(check, "DurationSeconds 899 -> ValidationError", r, 400, "ValidationError")
    t = time.time()
    r = web_identity(c, new_token, DurationSeconds="900")
    d = sts_creds(r)
    check("DurationSeconds 900 shortens the 3600 s lifetime", d and 895 <= expiration_epoch(
        d["Expiration"]) - t <= 902, d.get("Expiration"))

    # Transport variants: parameters in the query string (POST with empty body, GET); a signed
    # request (Authorization is ignored, even with a wrong secret).
    query = web_identity_body(new_token).decode()
    r = c.send("POST", "/?" + query, b"", [FORM])
    check("parameters in the query string (POST)", r.status == 200, r.body[:300])
    r = c.send("GET", "/?" + query)
    check("parameters in the query string (GET)", r.status == 200, r.body[:300])
    rec = calls(c, "?service=sts")[-1]
    check("token redacted from the recorded rawQuery", new_token not in rec["rawQuery"]
          and "WebIdentityToken=REDACTED" in rec["rawQuery"], rec["rawQuery"][:200])
    r = c.call("POST", "/", web_identity_body(new_token), [FORM],
               creds=Credentials(DEFAULT.access_key, "wrong"), service="sts")
    check("AssumeRoleWithWebIdentity ignores an Authorization header", r.status == 200,
          r.body[:300])
    r = c.send("POST", "/", b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15",
               [("Content-Type", "application/json")])
    check_sts_error(check, "non-form body is not read -> MissingAction", r, 400,
                    "MissingAction")
    r = c.send("POST", "/", b"Action=GetFederationToken&Version=2011-06-15", [FORM])
    check_sts_error(check, "unknown Action -> InvalidAction", r, 400, "InvalidAction")
    r = c.send("POST", "/", b"Action=AssumeRoleWithWebIdentity", [FORM])
    check_sts_error(check, "no Version -> InvalidAction", r, 400, "InvalidAction",
                    "Could not find operation AssumeRoleWithWebIdentity for version "
                    "NO_VERSION_SPECIFIED")
    return issued


# --------------------------------------------------------------------------------------------
# AssumeRole
# --------------------------------------------------------------------------------------------

def test_assume_role(c: Client, port: int, issued: Credentials, check: Checker, secrets: set):
    sts = sts_client(port, issued)
    try:
        out = sts.assume_role(RoleArn=ROLE_CHAIN, RoleSessionName="hop2")
    except ClientError as exc:
        out = {"error": str(exc)}
    cr = out.get("Credentials", {})
    check("botocore AssumeRole signed with issued credentials (role chaining)",
          cr.get("AccessKeyId", "").startswith("ASIA")
          and out.get("AssumedRoleUser", {}).get("Arn")
          == f"arn:aws:sts::{ACCOUNT}:assumed-role/chained-target/hop2", out)
    if cr:
        secrets.update((cr["SecretAccessKey"], cr["SessionToken"]))
        chained = Credentials(cr["AccessKeyId"], cr["SecretAccessKey"], cr["SessionToken"])
        w = whoami(c, chained).json()
        check("whoami sees the chained role", w.get("roleArn") == ROLE_CHAIN
              and w.get("accessKeyId") == chained.access_key, w)

    r = assume_role(c, DEFAULT)
    d = sts_creds(r)
    check("AssumeRole signed with a static key", r.status == 200
          and d.get("root") == f"{{{NS}}}AssumeRoleResponse", r.body[:300])
    if d:
        secrets.update((d["SecretAccessKey"], d["SessionToken"]))
    r = assume_role(c, issued, DurationSeconds="7200")
    check_sts_error(check, "chained DurationSeconds 7200 -> ValidationError", r, 400,
                    "ValidationError", "The requested DurationSeconds exceeds the 1 hour")
    r = assume_role(c, DEFAULT, role=f"arn:aws:iam::{ACCOUNT}:role/not-allowed")
    check_sts_error(check, "AssumeRole of a role not allowed -> 403 AccessDenied", r, 403,
                    "AccessDenied")

    body = urlencode({"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_CHAIN,
                      "RoleSessionName": "x1"}).encode()
    r = c.send("POST", "/", body, [FORM])
    check_sts_error(check, "unsigned AssumeRole -> 403 MissingAuthenticationToken", r, 403,
                    "MissingAuthenticationToken")
    r = assume_role(c, Credentials(issued.access_key, "wrong-secret", issued.token))
    check_sts_error(check, "bad signature -> 403 SignatureDoesNotMatch", r, 403,
                    "SignatureDoesNotMatch")
    hdrs = c.sign("POST", "/", body, [FORM], creds=DEFAULT, service="sts")
    r = c.send("POST", "/", body.replace(b"x1", b"x2"), hdrs)
    check_sts_error(check, "tampered body -> 403 SignatureDoesNotMatch", r, 403,
                    "SignatureDoesNotMatch")
    r = c.call("POST", "/", body, [FORM], creds=DEFAULT, service="lambda")
    check_sts_error(check, "scoped to lambda, not sts -> SignatureDoesNotMatch", r, 403,
                    "SignatureDoesNotMatch", "Credential should be scoped to correct service")
    r = assume_role(c, Credentials("ASIAUNKNOWNKEY000000", "s", "t"))
    check_sts_error(check, "unknown key -> 403 InvalidClientTokenId", r, 403,
                    "InvalidClientTokenId")
    r = assume_role(c, Credentials(issued.access_key, issued.secret_key, "wrong-token"))
    check_sts_error(check, "wrong session token -> 403 InvalidClientTokenId", r, 403,
                    "InvalidClientTokenId")

    recs = calls(c, "?service=sts&operation=AssumeRole&status=200")
    rec = recs[-1] if recs else {}
    check("AssumeRole call record", rec.get("signatureValid") is True
          and rec.get("accessKeyId") == DEFAULT.access_key and rec.get("roleArn") == ROLE_CHAIN
          and rec.get("callerRoleArn") is None
          and (rec.get("issuedAccessKeyId") or "").startswith("ASIA")
          and ISO_Z.fullmatch(rec.get("expiration") or ""), rec)
    chained_recs = [x for x in recs if x.get("callerRoleArn") == ROLE_GW]
    check("chained AssumeRole records the caller's role",
          len(chained_recs) == 1 and chained_recs[0]["accessKeyId"] == issued.access_key,
          chained_recs)
    bad = calls(c, "?service=sts&operation=AssumeRole&errorType=SignatureDoesNotMatch")
    check("bad signatures recorded", len(bad) == 3 and all(
        x["signatureValid"] is False for x in bad), bad)


# --------------------------------------------------------------------------------------------
# Expiry (the short-lifetime fake)
# --------------------------------------------------------------------------------------------

def test_expiry(c: Client, token_file: str, check: Checker, secrets: set):
    token = "eyJ.short-lived." + "z" * 30
    write(token_file, token)
    secrets.add(token)
    t = time.time()
    r = web_identity(c, token, DurationSeconds="900")  # may not lengthen a short lifetime
    d = sts_creds(r)
    if not d:
        check("short-lived web identity credentials", False, r.body[:300])
        return
    secrets.update((d["SecretAccessKey"], d["SessionToken"]))
    expires = expiration_epoch(d["Expiration"])
    check(f"--credential-lifetime {SHORT_LIFETIME} wins over DurationSeconds 900",
          SHORT_LIFETIME - 0.5 <= expires - t <= SHORT_LIFETIME + 1.5, (d["Expiration"], t))
    issued = creds_of(d)
    r = whoami(c, issued)
    check("short-lived credentials accepted before Expiration", r.status == 200
          and r.json().get("roleArn") == ROLE_GW, r)
    r = assume_role(c, issued, role=ROLE_GW)
    check("AssumeRole with them before Expiration", r.status == 200, r.body[:300])
    secrets.update(sts_creds(r).get(k, "") for k in ("SecretAccessKey", "SessionToken"))
    time.sleep(max(0.0, expires - time.time()) + 0.2)
    r = whoami(c, issued)
    check.error("after Expiration: Lambda 403 ExpiredTokenException", r, 403,
                "ExpiredTokenException", "The security token included in the request is expired")
    r = assume_role(c, issued, role=ROLE_GW)
    check_sts_error(check, "after Expiration: STS 403 ExpiredToken", r, 403, "ExpiredToken",
                    "The security token included in the request is expired")


# --------------------------------------------------------------------------------------------
# Container credentials (EKS Pod Identity agent)
# --------------------------------------------------------------------------------------------

def test_container(c: Client, port: int, token_file: str, check: Checker, secrets: set):
    token = "pod-identity-token-" + "p" * 20
    write(token_file, token + "\n")
    secrets.add(token)
    url = f"http://127.0.0.1:{port}/v1/credentials"
    try:
        loaded = ContainerProvider(environ={"AWS_CONTAINER_CREDENTIALS_FULL_URI": url,
                                            "AWS_CONTAINER_AUTHORIZATION_TOKEN": token}).load()
        frozen = loaded.get_frozen_credentials()
    except Exception as exc:  # noqa: BLE001 - report
        frozen = exc
    ok = isinstance(frozen, tuple) and frozen.access_key.startswith("ASIA")
    check("botocore ContainerProvider loads the credentials", ok, frozen)
    if ok:
        secrets.update((frozen.secret_key, frozen.token))
        w = whoami(c, Credentials(*frozen)).json()
        check("container credentials accepted by Lambda, role reported",
              w.get("roleArn") == ROLE_POD, w)

    r = c.send("GET", "/v1/credentials", headers=[("Authorization", token)])
    body = r.json() if r.status == 200 else {}
    check("JSON shape: AccessKeyId SecretAccessKey Token AccountId Expiration",
          r.headers.get("Content-Type") == "application/json"
          and list(body) == ["AccessKeyId", "SecretAccessKey", "Token", "AccountId",
                             "Expiration"]
          and body["AccountId"] == ACCOUNT and ISO_Z.fullmatch(body["Expiration"]), r.body[:300])
    secrets.update(body.get(k, "") for k in ("SecretAccessKey", "Token"))
    r = c.send("GET", "/v1/credentials")
    check("no Authorization -> 400 (agent: token cannot be empty)", r.status == 400
          and r.headers.get("Content-Type", "").startswith("text/plain"), r)
    r = c.send("GET", "/v1/credentials", headers=[("Authorization", "not-the-token")])
    check("wrong Authorization -> 401", r.status == 401, r)
    write(token_file, token + "-rotated")
    secrets.add(token + "-rotated")
    r1 = c.send("GET", "/v1/credentials", headers=[("Authorization", token)])
    r2 = c.send("GET", "/v1/credentials", headers=[("Authorization", token + "-rotated")])
    check("rotated file: old token 401, new token 200", (r1.status, r2.status) == (401, 200),
          (r1.status, r2.status))
    secrets.update(json.loads(r2.body).get(k, "") for k in ("SecretAccessKey", "Token")
                   if r2.status == 200)
    recs = calls(c, "?service=container")
    check("container calls recorded", len(recs) >= 5 and recs[-1]["roleArn"] == ROLE_POD
          and recs[-1]["operation"] == "GetCredentials" and recs[-1]["status"] == 200
          and "authorization" not in recs[-1]["headers"], recs[-1:])


def test_call_log(c: Client, token_file: str, check: Checker, secrets: set):
    c.control("POST", "/__fake/reset")
    with open(token_file) as f:
        token = f.read().strip()
    web_identity(c, token)
    web_identity(c, token, role=ROLE_CHAIN + "-2")
    one = calls(c, f"?service=sts&roleArn={ROLE_GW}")
    check("exactly one STS call for the role", len(one) == 1
          and one[0]["operation"] == "AssumeRoleWithWebIdentity"
          and one[0]["signatureValid"] is None and one[0]["roleSessionName"]
          == "lambdagate-test", one)


def test_no_secrets_recorded(c: Client, check: Checker, secrets: set, label: str):
    text = c.control("GET", "/__fake/calls").body.decode()
    leaked = [s[:12] + "…" for s in secrets if s and len(s) >= 8 and s in text]
    check(f"no token or secret in the {label} call log ({len(secrets)} checked)", not leaked,
          leaked)


def test_no_secrets_logged(paths: list[str], check: Checker, secrets: set):
    for path in paths:
        with open(path, errors="replace") as f:
            text = f.read()
        leaked = [s[:12] + "…" for s in secrets if s and len(s) >= 8 and s in text]
        check(f"no token or secret in {os.path.basename(path)} ({len(text.splitlines())} "
              f"lines)", not leaked and text, leaked)


# --------------------------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------------------------

def test_faults(c: Client, port: int, token_file: str, check: Checker):
    with open(token_file) as f:
        token = f.read().strip()
    faults(c, "DELETE")

    # Validation: bad rules are refused whole, nothing is added.
    for bad in ({"service": "sts", "mode": "explode"}, {"service": "sts", "mode": "slow"},
                {"service": "s3", "mode": "down"}, {"service": "sts", "mode": "down", "x": 1},
                {"service": "lambda", "mode": "status"},
                [{"service": "sts", "mode": "down"}, {"service": "sts", "mode": "status",
                                                      "status": "500"}]):
        status, _ = faults(c, "POST", bad)
        check(f"bad rule refused: {json.dumps(bad)[:60]}", status == 400, status)
    check("nothing added by refused rules", faults(c)[1] == {"rules": []}, faults(c))

    # down
    status, added = faults(c, "POST", {"service": "sts", "mode": "down"})
    check("POST /__fake/faults", status == 200 and added["rules"][0]["id"] >= 1, added)
    r = web_identity(c, token)
    check_sts_error(check, "sts down -> 503 ServiceUnavailable (Receiver)", r, 503,
                    "ServiceUnavailable")
    rules = faults(c)[1]["rules"]
    check("GET /__fake/faults shows the rule and its hits", len(rules) == 1
          and rules[0]["mode"] == "down" and rules[0]["hits"] == 1 and rules[0]["count"] is None,
          rules)
    r = whoami(c, DEFAULT)
    check("an sts rule leaves Lambda alone", r.status == 200, r)
    status, out = faults(c, "DELETE")
    check("DELETE /__fake/faults", status == 200 and out["removed"] == 1, out)
    check("sts answers again after DELETE", web_identity(c, token).status == 200)

    # refuse: the connection closes without an answer (raw socket: no client retry).
    faults(c, "POST", {"service": "sts", "mode": "refuse", "count": 1})
    body = web_identity_body(token)
    got = raw_exchange(port, raw_request("POST", "/", [("Host", "127.0.0.1"), FORM], body))
    check("sts refuse -> connection closed, no bytes", got == b"", got)

    # slow
    faults(c, "POST", {"service": "sts", "mode": "slow", "delaySeconds": 1, "count": 1})
    t = time.monotonic()
    r = web_identity(c, token)
    slow = time.monotonic() - t
    t = time.monotonic()
    r2 = web_identity(c, token)
    fast = time.monotonic() - t
    check(f"sts slow 1 s -> answered after {slow:.2f} s, then {fast:.2f} s",
          r.status == 200 and 1.0 <= slow < 2.5 and r2.status == 200 and fast < 0.5)

    # throttle (botocore sees a Throttling ClientError)
    faults(c, "POST", {"service": "sts", "mode": "throttle"})
    r = web_identity(c, token)
    check_sts_error(check, "sts throttle -> 400 Throttling 'Rate exceeded'", r, 400,
                    "Throttling", "Rate exceeded")
    try:
        sts_client(port).assume_role_with_web_identity(RoleArn=ROLE_GW, RoleSessionName="sdk",
                                                       WebIdentityToken=token)
        code = None
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
    check("botocore parses the Throttling error", code == "Throttling", code)
    faults(c, "DELETE")

    # count
    faults(c, "POST", {"service": "sts", "mode": "throttle", "count": 2})
    statuses = [web_identity(c, token).status for _ in range(3)]
    check("count 2: two throttles, then OK", statuses == [400, 400, 200], statuses)
    check("a used-up rule disappears", faults(c)[1] == {"rules": []}, faults(c))

    # operation filter: AssumeRoleWithWebIdentity passes, AssumeRole fails.
    faults(c, "POST", {"service": "sts", "operation": "AssumeRole", "mode": "status",
                       "status": 500, "count": 1})
    r1 = web_identity(c, token)
    r2 = assume_role(c, DEFAULT)
    check("operation filter", r1.status == 200, r1.status)
    check_sts_error(check, "sts status 500 -> InternalFailure", r2, 500, "InternalFailure")

    # Lambda: 500 twice, then OK, only for the named function.
    faults(c, "POST", {"service": "lambda", "function": "uppercase", "mode": "status",
                       "status": 500, "count": 2})
    r = c.invoke("echo", b'"e"')
    check("function filter: other functions unaffected", r.status == 200, r)
    r1, r2 = c.invoke("uppercase", b'"u"'), c.invoke("uppercase", b'"u"')
    check.error("lambda status 500 (1st)", r1, 500, "ServiceException")
    check.error("lambda status 500 (2nd)", r2, 500, "ServiceException")
    r = c.invoke("uppercase", b'"u"')
    check("lambda: third call OK", r.status == 200 and r.body == b'"U"', r)

    # A badly signed call does not use up a counted rule.
    faults(c, "POST", {"service": "lambda", "function": "echo", "mode": "status",
                       "status": 500, "count": 1})
    r0 = c.invoke("echo", b'"e"', creds=Credentials(DEFAULT.access_key, "wrong"))
    r1, r2 = c.invoke("echo", b'"e"'), c.invoke("echo", b'"e"')
    check("faults apply after authentication", (r0.status, r1.status, r2.status)
          == (403, 500, 200), (r0.status, r1.status, r2.status))

    # Lambda 429 with Retry-After
    faults(c, "POST", {"service": "lambda", "mode": "status", "status": 429, "retryAfter": 1,
                       "count": 1})
    r = c.invoke("echo", b'"e"')
    check.error("lambda 429 TooManyRequestsException", r, 429, "TooManyRequestsException")
    check("429 carries Retry-After: 1 and a Reason", r.headers.get("Retry-After") == "1"
          and r.json().get("Reason") == "ConcurrentInvocationLimitExceeded", dict(r.headers))

    # Lambda reset: RST after the request was read.
    faults(c, "POST", {"service": "lambda", "function": "echo", "mode": "reset", "count": 1})
    path = INVOKE.format("echo")
    hdrs = c.sign("POST", path, b'"r"')
    got = raw_exchange(port, raw_request("POST", path, [("Host", f"127.0.0.1:{port}"), *hdrs],
                                         b'"r"'))
    check("lambda reset -> connection reset by peer", isinstance(got, ConnectionResetError),
          got)
    rec = calls(c, "?function=echo")[-1]
    check("reset recorded: status 0, fault reset", rec["status"] == 0
          and rec["fault"] == "reset", rec)

    # Lambda slow, and a slow rule followed by a failing one (delays then fails).
    faults(c, "POST", [{"service": "lambda", "mode": "slow", "delaySeconds": 0.5, "count": 1},
                       {"service": "lambda", "mode": "throttle", "count": 1}])
    t = time.monotonic()
    r = c.invoke("echo", b'"s"')
    took = time.monotonic() - t
    check(f"lambda slow 0.5 s + throttle -> 429 after {took:.2f} s", r.status == 429
          and took >= 0.5 and r.headers.get("Retry-After") == "1", r)

    # Container endpoint faults; DELETE ?id=N removes one rule.
    _, a = faults(c, "POST", {"service": "container", "mode": "down"})
    r = c.send("GET", "/v1/credentials", headers=[("Authorization", "whatever")])
    check("container down -> 503 text/plain", r.status == 503
          and r.headers.get("Content-Type", "").startswith("text/plain"), r)
    _, out = faults(c, "DELETE", query=f"?id={a['rules'][0]['id']}")
    check("DELETE ?id=N removes that rule", out["removed"] == 1 and faults(c)[1]["rules"] == [],
          out)
    recs = calls(c, "?fault=down")
    check("faulted calls are recorded with their fault", len(recs) >= 2
          and {x["service"] for x in recs} >= {"sts", "container"}, recs[-2:])
    faults(c, "DELETE")


def test_https(port: int, ca: str, check: Checker):
    c = Client(port, ssl.create_default_context(cafile=ca), host="localhost")
    r = web_identity(c, "any-token-accepted")  # no --web-identity-token-file on this fake
    check("HTTPS: AssumeRoleWithWebIdentity", r.status == 200 and sts_creds(r), r.body[:200])
    r = assume_role(c, DEFAULT, role=ROLE_GW)
    d = sts_creds(r)
    check("HTTPS: AssumeRole signed", r.status == 200 and d, r.body[:200])
    if d:
        r = c.invoke("whoami", creds=creds_of(d))
        check("HTTPS: issued credentials accepted", r.status == 200
              and r.json()["roleArn"] == ROLE_GW, r)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--container-token-file", required=True)
    p.add_argument("--short-port", type=int, required=True)
    p.add_argument("--https-port", type=int)
    p.add_argument("--ca")
    p.add_argument("--log", action="append", default=[],
                   help="a fake's stderr log that must not contain any token or secret")
    args = p.parse_args()
    check = Checker()
    t0 = time.monotonic()
    secrets: set = set()
    c = Client(args.port)
    c.control("POST", "/__fake/reset")
    c.send("DELETE", "/__fake/faults")

    check.prefix = "[sts] "
    issued = test_web_identity(c, args.port, args.token_file, check, secrets)
    if issued:
        test_assume_role(c, args.port, issued, check, secrets)
    check.prefix = "[container] "
    test_container(c, args.port, args.container_token_file, check, secrets)
    check.prefix = "[expiry] "
    short = Client(args.short_port)
    test_expiry(short, args.token_file, check, secrets)
    check.prefix = "[log] "
    test_no_secrets_recorded(c, check, secrets, "main")
    test_no_secrets_recorded(short, check, secrets, "short-lifetime")
    test_call_log(c, args.token_file, check, secrets)
    check.prefix = "[faults] "
    test_faults(c, args.port, args.token_file, check)
    if args.https_port:
        check.prefix = "[https] "
        test_https(args.https_port, args.ca, check)
    if args.log:
        check.prefix = "[log] "
        test_no_secrets_logged(args.log, check, secrets)

    print(f"\n{check.passed} passed, {len(check.failed)} failed "
          f"in {time.monotonic() - t0:.1f}s")
    for name in check.failed:
        print(f"  FAILED: {name}")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
