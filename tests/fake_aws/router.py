"""Request routing: which service and operation a request is, and the context a handler gets.

Each AWS service is a module exposing a ``Service`` (its signing name, its error format and its
routes). Adding a service = writing one such module and adding it to ``App.services``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from httpd import Request, Response


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern  # matched against the raw path (percent-encoding intact)
    operation: str
    handler: Callable[["CallContext"], Response]
    # Signed routes are SigV4-verified by the dispatcher before the handler runs. A service whose
    # auth depends on the body (STS: AssumeRoleWithWebIdentity is unsigned, AssumeRole is
    # signed) registers unsigned routes and calls ``ctx.app.verifier`` itself.
    signed: bool = True
    # Optional ``(ctx) -> None`` run before authentication to fill the call-log record from the
    # request alone (function, qualifier, ...), so rejected calls are attributed too.
    describe: Optional[Callable[["CallContext"], None]] = None
    # Optional ``(ctx) -> Response | None`` for unsigned routes, run where the SigV4 check would
    # be (after describe, before interceptors): a Response rejects the call. STS uses it to
    # verify AssumeRole's signature, so faults hit only authenticated calls, as for Lambda.
    authenticate: Optional[Callable[["CallContext"], Optional[Response]]] = None


def route(method: str, pattern: str, operation: str, handler, signed: bool = True,
          describe=None, authenticate=None) -> Route:
    return Route(method, re.compile(pattern), operation, handler, signed, describe, authenticate)


class Service:
    """Base for one AWS service."""

    name = "unknown"  # as shown in the call log
    signing_name = "unknown"  # SigV4 scope service

    def routes(self) -> list[Route]:
        return []

    def error(self, status: int, code: str, message: str, **extra) -> Response:
        raise NotImplementedError

    def error_for(self, ctx: "CallContext", status: int, code: str, message: str,
                  headers=(), **extra) -> Response:
        """An error for one call (fault injection uses it). Services whose error body carries
        the request id (STS) override it to use ``ctx.request_id``."""
        return self.error(status, code, message, headers=headers, **extra)


@dataclass
class CallContext:
    """Everything a handler needs about one AWS API call."""

    app: object  # app.App (untyped to avoid an import cycle)
    request: Request
    service: Service
    route: Route
    params: dict  # named groups from the route pattern (still percent-encoded)
    request_id: str
    record: dict  # the call-log entry; handlers add function, qualifier, ...
    access_key_id: Optional[str] = None
    credential: Optional[object] = None  # sigv4_verify.Credential that signed (signed routes)
    extra: dict = field(default_factory=dict)


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[Service, Route]] = []

    def add_service(self, service: Service) -> None:
        for r in service.routes():
            self._routes.append((service, r))

    def match(self, method: str, raw_path: str):
        """(service, route, params) for the first route that matches, else None."""
        for service, r in self._routes:
            if r.method == method:
                m = r.pattern.fullmatch(raw_path)
                if m:
                    return service, r, m.groupdict()
        return None
