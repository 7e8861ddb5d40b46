#!/usr/bin/python3
"""Self-test for fake_aws: signs requests with botocore *as a client* and checks the answers.

Expects fakes already running (tests/integration/test_fake_aws.sh starts them):
  selftest.py --http-port P [--https-port P --ca CA.pem] [--untrusted-port P] [--bulk-port P]
The fakes must accept the default key and SESSION_AKID/SESSION_SECRET/SESSION_TOKEN below. The
--bulk-port fake must run with --extra-functions 60 (ListFunctions paging, runtime functions).
Exit status 0 when every check passes.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
from types import SimpleNamespace
from unittest import mock

import botocore.auth
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eventstream  # noqa: E402  (the fake's encoder, checked against the spec's vectors)

REGION = "us-east-1"
ACCOUNT = "123456789012"
DEFAULT = Credentials("AKIDFAKEEXAMPLE", "fake-secret-key-for-tests")
SESSION_AKID, SESSION_SECRET, SESSION_TOKEN = "ASIAFAKESESSION", "session-secret", "session-tok"
SESSION = Credentials(SESSION_AKID, SESSION_SECRET, SESSION_TOKEN)

INVOKE = "/2015-03-31/functions/{}/invocations"
STREAM = "/2021-11-15/functions/{}/response-streaming-invocations"
LIST_FUNCTIONS = "/2015-03-31/functions/"
SYNC_LIMIT, ASYNC_LIMIT = 6291456, 1048576


# --------------------------------------------------------------------------------------------
# A tiny SigV4 client: botocore signs, http.client sends exactly the path we choose.
# --------------------------------------------------------------------------------------------

class Result(SimpleNamespace):
    def json(self):
        return json.loads(self.body)

    def error_type(self):
        value = self.headers.get("x-amzn-ErrorType") or ""
        return value.split(":", 1)[0]


class _SignEverything(SigV4Auth):
    """A client that also signs User-Agent (botocore's own client never does); AWS accepts it."""

    def headers_to_sign(self, request):
        hm = HTTPHeaders()
        for name, value in request.headers.items():
            hm[name.lower()] = value
        if "host" not in hm:
            hm["host"] = botocore.auth._host_from_url(request.url)
        return hm


class Client:
    def __init__(self, port: int, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"):
        self.port, self.tls, self.host = port, tls, host
        self.scheme = "https" if tls else "http"
        self.conn = None

    def _connection(self):
        if self.conn is None:
            if self.tls:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.tls,
                                                        timeout=30)
            else:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        return self.conn

    def sign(self, method, path, body=b"", headers=None, creds=DEFAULT, service="lambda",
             region=REGION, params=None, auth_cls=SigV4Auth):
        """Returns the headers botocore produced (a list, so repeated headers survive)."""
        url = f"{self.scheme}://{self.host}:{self.port}{path}"
        req = AWSRequest(method=method, url=url, data=body, params=params)
        for k, v in (headers or []):
            req.headers[k] = v  # HTTPHeaders appends: repeats are kept
        auth_cls(creds, service, region).add_auth(req)
        return list(req.headers.items())

    def send(self, method, path, body=b"", headers=(), chunked=False) -> Result:
        for attempt in range(2):  # one reconnect if the server closed an idle connection
            conn = self._connection()
            try:
                conn.putrequest(method, path, skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                if chunked:
                    conn.putheader("Transfer-Encoding", "chunked")
                    conn.endheaders()
                    for i in range(0, len(body), 7):
                        piece = body[i:i + 7]
                        conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                    conn.send(b"0\r\n\r\n")
                else:
                    if method != "GET" or body:
                        conn.putheader("Content-Length", str(len(body)))
                    conn.endheaders(body or None)
                resp = conn.getresponse()
                data = resp.read()
                return Result(status=resp.status, headers=resp.headers, body=data)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def call(self, method, path, body=b"", headers=None, **sign_kw) -> Result:
        return self.send(method, path, body, self.sign(method, path, body, headers, **sign_kw))

    def invoke(self, function, payload=b"{}", headers=None, **kw) -> Result:
        return self.call("POST", INVOKE.format(function), payload, headers, **kw)

    def control(self, method, path, body=b"") -> Result:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        return self.send(method, path, body)

    def stream(self, function, payload=b"{}", headers=None, query="", close_after=None,
               **sign_kw) -> "StreamResult":
        """InvokeWithResponseStream on a connection of its own, read as it arrives and decoded
        with botocore's EventStreamBuffer. ``close_after``: hang up after that many messages."""
        path = STREAM.format(function) + query
        signed = self.sign("POST", path, payload, headers, **sign_kw)
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=30)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        out = StreamResult(status=None, headers={}, body=b"", messages=[], times=[],
                           incomplete=False, error=None)
        try:
            conn.putrequest("POST", path, skip_accept_encoding=True)
            for k, v in signed:
                conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(payload)))
            conn.endheaders(payload)
            t0 = time.monotonic()
            resp = conn.getresponse()
            out.status, out.headers = resp.status, resp.headers
            if resp.headers.get("Content-Type") != eventstream_content_type():
                out.body = resp.read()
                return out
            buf = EventStreamBuffer()
            while True:
                try:
                    data = resp.read1(65536)
                except http.client.IncompleteRead:
                    out.incomplete = True
                    break
                if not data:
                    break
                buf.add_data(data)
                for msg in buf:
                    out.messages.append(msg)
                    out.times.append(time.monotonic() - t0)
                if close_after is not None and len(out.messages) >= close_after:
                    break
        except Exception as exc:  # noqa: BLE001 - a decoding error is a finding, not a crash
            out.error = exc
        finally:
            conn.close()
        return out


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def eventstream_content_type():
    return "application/vnd.amazon.eventstream"


class StreamResult(SimpleNamespace):
    def events(self):
        return [m.headers.get(":event-type") for m in self.messages]

    def chunks(self):
        return [m.payload for m in self.messages
                if m.headers.get(":event-type") == "PayloadChunk"]

    def complete(self):
        """The InvokeComplete payload as a dict (None if there is none)."""
        for m in self.messages:
            if m.headers.get(":event-type") == "InvokeComplete":
                return json.loads(m.payload)
        return None


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed: list[str] = []
        self.prefix = ""

    def __call__(self, name, cond, detail=""):
        label = f"{self.prefix}{name}"
        if cond:
            self.passed += 1
            print(f"ok   {label}")
        else:
            self.failed.append(label)
            print(f"FAIL {label}: {detail}")

    def error(self, name, r: Result, status, code, message_start=None):
        detail = f"got {r.status} {r.error_type()} {r.body[:300]!r}"
        ok = r.status == status and r.error_type() == code
        if ok:
            try:
                body = r.json()
                ok = (body.get("Type") in ("User", "Service")
                      and isinstance(body.get("message"), str))
                if message_start:
                    ok = ok and body["message"].startswith(message_start)
            except ValueError:
                ok = False
            ok = ok and r.headers.get("Content-Type") == "application/json"
        self(name, ok, detail)


def fixed_clock(epoch: float):
    """Make botocore sign as if it were ``epoch`` (it reads datetime.datetime.utcnow())."""
    class _DT(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcfromtimestamp(epoch)
    return mock.patch.object(botocore.auth, "datetime", SimpleNamespace(datetime=_DT))


def test_functions(c: Client, check: Checker):
    r = c.invoke("uppercase", b'"abc"')
    check("uppercase \"abc\" -> \"ABC\"", r.status == 200 and r.body == b'"ABC"', r)
    check("sync response headers",
          r.headers.get("Content-Type") == "application/json"
          and r.headers.get("X-Amz-Executed-Version") == "$LATEST"
          and r.headers.get("x-amzn-RequestId"), dict(r.headers))
    r = c.invoke("uppercase", b'{"a":"x","b":["y",1,{"c":"z"}],"n":null}')
    check("uppercase recurses into JSON",
          r.status == 200 and r.json() == {"a": "X", "b": ["Y", 1, {"c": "Z"}], "n": None}, r)

    payload = '{ "k" :  "v\u00e9\u4e2d" ,\n "n": 1.50 }'.encode()
    r = c.invoke("echo", payload)
    check("echo is byte-exact", r.status == 200 and r.body == payload, r)

    r = c.invoke("fail")
    check("fail -> 200 + X-Amz-Function-Error: Unhandled",
          r.status == 200 and r.headers.get("X-Amz-Function-Error") == "Unhandled"
          and r.json() == {"errorMessage": "boom", "errorType": "Error",
                           "stackTrace": ["at handler (index.js:1:1)"]}, r)

    r = c.invoke("whoami", headers=[("X-Custom-Thing", "hello"), ("X-Amz-Client-Context",
                                     base64.b64encode(b'{"custom":{"a":"b"}}').decode())])
    w = r.json() if r.status == 200 else {}
    check("whoami describes the call",
          w.get("functionName") == "whoami" and w.get("qualifier") is None
          and w.get("executedVersion") == "$LATEST"
          and w.get("invokedArn") == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:whoami"
          and w.get("accessKeyId") == DEFAULT.access_key
          and w.get("invocationType") == "RequestResponse", w)
    check("whoami shows headers, minus authorization",
          w.get("headers", {}).get("x-custom-thing") == "hello"
          and "authorization" not in w.get("headers", {})
          and "x-amz-date" in w.get("headers", {}), w.get("headers"))

    r = c.invoke("nosuchfunction")
    check.error("unknown function -> 404", r, 404, "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:nosuchfunction")
    r = c.invoke("bad%2Fname")
    check.error("malformed function name -> 400", r, 400, "ValidationException")

    # Payload rules.
    r = c.invoke("uppercase", b"")
    check("empty payload is accepted (null input)", r.status == 200 and r.body == b"null", r)
    r = c.invoke("uppercase", b"{not json")
    check.error("invalid JSON -> 400", r, 400, "InvalidRequestContentException",
                "Could not parse request body into json")
    r = c.invoke("echo", b"\xff\xfe")
    check.error("non-UTF-8 payload -> 400", r, 400, "InvalidRequestContentException")
    r = c.invoke("whoami", headers=[("X-Amz-Client-Context", "not base64!")])
    check.error("bad client context -> 400", r, 400, "InvalidRequestContentException")

    big = b'"' + b"a" * (SYNC_LIMIT - 2) + b'"'
    r = c.invoke("echo", big)
    check("sync payload of exactly 6 MiB accepted", r.status == 200 and r.body == big,
          (r.status, len(r.body)))
    r = c.invoke("echo", big[:-1] + b'a"')
    check.error("sync payload over 6 MiB -> 413", r, 413, "RequestTooLargeException")
    evt = b'"' + b"a" * (ASYNC_LIMIT - 2) + b'"'
    r = c.invoke("echo", evt, headers=[("X-Amz-Invocation-Type", "Event")])
    check("async payload of exactly 1 MiB accepted", r.status == 202, r.status)
    r = c.invoke("echo", evt[:-1] + b'a"', headers=[("X-Amz-Invocation-Type", "Event")])
    check.error("async payload over 1 MiB -> 413", r, 413, "RequestTooLargeException")

    # Invocation and log types.
    r = c.invoke("uppercase", b'"x"', headers=[("X-Amz-Invocation-Type", "Event")])
    check("Event -> 202, empty body", r.status == 202 and r.body == b""
          and r.headers.get("x-amzn-RequestId"), r)
    r = c.invoke("uppercase", b'"x"', headers=[("X-Amz-Invocation-Type", "DryRun")])
    check("DryRun -> 204, empty body", r.status == 204 and r.body == b"", r)
    r = c.invoke("uppercase", b'"x"', headers=[("X-Amz-Invocation-Type", "Bogus")])
    check.error("unknown invocation type -> 400", r, 400, "ValidationException")
    r = c.invoke("uppercase", b'"x"', headers=[("X-Amz-Log-Type", "Tail")])
    log = base64.b64decode(r.headers.get("X-Amz-Log-Result") or "").decode()
    check("Tail -> X-Amz-Log-Result", r.status == 200 and log.startswith("START RequestId: ")
          and "REPORT RequestId" in log, log)


def test_names_and_qualifiers(c: Client, check: Checker):
    def version(function, query=""):
        r = c.invoke(function + query, b'"q"') if not query else \
            c.call("POST", INVOKE.format(function) + query, b'"q"')
        return r.status, r.headers.get("X-Amz-Executed-Version"), r

    check("name:alias (prod -> 1)", version("uppercase%3Aprod")[:2] == (200, "1"))
    check("name:alias raw colon (live -> 2)", version("uppercase:live")[:2] == (200, "2"))
    check("?Qualifier=live -> 2", version("uppercase", "?Qualifier=live")[:2] == (200, "2"))
    check("name:1 plus ?Qualifier=1", version("uppercase%3A1", "?Qualifier=1")[:2] == (200, "1"))
    check("?Qualifier=%24LATEST", version("uppercase", "?Qualifier=%24LATEST")[:2]
          == (200, "$LATEST"))
    check("name:%24LATEST", version("uppercase%3A%24LATEST")[:2] == (200, "$LATEST"))
    r = version("uppercase%3A1", "?Qualifier=2")[2]
    check.error("qualifier in name and query disagree -> 400", r, 400,
                "InvalidParameterValueException")
    r = version("uppercase%3Anope")[2]
    check.error("unknown alias -> 404", r, 404, "ResourceNotFoundException")
    r = version("echo", "?Qualifier=1")[2]
    check.error("unpublished version -> 404", r, 404, "ResourceNotFoundException")

    # The same request signed over decoded params (as botocore's serializer does) but sent with a
    # raw '$': the server must canonicalize the query as UriEncode(decode(x)).
    path = INVOKE.format("uppercase")
    hdrs = c.sign("POST", path, b'"q"', params={"Qualifier": "$LATEST"})
    r = c.send("POST", path + "?Qualifier=$LATEST", b'"q"', hdrs)
    check("raw '$' in query verifies against encoded canonical form", r.status == 200, r)

    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:whoami:prod"
    for label, wire in (("full ARN, %3A-encoded", arn.replace(":", "%3A")),
                        ("full ARN, raw colons", arn)):
        r = c.invoke(wire)
        w = r.json() if r.status == 200 else {}
        check(f"{label} -> version 1", r.status == 200 and w.get("functionName") == "whoami"
              and w.get("qualifier") == "prod" and w.get("executedVersion") == "1"
              and w.get("invokedArn") == arn, (r.status, r.body[:300]))
    r = c.invoke(f"{ACCOUNT}%3Afunction%3Aecho", b'"p"')
    check("partial ARN", r.status == 200 and r.body == b'"p"', r)
    r = c.invoke(f"arn%3Aaws%3Alambda%3A{REGION}%3A{ACCOUNT}%3Afunction%3Aecho",
                 headers=[("X-Amz-Invocation-Type", "Event")])
    check("full ARN without qualifier, async", r.status == 202, r)
    r = c.invoke(f"arn%3Aaws%3Alambda%3Aeu-west-1%3A{ACCOUNT}%3Afunction%3Aecho")
    check.error("ARN in another region -> 404", r, 404, "ResourceNotFoundException")
    r = c.invoke(f"arn%3Aaws%3Alambda%3A{REGION}%3A999999999999%3Afunction%3Aecho")
    check.error("ARN in another account -> 404", r, 404, "ResourceNotFoundException")
    r = c.invoke("whoami%3Aprod", headers=[("X-Amz-Invocation-Type", "DryRun")])
    check("DryRun on an alias -> 204", r.status == 204, r)


def test_signatures(c: Client, check: Checker):
    path = INVOKE.format("echo")
    r = c.invoke("echo", b'"x"', creds=Credentials(DEFAULT.access_key, "wrong-secret"))
    check.error("wrong secret -> 403", r, 403, "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.")
    check("mismatch explains the canonical request",
          "The Canonical String for this request should have been" in r.body.decode(), r.body)
    r = c.invoke("echo", b'"x"', creds=Credentials("AKIDUNKNOWN", "whatever"))
    check.error("unknown access key -> 403", r, 403, "UnrecognizedClientException",
                "The security token included in the request is invalid.")

    hdrs = c.sign("POST", path, b'"original"')
    r = c.send("POST", path, b'"tampered"', hdrs)
    check.error("tampered body -> 403", r, 403, "InvalidSignatureException")
    r = c.send("POST", path.replace("echo", "whoami"), b'"original"', hdrs)
    check.error("tampered path -> 403", r, 403, "InvalidSignatureException")
    r = c.send("POST", path + "?Qualifier=%24LATEST", b'"original"', hdrs)
    check.error("added query -> 403", r, 403, "InvalidSignatureException")

    r = c.send("POST", path, b'"x"', [("Content-Type", "application/json")])
    check.error("unsigned -> 403", r, 403, "MissingAuthenticationTokenException")
    r = c.send("POST", path, b'"x"', [("Authorization", "AWS4-HMAC-SHA256 Credential=x")])
    check.error("malformed Authorization -> 403", r, 403, "IncompleteSignatureException")

    # Signed X-Amz-Content-SHA256 that lies about the body: botocore trusts the header, the
    # fake must not.
    lie = hashlib.sha256(b'"other"').hexdigest()
    r = c.invoke("echo", b'"x"', headers=[("X-Amz-Content-SHA256", lie)])
    check.error("lying X-Amz-Content-SHA256 -> 403", r, 403, "InvalidSignatureException")
    right = hashlib.sha256(b'"x"').hexdigest()
    r = c.invoke("echo", b'"x"', headers=[("X-Amz-Content-SHA256", right)])
    check("correct X-Amz-Content-SHA256 accepted", r.status == 200, r)

    hdrs = c.sign("POST", path, b'"x"', [("X-Amz-Meta-Gone", "1")])
    r = c.send("POST", path, b'"x"', [h for h in hdrs if h[0] != "X-Amz-Meta-Gone"])
    check.error("signed header missing from request -> 403", r, 403,
                "InvalidSignatureException")
    r = c.invoke("echo", b'"x"', region="eu-west-1")
    check.error("wrong region in scope -> 403", r, 403, "InvalidSignatureException",
                "Credential should be scoped to a valid region")
    r = c.invoke("echo", b'"x"', service="sts")
    check.error("wrong service in scope -> 403", r, 403, "InvalidSignatureException",
                "Credential should be scoped to correct service")
    with fixed_clock(time.time() - 600):
        r = c.invoke("echo", b'"x"')
    check.error("X-Amz-Date 10 min old -> 403", r, 403, "InvalidSignatureException",
                "Signature expired")
    with fixed_clock(time.time() + 600):
        r = c.invoke("echo", b'"x"')
    check.error("X-Amz-Date 10 min ahead -> 403", r, 403, "InvalidSignatureException",
                "Signature not yet current")
    with fixed_clock(time.time() - 240):
        r = c.invoke("echo", b'"x"')
    check("X-Amz-Date 4 min old still accepted", r.status == 200, r)

    # Session credentials.
    r = c.invoke("whoami", creds=SESSION)
    w = r.json() if r.status == 200 else {}
    check("session credentials accepted", r.status == 200
          and w.get("accessKeyId") == SESSION_AKID
          and "x-amz-security-token" not in w.get("headers", {}), r)
    hdrs = c.sign("POST", path, b'"x"', creds=SESSION)
    r = c.send("POST", path, b'"x"', [h for h in hdrs if h[0] != "X-Amz-Security-Token"])
    check.error("session key without its token -> 403", r, 403, "UnrecognizedClientException")
    r = c.invoke("echo", b'"x"', creds=Credentials(SESSION_AKID, SESSION_SECRET, "wrong"))
    check.error("session key with wrong token -> 403", r, 403, "UnrecognizedClientException")
    r = c.invoke("echo", b'"x"', creds=Credentials(DEFAULT.access_key, DEFAULT.secret_key,
                                                   "unexpected"))
    check.error("token on a long-term key -> 403", r, 403, "UnrecognizedClientException")

    # Canonicalization details a gateway's signer may exercise.
    r = c.invoke("whoami", headers=[("X-Amz-Meta-Multi", "a"), ("X-Amz-Meta-Multi", "b")])
    check("repeated signed header (joined with ',')", r.status == 200
          and r.json()["headers"].get("x-amz-meta-multi") == "a,b", r)
    r = c.invoke("echo", b'"x"', headers=[("X-Amz-Meta-Spaces", "  a   b  c ")])
    check("header value whitespace trimmed/collapsed", r.status == 200, r)
    r = c.invoke("echo", b'"x"', headers=[("User-Agent", "lambdagate/test")],
                 auth_cls=_SignEverything)
    check("signed User-Agent accepted", r.status == 200, r)
    hdrs = c.sign("POST", path, b'"chunked body"')
    r = c.send("POST", path, b'"chunked body"',
               [h for h in hdrs if h[0].lower() != "content-length"], chunked=True)
    check("chunked request body verified and echoed", r.status == 200
          and r.body == b'"chunked body"', r)
    r = c.call("GET", "/2015-03-31/nothing-here")
    check.error("unknown path -> 404", r, 404, "UnknownOperationException")


def test_keepalive(c: Client, check: Checker):
    c.invoke("echo")
    sock = c.conn.sock
    same = all(c.invoke("echo", b'"k"').status == 200 and c.conn.sock is sock
               for _ in range(20))
    check("20 requests on one keep-alive connection", same)


def test_calls_log(c: Client, check: Checker):
    check("reset", c.control("POST", "/__fake/reset").status == 200)
    arn = f"arn%3Aaws%3Alambda%3A{REGION}%3A{ACCOUNT}%3Afunction%3Awhoami%3Aprod"
    c.invoke(arn, b'{"a":1}', headers=[("X-Amz-Invocation-Type", "RequestResponse")])
    c.invoke("whoami", b'"x"', creds=Credentials(DEFAULT.access_key, "wrong"))
    c.invoke("uppercase", b'"y"', headers=[("X-Amz-Invocation-Type", "Event")])
    calls = json.loads(c.control("GET", "/__fake/calls").body)
    check("calls lists every AWS call since reset", len(calls) == 3, calls)
    who = json.loads(c.control("GET", "/__fake/calls?function=whoami").body)
    check("calls?function= filters", len(who) == 2 and all(x["function"] == "whoami"
                                                           for x in who), who)
    if len(who) == 2:
        ok, bad = who
        check("call record fields (accepted)",
              ok["service"] == "lambda" and ok["operation"] == "Invoke"
              and ok["qualifier"] == "prod" and ok["invocationType"] == "RequestResponse"
              and ok["rawPath"] == INVOKE.format(arn) and ok["status"] == 200
              and ok["signatureValid"] is True and ok["accessKeyId"] == DEFAULT.access_key
              and ok["bodyLength"] == 7, ok)
        check("call record fields (bad signature)",
              bad["status"] == 403 and bad["signatureValid"] is False
              and bad["errorType"] == "InvalidSignatureException", bad)
    evt = json.loads(c.control("GET", "/__fake/calls?function=uppercase").body)
    check("async call recorded", len(evt) == 1 and evt[0]["invocationType"] == "Event"
          and evt[0]["status"] == 202, evt)
    check("health", c.control("GET", "/__fake/health").body == b'{"ok":true}')
    c.control("POST", "/__fake/reset")
    check("reset clears the log", json.loads(c.control("GET", "/__fake/calls").body) == [])


def test_concurrency(port: int, tls, check: Checker, connections: int, per_conn: int):
    errors: list = []
    start = threading.Barrier(connections)

    def worker(i):
        c = Client(port, tls, host="localhost" if tls else "127.0.0.1")
        try:
            start.wait(timeout=30)
            for j in range(per_conn):
                body = json.dumps(f"c{i}-{j}").encode()
                r = c.invoke("echo", body)
                if r.status != 200 or r.body != body:
                    errors.append((i, j, r.status))
        except Exception as exc:  # noqa: BLE001 - report, don't crash the thread
            errors.append((i, repr(exc)))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check(f"{connections} concurrent keep-alive connections x {per_conn} requests "
          f"({time.monotonic() - t0:.1f}s)", not errors, errors[:5])


def test_tls(port: int, ca: str, untrusted_port: int | None, check: Checker):
    for host in ("localhost", "127.0.0.1"):
        ctx = ssl.create_default_context(cafile=ca)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
                    ctx.wrap_socket(raw, server_hostname=host) as s:
                check(f"TLS: server cert verifies for {host}", s.version() is not None)
        except (ssl.SSLError, OSError) as exc:
            check(f"TLS: server cert verifies for {host}", False, exc)
    if untrusted_port:
        ctx = ssl.create_default_context(cafile=ca)
        try:
            with socket.create_connection(("127.0.0.1", untrusted_port), timeout=5) as raw, \
                    ctx.wrap_socket(raw, server_hostname="localhost"):
                check("TLS: untrusted cert rejected by a CA-trusting client", False,
                      "handshake succeeded")
        except ssl.SSLCertVerificationError:
            check("TLS: untrusted cert rejected by a CA-trusting client", True)


# --------------------------------------------------------------------------------------------
# Response mapping functions, response streaming, function discovery
# --------------------------------------------------------------------------------------------

def test_eventstream_encoder(check: Checker):
    """The fake's encoder against aws-protocols.md §4's vectors and botocore's decoder."""
    m = eventstream.encode_message([], b'{"foo": "bar"}')
    check("eventstream: vector 1 (no headers)",
          m[:12].hex() == "0000001e00000000baf2f68a" and m[-4:].hex() == "ae7258e4", m.hex())
    m = eventstream.payload_chunk(b"hello")
    check("eventstream: vector 2 (PayloadChunk 'hello')",
          len(m) == 111 and m[:12].hex() == "0000006f0000005af5fe871f"
          and m[-4:].hex() == "29e71260", m.hex())
    buf = EventStreamBuffer()
    buf.add_data(m + eventstream.invoke_complete("Unhandled", "d"))
    msgs = list(buf)
    check("eventstream: botocore decodes the fake's messages",
          [x.headers for x in msgs] == [
              {":event-type": "PayloadChunk", ":content-type": "application/octet-stream",
               ":message-type": "event"},
              {":event-type": "InvokeComplete", ":content-type": "application/json",
               ":message-type": "event"}]
          and msgs[0].payload == b"hello"
          and json.loads(msgs[1].payload) == {"ErrorCode": "Unhandled", "ErrorDetails": "d",
                                              "LogResult": ""}, msgs)


def test_mapping_functions(c: Client, check: Checker):
    binary = bytes(range(256))
    b64 = base64.b64encode(binary).decode()
    v2 = {"version": "2.0", "rawPath": "/x", "headers": {"content-type": "image/png"},
          "body": b64, "isBase64Encoded": True}
    r = c.invoke("apigw", json.dumps(v2).encode())
    out = r.json() if r.status == 200 else {}
    check("apigw 2.0: statusCode, headers, cookies, body and flag echoed",
          out == {"statusCode": 201,
                  "headers": {"content-type": "image/png", "x-event-version": "2.0"},
                  "cookies": ["session=abc; Path=/; HttpOnly", "theme=dark"],
                  "body": b64, "isBase64Encoded": True}
          and base64.b64decode(out["body"]) == binary, r)
    v1 = {"resource": "/x", "path": "/x", "httpMethod": "POST",
          "headers": {"Content-Type": "text/plain"}, "multiValueHeaders": None,
          "body": "plain text", "isBase64Encoded": False}
    r = c.invoke("apigw", json.dumps(v1).encode())
    out = r.json() if r.status == 200 else {}
    check("apigw 1.0: multiValueHeaders with x-multi and set-cookie, no cookies",
          out == {"statusCode": 201,
                  "headers": {"content-type": "text/plain", "x-event-version": "1.0"},
                  "multiValueHeaders": {"x-multi": ["1", "2"],
                                        "set-cookie": ["session=abc; Path=/; HttpOnly",
                                                       "theme=dark"]},
                  "body": "plain text", "isBase64Encoded": False}, r)
    r = c.invoke("apigw", b'{"version":"1.0","body":null}')
    out = r.json() if r.status == 200 else {}
    check("apigw: no content-type -> application/octet-stream, body null",
          out.get("headers", {}).get("content-type") == "application/octet-stream"
          and out.get("body") is None and out.get("isBase64Encoded") is False, r)

    r = c.invoke("apigw-raw", json.dumps({"respond": "not json"}).encode())
    check("apigw-raw: respond verbatim", r.status == 200 and r.body == b"not json"
          and r.headers.get("X-Amz-Function-Error") is None, r)
    inner = json.dumps({"respond": '{"statusCode":"abc"}'}).encode()
    event = {"version": "2.0", "body": base64.b64encode(inner).decode(),
             "isBase64Encoded": True}
    r = c.invoke("apigw-raw", json.dumps(event).encode())
    check("apigw-raw: respond from a base64 event body", r.status == 200
          and r.body == b'{"statusCode":"abc"}', r)
    event = {"version": "1.0", "body": json.dumps({"respond": '{"hello":"world"}'}),
             "isBase64Encoded": False}
    r = c.invoke("apigw-raw", json.dumps(event).encode())
    check("apigw-raw: respond from a plain event body", r.status == 200
          and r.body == b'{"hello":"world"}', r)
    r = c.invoke("apigw-raw", json.dumps({"respondBase64": base64.b64encode(
        b"\xff\x00bin").decode()}).encode())
    check("apigw-raw: respondBase64 gives raw bytes", r.status == 200
          and r.body == b"\xff\x00bin", r)
    r = c.invoke("apigw-raw", b'{"other":1}')
    check("apigw-raw: no respond -> function error",
          r.status == 200 and r.headers.get("X-Amz-Function-Error") == "Unhandled", r)

    r = c.invoke("crash")
    out = r.json() if r.status == 200 else {}
    trace = out.get("stackTrace") or []
    check("crash: Unhandled, secret message, long multi-line stack trace",
          r.headers.get("X-Amz-Function-Error") == "Unhandled"
          and out.get("errorMessage") == "db password is hunter2"
          and len(trace) > 20 and all("\n" in f for f in trace)
          and "SECRET_STACK_FRAME" in "".join(trace), r.body[:200])


def _calls(c: Client, query: str) -> list:
    return json.loads(c.control("GET", "/__fake/calls?" + query).body)


def _wait_for_record(c: Client, request_id: str, pred, timeout=3.0):
    """The call record of ``request_id`` once ``pred(record)`` holds (streams finish after
    the record is written)."""
    deadline = time.monotonic() + timeout
    while True:
        recs = _calls(c, "requestId=" + request_id)
        if recs and pred(recs[0]) or time.monotonic() > deadline:
            return recs[0] if recs else {}
        time.sleep(0.05)


def test_streaming(c: Client, check: Checker):
    r = c.stream("stream-chunks", b'{"chunks":3,"delayMs":300,"size":4}')
    check("stream: 200, event-stream content type, executed version, request id",
          r.status == 200 and r.headers.get("Content-Type") == eventstream_content_type()
          and r.headers.get("X-Amz-Executed-Version") == "$LATEST"
          and r.headers.get("x-amzn-RequestId")
          and r.headers.get("Transfer-Encoding") == "chunked", (r.status, dict(r.headers)))
    check("stream-chunks: 3 PayloadChunks then InvokeComplete {}",
          r.events() == ["PayloadChunk"] * 3 + ["InvokeComplete"]
          and r.chunks() == [b"chunk-1:xxxx\n", b"chunk-2:xxxx\n", b"chunk-3:xxxx\n"]
          and r.complete() == {} and not r.incomplete and r.error is None,
          (r.events(), r.chunks(), r.error))
    t = r.times
    check("stream-chunks: first chunk at once, then 300 ms apart",
          len(t) == 4 and t[0] < 0.25 and t[1] - t[0] >= 0.25 and t[2] - t[1] >= 0.25, t)
    check("stream: PayloadChunk/InvokeComplete headers",
          all(m.headers.get(":message-type") == "event" for m in r.messages)
          and r.messages[0].headers.get(":content-type") == "application/octet-stream"
          and r.messages[-1].headers.get(":content-type") == "application/json",
          [m.headers for m in r.messages])

    r = c.stream("stream-http")
    joined = b"".join(r.chunks())
    prelude = (b'{"statusCode":201,"headers":{"content-type":"text/plain","x-streamed":"yes"},'
               b'"cookies":["a=1; Path=/","b=2"]}')
    check("stream-http: prelude, 8 NULs split across chunks, body",
          joined == prelude + b"\0" * 8 + b"first\nsecond\n"
          and len(r.chunks()) == 3 and r.chunks()[0].endswith(b"}\0\0\0")
          and r.chunks()[1].startswith(b"\0" * 5 + b"f") and r.complete() == {},
          r.chunks())

    r = c.stream("stream-fail")
    check("stream-fail: a chunk, then InvokeComplete with ErrorCode",
          r.chunks() == [b"partial-1\n"]
          and r.complete() == {"ErrorCode": "Unhandled",
                               "ErrorDetails": '{"errorMessage":"stream broke",'
                                               '"errorType":"Error"}',
                               "LogResult": ""}, (r.events(), r.complete()))

    r = c.stream("uppercase:live", b'"abc"')
    check("buffered function: whole output in one chunk, alias resolved",
          r.chunks() == [b'"ABC"'] and r.complete() == {}
          and r.headers.get("X-Amz-Executed-Version") == "2", (r.status, r.events()))
    r = c.stream("fail")
    check("buffered function error: only InvokeComplete, ErrorDetails = the output",
          r.events() == ["InvokeComplete"]
          and r.complete().get("ErrorCode") == "Unhandled"
          and json.loads(r.complete().get("ErrorDetails"))["errorMessage"] == "boom", r.messages)
    r = c.stream("echo", b'"t"', headers=[("X-Amz-Log-Type", "Tail")])
    log = base64.b64decode((r.complete() or {}).get("LogResult", "")).decode()
    check("stream + Tail: LogResult in InvokeComplete", log.startswith("START RequestId"), log)
    r = c.stream("echo", b'"t"', query="?Qualifier=%24LATEST")
    check("stream with ?Qualifier=", r.status == 200 and r.chunks() == [b'"t"'], r.status)

    # Errors before the stream: ordinary JSON errors.
    def error(name, r, status, code):
        check.error(name, Result(status=r.status, headers=r.headers, body=r.body),
                    status, code)
    error("stream: unknown function -> 404", c.stream("nosuchfunction"), 404,
          "ResourceNotFoundException")
    error("stream: unknown alias -> 404", c.stream("uppercase:nope"), 404,
          "ResourceNotFoundException")
    error("stream: Event invocation type -> 400",
          c.stream("echo", headers=[("X-Amz-Invocation-Type", "Event")]), 400,
          "ValidationException")
    error("stream: invalid JSON -> 400", c.stream("echo", b"{nope"), 400,
          "InvalidRequestContentException")
    error("stream: payload over 6 MiB -> 413",
          c.stream("echo", b'"' + b"a" * (SYNC_LIMIT - 1) + b'"'), 413,
          "RequestTooLargeException")
    error("stream: bad signature -> 403",
          c.stream("echo", creds=Credentials(DEFAULT.access_key, "wrong")), 403,
          "InvalidSignatureException")
    r = c.stream("echo", headers=[("X-Amz-Invocation-Type", "DryRun")])
    check("stream: DryRun -> 204", r.status == 204 and r.body == b"", r.status)

    # Fault "cut": the connection closes after the first message, without InvokeComplete.
    c.control("POST", "/__fake/faults", {"service": "lambda", "operation":
                                         "InvokeWithResponseStream", "function": "stream-chunks",
                                         "mode": "cut", "count": 1})
    r = c.stream("stream-chunks", b'{"chunks":3,"delayMs":1000}')
    check("fault cut: first chunk, then the connection closes (no InvokeComplete)",
          r.status == 200 and r.events() == ["PayloadChunk"] and r.incomplete
          and r.times[0] < 0.5, (r.events(), r.incomplete, r.error, r.times))
    rid = r.headers.get("x-amzn-RequestId", "")
    rec = _wait_for_record(c, rid, lambda x: x.get("streamOutcome") != "streaming")
    check("fault cut: call record says fault=cut, streamOutcome=cut",
          rec.get("fault") == "cut" and rec.get("streamOutcome") == "cut"
          and rec.get("streamChunks") == 1, rec)
    c.control("POST", "/__fake/faults", {"service": "lambda", "function": "echo",
                                         "mode": "cut", "count": 1, "afterBytes": 2})
    r = c.stream("echo", b'"abcdef"')  # afterChunks defaults to 1: cut before InvokeComplete
    check("fault cut (afterBytes rule) on a stream: cut after 1 message",
          r.events() == ["PayloadChunk"] and r.incomplete, (r.events(), r.incomplete))
    c.control("POST", "/__fake/faults", {"service": "lambda", "function": "echo",
                                         "mode": "cut", "count": 1, "afterBytes": 3})
    conn = (http.client.HTTPSConnection(c.host, c.port, context=c.tls, timeout=10) if c.tls
            else http.client.HTTPConnection(c.host, c.port, timeout=10))
    path = INVOKE.format("echo")
    conn.request("POST", path, b'"abcdef"', dict(c.sign("POST", path, b'"abcdef"')))
    resp = conn.getresponse()
    try:
        resp.read()
        short = None
    except http.client.IncompleteRead as exc:
        short = exc.partial
    conn.close()
    check("fault cut on Invoke: 3 body bytes, then the connection closes", short == b'"ab',
          short)

    # A client that hangs up mid-stream is noticed at the next write.
    r = c.stream("stream-chunks", b'{"chunks":3,"delayMs":200}', close_after=1)
    rid = r.headers.get("x-amzn-RequestId", "")
    rec = _wait_for_record(c, rid, lambda x: x.get("streamOutcome") != "streaming")
    check("client hangs up mid-stream: streamOutcome=client-gone",
          r.events() == ["PayloadChunk"] and rec.get("streamOutcome") == "client-gone", rec)

    ops = _calls(c, "op=InvokeWithResponseStream&function=stream-fail")
    check("call log: ?op=InvokeWithResponseStream", len(ops) >= 1 and all(
        x["operation"] == "InvokeWithResponseStream" for x in ops)
        and ops[-1].get("streamOutcome") == "error"
        and ops[-1].get("streamErrorCode") == "Unhandled", ops[-1:])


def _client(port: int):
    return botocore.session.get_session().create_client(
        "lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
        aws_access_key_id=DEFAULT.access_key, aws_secret_access_key=DEFAULT.secret_key)


def _code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def test_discovery(port: int, check: Checker):
    c, lam = Client(port), _client(port)
    c.control("POST", "/__fake/reset")
    builtins = {"apigw", "apigw-raw", "crash", "echo", "fail", "stream-chunks", "stream-fail",
                "stream-http", "uppercase", "whoami"}
    bulk = {f"bulk-{i:03d}" for i in range(1, 61)}
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:"

    pages = list(lam.get_paginator("list_functions").paginate(FunctionVersion="ALL"))
    entries = [(f["FunctionName"], f["Version"]) for p in pages for f in p["Functions"]]
    want = sorted([(n, "$LATEST") for n in builtins | bulk]
                  + [(f"bulk-{i:03d}", "1") for i in range(5, 61, 5)]
                  + [("uppercase", "1"), ("uppercase", "2"), ("whoami", "1")],
                  key=lambda e: (e[0], -1 if e[1] == "$LATEST" else int(e[1])))
    check("ListFunctions ALL (botocore paginator): every function and version, in order",
          entries == want, (len(entries), len(want)))
    check("ListFunctions: pages of at most 50, more than one page",
          len(pages) == 2 and all(len(p["Functions"]) <= 50 for p in pages)
          and "NextMarker" not in pages[-1], [len(p["Functions"]) for p in pages])
    fc = next(f for p in pages for f in p["Functions"] if f["FunctionName"] == "bulk-005"
              and f["Version"] == "1")
    check("FunctionConfiguration fields",
          fc["FunctionArn"] == arn + "bulk-005:1" and fc["Runtime"]
          and fc["Role"].startswith(f"arn:aws:iam::{ACCOUNT}:role/")
          and fc["Handler"] and isinstance(fc["CodeSize"], int) and fc["Timeout"] > 0
          and fc["MemorySize"] == 128 and fc["PackageType"] == "Zip"
          and fc["Architectures"] == ["x86_64"] and fc["CodeSha256"]
          and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", fc["LastModified"]),
          fc)
    latest_all = next(f for p in pages for f in p["Functions"] if f["FunctionName"] == "echo")
    check("ListFunctions ALL: $LATEST entry ARN ends in :$LATEST",
          latest_all["FunctionArn"] == arn + "echo:$LATEST", latest_all["FunctionArn"])
    plain = [f for p in lam.get_paginator("list_functions").paginate() for f in p["Functions"]]
    check("ListFunctions default: $LATEST only, unqualified ARNs",
          {f["FunctionName"] for f in plain} == builtins | bulk
          and all(f["Version"] == "$LATEST" and f["FunctionArn"] == arn + f["FunctionName"]
                  for f in plain), len(plain))
    small = list(lam.get_paginator("list_functions").paginate(
        PaginationConfig={"PageSize": 7}))
    check("ListFunctions MaxItems=7: pages of 7",
          all(len(p["Functions"]) == 7 for p in small[:-1])
          and sum(len(p["Functions"]) for p in small) == len(builtins | bulk), len(small))
    r = lam.list_functions(MaxItems=500)
    check("ListFunctions MaxItems=500 still gives 50", len(r["Functions"]) == 50
          and r.get("NextMarker"), len(r["Functions"]))
    n_list = len(_calls(c, "op=ListFunctions"))
    check("call log: ?op=ListFunctions counts every page", n_list == 2 + 2 + len(small) + 1,
          n_list)

    for name, query, code in (("FunctionVersion=LATEST", "FunctionVersion=LATEST",
                               "InvalidParameterValueException"),
                              ("garbled Marker", "Marker=garbage",
                               "InvalidParameterValueException"),
                              ("tampered Marker", "Marker=" + r["NextMarker"][:-1] + "0",
                               "InvalidParameterValueException"),
                              ("MaxItems=0", "MaxItems=0", "ValidationException"),
                              ("MaxItems=10001", "MaxItems=10001", "ValidationException"),
                              ("MaxItems=abc", "MaxItems=abc", "ValidationException")):
        check.error(f"ListFunctions {name} -> 400", c.call("GET", LIST_FUNCTIONS + "?" + query),
                    400, code)
    a = c.call("GET", "/2015-03-31/functions?MaxItems=1")
    b = c.call("GET", "/2015-03-31/functions/?MaxItems=1")
    check("ListFunctions with and without trailing slash",
          a.status == b.status == 200 and a.json()["Functions"] == b.json()["Functions"], a)
    r = c.call("GET", LIST_FUNCTIONS, creds=Credentials(DEFAULT.access_key, "wrong"))
    check.error("ListFunctions: bad signature -> 403", r, 403, "InvalidSignatureException")

    al = lam.list_aliases(FunctionName="uppercase")["Aliases"]
    check("ListAliases uppercase",
          [(x["Name"], x["FunctionVersion"], x["AliasArn"]) for x in al]
          == [("live", "2", arn + "uppercase:live"), ("prod", "1", arn + "uppercase:prod")]
          and all("RevisionId" in x and "Description" in x for x in al), al)
    al = lam.list_aliases(FunctionName=arn + "uppercase", FunctionVersion="1")["Aliases"]
    check("ListAliases by ARN, FunctionVersion filter", [x["Name"] for x in al] == ["prod"], al)
    al = [x for p in lam.get_paginator("list_aliases").paginate(
        FunctionName="uppercase", PaginationConfig={"PageSize": 1}) for x in p["Aliases"]]
    check("ListAliases paginates", [x["Name"] for x in al] == ["live", "prod"], al)
    check("ListAliases bulk-005 -> live", [x["Name"] for x in lam.list_aliases(
        FunctionName="bulk-005")["Aliases"]] == ["live"])
    try:
        lam.list_aliases(FunctionName="nosuchfunction")
        check("ListAliases unknown function -> 404", False, "no error")
    except ClientError as exc:
        check("ListAliases unknown function -> 404",
              _code(exc) == "ResourceNotFoundException"
              and exc.response["ResponseMetadata"]["HTTPStatusCode"] == 404, exc)

    # Functions added and removed at runtime.
    spec = {"name": "late-fn", "behaviour": "echo", "versions": ["1"],
            "aliases": {"prod": "1"}, "description": "added late"}
    r = c.control("POST", "/__fake/functions", spec)
    check("POST /__fake/functions -> 201", r.status == 201
          and r.json().get("runtimeAdded") is True, r)
    check("POST existing name -> 409",
          c.control("POST", "/__fake/functions", spec).status == 409)
    check("POST bad input -> 400", c.control("POST", "/__fake/functions",
                                             {"name": "x", "aliases": {"a": "9"}}).status == 400)
    r = c.invoke("late-fn%3Aprod", b'"late"')
    check("runtime function invocable by alias", r.status == 200 and r.body == b'"late"'
          and r.headers.get("X-Amz-Executed-Version") == "1", r)
    names = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate(
        FunctionVersion="ALL") for f in p["Functions"] if f["FunctionName"] == "late-fn"]
    check("runtime function listed ($LATEST and version 1)", names == ["late-fn"] * 2, names)
    check("runtime function's aliases listed",
          [x["Name"] for x in lam.list_aliases(FunctionName="late-fn")["Aliases"]] == ["prod"])
    c.control("POST", "/__fake/reset")
    check("reset keeps runtime functions", c.invoke("late-fn", b'"x"').status == 200)
    check("DELETE /__fake/functions/late-fn -> 204",
          c.control("DELETE", "/__fake/functions/late-fn").status == 204)
    check("DELETE again -> 404", c.control("DELETE", "/__fake/functions/late-fn").status == 404)
    r = c.invoke("late-fn", b'"x"')
    check.error("deleted function -> 404", r, 404, "ResourceNotFoundException")
    listed = json.loads(c.control("GET", "/__fake/functions").body)
    check("GET /__fake/functions lists names",
          {f["name"] for f in listed} == builtins | bulk, len(listed))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--https-port", type=int)
    p.add_argument("--ca")
    p.add_argument("--untrusted-port", type=int)
    p.add_argument("--bulk-port", type=int, help="a fake started with --extra-functions 60")
    args = p.parse_args()
    check = Checker()
    t0 = time.monotonic()
    test_eventstream_encoder(check)

    targets = [("http", Client(args.http_port), args.http_port, None)]
    if args.https_port:
        tls = ssl.create_default_context(cafile=args.ca)
        targets.append(("https", Client(args.https_port, tls, host="localhost"),
                        args.https_port, tls))
    for label, client, port, tls in targets:
        check.prefix = f"[{label}] "
        client.control("POST", "/__fake/reset")
        test_functions(client, check)
        test_names_and_qualifiers(client, check)
        test_signatures(client, check)
        test_keepalive(client, check)
        test_calls_log(client, check)
        test_mapping_functions(client, check)
        test_streaming(client, check)
        test_concurrency(port, tls, check, connections=200 if not tls else 50, per_conn=5)
    if args.bulk_port:
        check.prefix = "[bulk] "
        test_discovery(args.bulk_port, check)
    if args.https_port:
        check.prefix = "[tls] "
        test_tls(args.https_port, args.ca, args.untrusted_port, check)

    print(f"\n{check.passed} passed, {len(check.failed)} failed "
          f"in {time.monotonic() - t0:.1f}s")
    for name in check.failed:
        print(f"  FAILED: {name}")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
