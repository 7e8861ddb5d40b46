"""The fake's application: configuration, shared state and the per-request dispatcher.

Dispatch order for an AWS call: route → describe → SigV4 check (signed routes) or the route's
own ``authenticate`` → interceptors (fault injection) → handler. Every AWS call, accepted or
not, is appended to the call log and logged in one line.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass

from calls import CallLog, InFlight
from container_api import ContainerService
from control import ControlAPI
from faults import FaultSet
from functions import FunctionRegistry, default_registry
from httpd import Request, Response
from lambda_api import LambdaService
from router import CallContext, Router
from sigv4_verify import CredentialStore, SigV4Verifier
from sts_api import StsService

SECRET_HEADERS = ("authorization", "x-amz-security-token")


@dataclass(frozen=True)
class Config:
    region: str = "us-east-1"
    account_id: str = "123456789012"
    quiet: bool = False
    # STS and the container endpoint (see README.md).
    web_identity_token_file: str | None = None  # None: any web identity token is accepted
    roles: tuple = ()  # role ARNs or globs STS may issue; empty = any role in account_id
    credential_lifetime: int = 3600  # seconds; DurationSeconds may only shorten it
    container_token_file: str | None = None  # None: any non-empty Authorization is accepted
    container_role: str | None = None  # default arn:aws:iam::ACCOUNT:role/pod-identity

    def __post_init__(self):
        # Frozen: fill the defaults that depend on the account through object.__setattr__.
        if not self.roles:
            object.__setattr__(self, "roles", (f"arn:aws:iam::{self.account_id}:role/*",))
        if not self.container_role:
            object.__setattr__(self, "container_role",
                               f"arn:aws:iam::{self.account_id}:role/pod-identity")


def apply_cut(resp: Response, cut: dict) -> None:
    """Fault mode "cut": the answer stops part-way and the connection closes. A stream stops
    after ``afterChunks`` chunks (default 1), without its terminating chunk; any other body after
    ``afterBytes`` bytes (default half), short of its Content-Length."""
    if resp.stream is not None:
        resp.cut_after = 1 if cut.get("afterChunks") is None else cut["afterChunks"]
    else:
        after = cut.get("afterBytes")
        resp.cut_after = len(resp.body) // 2 if after is None else min(after, len(resp.body))


class App:
    def __init__(self, config: Config, credentials: CredentialStore,
                 functions: FunctionRegistry | None = None) -> None:
        self.config = config
        self.credentials = credentials
        self.functions = functions or default_registry()
        self.verifier = SigV4Verifier(credentials, config.region)
        self.calls = CallLog()
        self.in_flight = InFlight()
        self.control = ControlAPI(self)
        # Callables ``(ctx) -> Response | None`` run after authentication and before the
        # handler; the first non-None response is sent instead. The hook for fault injection.
        self.faults = FaultSet()
        self.interceptors: list = [self.faults.intercept]
        self.services = [LambdaService(self), StsService(self), ContainerService(self)]
        self.default_service = self.services[0]
        self._services_by_name = {s.name: s for s in self.services}
        self.router = Router()
        for service in self.services:
            self.router.add_service(service)
        self._log_lock = threading.Lock()

    # ---------------------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        started = time.monotonic()
        if self.control.owns(req.raw_path):
            resp = self.control.handle(req)
            self._log(req, resp, started, {})
            return resp

        request_id = str(uuid.uuid4())
        record = {
            "service": None, "operation": None, "function": None, "qualifier": None,
            "invocationType": None, "method": req.method, "rawPath": req.raw_path,
            "rawQuery": req.raw_query, "status": None, "errorType": None,
            "signatureValid": False, "signatureError": None, "accessKeyId": None,
            "roleArn": None, "fault": None, "bodyLength": len(req.body),
            "requestId": request_id, "time": time.time(),
            "headers": req.header_dict(exclude=SECRET_HEADERS),
        }
        self.in_flight.add(record)
        try:
            resp = self._dispatch(req, record, request_id)
        except Exception:  # a bug in the fake: make it loud, answer like a service fault
            traceback.print_exc(file=sys.stderr)
            service = self._services_by_name.get(record["service"], self.default_service)
            resp = service.error(500, "InternalFailure" if service.name == "sts"
                                 else "ServiceException", "fake_aws internal error (see its log)")
        aborted = resp.reset or resp.drop
        if resp.header("x-amzn-RequestId") is None and not aborted:
            resp.headers.append(("x-amzn-RequestId", request_id))
        record["status"] = 0 if aborted else resp.status
        error_type = resp.error_code or resp.header("x-amzn-ErrorType")
        record["errorType"] = error_type.split(":", 1)[0] if error_type else None
        self.in_flight.remove(record)
        self.calls.append(record)
        self._log(req, resp, started, record)
        return resp

    def _dispatch(self, req: Request, record: dict, request_id: str) -> Response:
        match = self.router.match(req.method, req.raw_path)
        if match is None:
            # Checked for the call log only, so a test can tell "bad path" from "bad signature".
            auth = self.verifier.verify(req, self.default_service.signing_name)
            record.update(signatureValid=auth.ok, accessKeyId=auth.access_key,
                          signatureError=None if auth.ok else auth.code)
            return self.default_service.error(404, "UnknownOperationException",
                                              f"Unknown operation: {req.method} {req.raw_path}")
        service, route, params = match
        record.update(service=service.name, operation=route.operation)
        ctx = CallContext(self, req, service, route, params, request_id, record)
        if route.describe:
            route.describe(ctx)
        if route.signed:
            auth = self.verifier.verify(req, service.signing_name)
            record.update(signatureValid=auth.ok, accessKeyId=auth.access_key)
            if not auth.ok:
                record["signatureError"] = auth.code
                # The canonical request goes in the response (as AWS does), not in our log.
                return service.error(auth.status, auth.code, auth.message)
            ctx.access_key_id = auth.access_key
            ctx.credential = auth.credential
            record["roleArn"] = auth.credential.role_arn
        elif route.authenticate:
            resp = route.authenticate(ctx)
            if resp is not None:
                return resp
        for interceptor in self.interceptors:
            resp = interceptor(ctx)
            if resp is not None:
                return resp
        resp = route.handler(ctx)
        if "cut" in ctx.extra:
            apply_cut(resp, ctx.extra["cut"])
        return resp

    def transport_error(self, status: int, code: str, message: str, method: str,
                        target: str) -> Response:
        """Answer for a request the transport could not read (malformed or too large)."""
        resp = self.default_service.error(status, code, message)
        self.log_line(f"{method} {target.partition('?')[0]} {status} {code}")
        return resp

    # ---------------------------------------------------------------------------------------

    def _log(self, req: Request, resp: Response, started: float, record: dict) -> None:
        if self.config.quiet:
            return
        ms = (time.monotonic() - started) * 1000
        outcome = "RESET" if resp.reset else "DROP" if resp.drop else str(resp.status)
        parts = [req.method, req.raw_path, outcome]
        if record.get("service") not in (None, "lambda"):
            parts.append(f"op={record['service']}:{record.get('operation')}")
        if record.get("function"):
            parts.append(f"fn={record['function']}")
        if record.get("roleArn"):
            parts.append(f"role={record['roleArn']}")
        if record.get("fault"):
            parts.append(f"fault={record['fault']}")
        if record.get("errorType"):
            parts.append(f"error={record['errorType']}")
        if record.get("accessKeyId"):
            parts.append(f"akid={record['accessKeyId']}")
        parts.append(f"{ms:.1f}ms")
        self.log_line(" ".join(parts))

    def log_line(self, line: str) -> None:
        if not self.config.quiet:
            with self._log_lock:
                print(f"fake_aws: {line}", file=sys.stderr, flush=True)
