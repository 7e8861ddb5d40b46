"""Fault injection: rules set through ``/__fake/faults``, applied by an App interceptor.

A rule matches calls by service (and optionally operation, function, role) and says what to do
instead of answering normally. It runs after authentication (SigV4 for Lambda and AssumeRole;
none for AssumeRoleWithWebIdentity and the container endpoint) and before the operation, so a
badly signed call gets its 403 and does not use up a counted rule.

Rule (JSON):
  service       "lambda" | "sts" | "container"                       required
  operation     exact operation (Invoke, InvokeWithResponseStream, ListFunctions, ListAliases,
                AssumeRole, AssumeRoleWithWebIdentity, GetCredentials)
  function      Lambda function name (resolved name, or as the caller wrote it)
  roleArn       role the call is about (STS: the RoleArn asked for; Lambda: the caller's role)
  mode          "status" | "down" | "throttle" | "slow" | "reset" | "refuse" | "cut"  required
  status        HTTP status for mode "status" (required there)
  code, message override the error code / message the mode would use
  reason        Lambda 429 body "Reason" (default ConcurrentInvocationLimitExceeded)
  retryAfter    seconds: adds a Retry-After header (Lambda "throttle" defaults to 1)
  delaySeconds  sleep this long first; required for "slow" (which then answers normally)
  count         apply to the next K matching calls only, then the rule disappears
  afterChunks   "cut" on a streamed (chunked) answer: chunks sent before the cut (default 1;
                for InvokeWithResponseStream one chunk = one event-stream message)
  afterBytes    "cut" on any other answer: body bytes sent before the cut (default: half)

Rules are tried in the order they were added. "slow" rules that match all apply (their delays
add up) and matching goes on; the first other matching rule decides the answer.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from httpd import Response

SERVICES = ("lambda", "sts", "container")
MODES = ("status", "down", "throttle", "slow", "reset", "refuse", "cut")
_FIELDS = {"service", "operation", "function", "roleArn", "mode", "status", "code", "message",
           "reason", "retryAfter", "delaySeconds", "count", "afterChunks", "afterBytes"}
MAX_DELAY = 900.0

# (status, code, message) each mode means for each service, and defaults per status.
_MODE_DEFAULTS = {
    "sts": {
        "down": (503, "ServiceUnavailable",
                 "The request has failed due to a temporary failure of the server."),
        "throttle": (400, "Throttling", "Rate exceeded"),
    },
    "lambda": {
        "down": (503, "ServiceException", "The AWS Lambda service encountered an internal error."),
        "throttle": (429, "TooManyRequestsException", "Rate Exceeded."),
    },
    "container": {
        "down": (503, "ServiceUnavailable", "Service Unavailable"),
        "throttle": (429, "ThrottledError", "Too Many Requests. Rate exceeded"),
    },
}
_STATUS_DEFAULTS = {
    "sts": {
        400: ("Throttling", "Rate exceeded"),
        403: ("AccessDenied", "Access denied (injected by fake_aws)"),
        500: ("InternalFailure", "The request processing has failed because of an unknown "
                                 "error, exception or failure."),
        503: ("ServiceUnavailable",
              "The request has failed due to a temporary failure of the server."),
    },
    "lambda": {
        429: ("TooManyRequestsException", "Rate Exceeded."),
        500: ("ServiceException", "The AWS Lambda service encountered an internal error."),
    },
    "container": {
        429: ("ThrottledError", "Too Many Requests. Rate exceeded"),
        500: ("InternalServerError", "Internal Server Error"),
        503: ("ServiceUnavailable", "Service Unavailable"),
    },
}


def _default_for_status(service: str, status: int) -> tuple[str, str]:
    known = _STATUS_DEFAULTS[service].get(status)
    if known:
        return known
    if status >= 500:
        return {"sts": _STATUS_DEFAULTS["sts"][500], "lambda": _STATUS_DEFAULTS["lambda"][500],
                "container": _STATUS_DEFAULTS["container"][500]}[service]
    return "InjectedFault", f"HTTP {status} injected by fake_aws"


@dataclass
class FaultRule:
    id: int
    service: str
    mode: str
    operation: Optional[str] = None
    function: Optional[str] = None
    role_arn: Optional[str] = None
    status: Optional[int] = None
    code: Optional[str] = None
    message: Optional[str] = None
    reason: Optional[str] = None
    retry_after: Optional[float] = None
    delay: float = 0.0
    remaining: Optional[int] = None  # None = until cleared
    after_chunks: Optional[int] = None  # "cut": stream chunks sent first (None: 1)
    after_bytes: Optional[int] = None  # "cut": body bytes sent first (None: half the body)
    hits: int = 0
    created: float = field(default_factory=time.time)

    @classmethod
    def from_json(cls, rule_id: int, spec) -> "FaultRule":
        if not isinstance(spec, dict):
            raise ValueError(f"a fault rule is a JSON object, got {type(spec).__name__}")
        unknown = set(spec) - _FIELDS
        if unknown:
            raise ValueError(f"unknown fault field(s) {sorted(unknown)}; known: {sorted(_FIELDS)}")
        service, mode = spec.get("service"), spec.get("mode")
        if service not in SERVICES:
            raise ValueError(f"service must be one of {list(SERVICES)}, got {service!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")

        def text(name):
            value = spec.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string")
            return value

        def number(name, lo, hi):
            value = spec.get(name)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not lo <= value <= hi:
                raise ValueError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
            return value

        status = number("status", 100, 599)
        if mode == "status" and status is None:
            raise ValueError('mode "status" needs "status" (an HTTP status code)')
        if status is not None and status != int(status):
            raise ValueError("status must be an integer")
        delay = number("delaySeconds", 0, MAX_DELAY)
        if mode == "slow" and delay is None:
            raise ValueError('mode "slow" needs "delaySeconds"')
        count = number("count", 1, 10**9)
        if count is not None and count != int(count):
            raise ValueError("count must be an integer")
        after_chunks = number("afterChunks", 0, 10**9)
        after_bytes = number("afterBytes", 0, 10**12)
        for name, value in (("afterChunks", after_chunks), ("afterBytes", after_bytes)):
            if value is not None and value != int(value):
                raise ValueError(f"{name} must be an integer")
            if value is not None and mode != "cut":
                raise ValueError(f'{name} goes with mode "cut"')
        return cls(rule_id, service, mode, operation=text("operation"),
                   function=text("function"), role_arn=text("roleArn"),
                   status=int(status) if status is not None else None, code=text("code"),
                   message=text("message"), reason=text("reason"),
                   retry_after=number("retryAfter", 0, 86400), delay=float(delay or 0),
                   remaining=int(count) if count is not None else None,
                   after_chunks=int(after_chunks) if after_chunks is not None else None,
                   after_bytes=int(after_bytes) if after_bytes is not None else None)

    def to_json(self) -> dict:
        out = {"id": self.id, "service": self.service, "mode": self.mode}
        for key, value in (("operation", self.operation), ("function", self.function),
                           ("roleArn", self.role_arn), ("status", self.status),
                           ("code", self.code), ("message", self.message),
                           ("reason", self.reason), ("retryAfter", self.retry_after),
                           ("afterChunks", self.after_chunks),
                           ("afterBytes", self.after_bytes)):
            if value is not None:
                out[key] = value
        if self.delay:
            out["delaySeconds"] = self.delay
        out.update(count=self.remaining, hits=self.hits)  # count = calls left (null: no limit)
        return out

    def matches(self, record: dict) -> bool:
        if record.get("service") != self.service:
            return False
        if self.operation is not None and record.get("operation") != self.operation:
            return False
        if self.function is not None and self.function not in (record.get("function"),
                                                               record.get("functionNameArg")):
            return False
        if self.role_arn is not None and record.get("roleArn") != self.role_arn:
            return False
        return True

    def response(self, ctx) -> Optional[Response]:
        """What to send instead of the real answer (None for "slow" and "cut": answer
        normally; "cut" leaves a note in ``ctx.extra`` for the dispatcher)."""
        if self.mode == "slow":
            return None
        if self.mode == "reset":
            return Response(0, reset=True)
        if self.mode == "refuse":
            return Response(0, drop=True)
        if self.mode == "cut":
            # The call runs normally; App.apply_cut breaks its answer off part-way.
            ctx.extra["cut"] = {"afterChunks": self.after_chunks, "afterBytes": self.after_bytes}
            return None
        if self.mode == "status":
            status = self.status
            code, message = _default_for_status(self.service, status)
        else:
            status, code, message = _MODE_DEFAULTS[self.service][self.mode]
        code, message = self.code or code, self.message or message
        retry_after = self.retry_after
        if retry_after is None and self.service == "lambda" and self.mode == "throttle":
            retry_after = 1
        headers = []
        if retry_after is not None:
            headers.append(("Retry-After", _seconds(retry_after)))
        extra = {}
        if self.service == "lambda" and status == 429:
            extra["Reason"] = self.reason or "ConcurrentInvocationLimitExceeded"
        return ctx.service.error_for(ctx, status, code, message, headers=headers, **extra)


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class FaultSet:
    """The active rules. Thread-safe; counted rules are used up atomically."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, body) -> list[dict]:
        """``body``: one rule, a list of rules, or ``{"rules": [...]}``. All or nothing."""
        if isinstance(body, dict) and "rules" in body and "mode" not in body:
            body = body["rules"]
        specs = body if isinstance(body, list) else [body]
        with self._lock:
            rules = [FaultRule.from_json(self._next_id + i, spec) for i, spec in enumerate(specs)]
            self._next_id += len(rules)
            self._rules.extend(rules)
            return [r.to_json() for r in rules]

    def list(self) -> list[dict]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def clear(self, rule_id: Optional[int] = None) -> int:
        with self._lock:
            before = len(self._rules)
            self._rules = [] if rule_id is None else [r for r in self._rules if r.id != rule_id]
            return before - len(self._rules)

    def _take(self, record: dict) -> list[FaultRule]:
        """Matching rules up to the first deciding (non-slow) one, each used once."""
        taken = []
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(record):
                    continue
                rule.hits += 1
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
                taken.append(rule)
                if rule.mode != "slow":
                    break
        return taken

    def intercept(self, ctx) -> Optional[Response]:
        """The App interceptor."""
        rules = self._take(ctx.record)
        if not rules:
            return None
        ctx.record["fault"] = rules[-1].mode
        ctx.record["faultIds"] = [r.id for r in rules]
        delay = sum(r.delay for r in rules)
        if delay:
            time.sleep(delay)
        return rules[-1].response(ctx)
