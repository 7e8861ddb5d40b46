"""The fake's Lambda functions: a registry of name → versions, aliases and a Python handler.

A handler is ``handler(payload: bytes, ctx: InvocationContext) -> (output: bytes,
function_error: str | None)``. ``function_error`` set means the *function* failed (Lambda answers
200 with ``X-Amz-Function-Error``). Handlers must be thread-safe: requests run concurrently.

To add a function, write a handler and register it in ``default_registry()``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

JSON_SEPARATORS = (",", ":")  # compact, like Node's JSON.stringify


@dataclass(frozen=True)
class InvocationContext:
    function_name: str
    qualifier: Optional[str]  # as the caller gave it (None when absent)
    executed_version: str  # what ran: "$LATEST" or a version number (aliases resolved)
    invoked_arn: str
    access_key_id: Optional[str]
    invocation_type: str
    request_id: str
    headers: dict  # lower-cased request headers, secrets removed
    region: str
    account_id: str
    role_arn: Optional[str] = None  # role the calling credentials were issued for (STS/container)


Handler = Callable[[bytes, InvocationContext], "tuple[bytes, Optional[str]]"]


@dataclass(frozen=True)
class Function:
    name: str
    handler: Handler
    versions: tuple[str, ...] = ()  # published versions; "$LATEST" always exists
    aliases: dict = field(default_factory=dict)  # alias → version
    description: str = ""
    runtime: str = "python3.12"  # reported by ListFunctions (later)

    def resolve(self, qualifier: Optional[str]) -> Optional[str]:
        """Version that runs for ``qualifier``; None if the function has no such qualifier."""
        if qualifier in (None, "$LATEST"):
            return "$LATEST"
        if qualifier in self.versions:
            return qualifier
        return self.aliases.get(qualifier)


class FunctionRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, Function] = {}

    def register(self, fn: Function) -> None:
        for alias, version in fn.aliases.items():
            if version not in fn.versions and version != "$LATEST":
                raise ValueError(f"{fn.name}: alias {alias} → unknown version {version}")
        with self._lock:
            self._functions[fn.name] = fn

    def get(self, name: str) -> Optional[Function]:
        with self._lock:
            return self._functions.get(name)

    def all(self) -> list[Function]:
        with self._lock:
            return sorted(self._functions.values(), key=lambda f: f.name)


# --------------------------------------------------------------------------------------------
# Built-in functions
# --------------------------------------------------------------------------------------------

def _to_json(value) -> bytes:
    return json.dumps(value, separators=JSON_SEPARATORS, ensure_ascii=False).encode("utf-8")


def _parse(payload: bytes):
    # Lambda hands an empty payload to the function as null.
    return json.loads(payload) if payload else None


def _upper(value):
    if isinstance(value, str):
        return value.upper()
    if isinstance(value, list):
        return [_upper(v) for v in value]
    if isinstance(value, dict):
        return {k: _upper(v) for k, v in value.items()}  # keys unchanged
    return value


def uppercase(payload: bytes, ctx: InvocationContext):
    """Upper-cases every string in the JSON input (``"abc"`` → ``"ABC"``)."""
    return _to_json(_upper(_parse(payload))), None


def echo(payload: bytes, ctx: InvocationContext):
    """The payload back, byte for byte."""
    return payload, None


def whoami(payload: bytes, ctx: InvocationContext):
    """What was invoked and how, so tests can see exactly what the gateway sent."""
    return _to_json({
        "functionName": ctx.function_name,
        "qualifier": ctx.qualifier,
        "executedVersion": ctx.executed_version,
        "invokedArn": ctx.invoked_arn,
        "accessKeyId": ctx.access_key_id,
        "roleArn": ctx.role_arn,
        "invocationType": ctx.invocation_type,
        "requestId": ctx.request_id,
        "headers": ctx.headers,
    }), None


def fail(payload: bytes, ctx: InvocationContext):
    """An unhandled function error, shaped like the Node.js runtime's."""
    return _to_json({
        "errorMessage": "boom",
        "errorType": "Error",
        "stackTrace": ["at handler (index.js:1:1)"],
    }), "Unhandled"


def default_registry() -> FunctionRegistry:
    reg = FunctionRegistry()
    reg.register(Function("uppercase", uppercase, versions=("1", "2"),
                          aliases={"prod": "1", "live": "2"},
                          description="upper-cases JSON strings"))
    reg.register(Function("echo", echo, description="returns the payload unchanged"))
    reg.register(Function("whoami", whoami, versions=("1",), aliases={"prod": "1"},
                          description="describes the invocation"))
    reg.register(Function("fail", fail, description="always fails with Unhandled"))
    return reg
