"""The fake's Lambda functions: a registry of name → versions, aliases and a Python handler.

A handler is ``handler(payload: bytes, ctx: InvocationContext) -> (output: bytes,
function_error: str | None)``. ``function_error`` set means the *function* failed (Lambda answers
200 with ``X-Amz-Function-Error``). Handlers must be thread-safe: requests run concurrently.

A streaming function also has ``stream_handler(payload, ctx)``, a generator that yields
  - ``bytes``: one piece of output (InvokeWithResponseStream sends each as one PayloadChunk);
  - ``("sleep", seconds)``: pause before the next piece;
  - ``("error", code, details)``: stop; the stream ends with a failing InvokeComplete.
Its ``handler`` (used by plain Invoke) runs the same generator and buffers the output.

To add a function, write a handler and register it in ``default_registry()`` (and add it to
``BUILTINS`` if ``POST /__fake/functions`` may copy its behaviour).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

JSON_SEPARATORS = (",", ":")  # compact, like Node's JSON.stringify

# What ListFunctions reports for the built-in functions (it has to say something).
BUILTIN_LAST_MODIFIED = "2026-11-25T10:00:00.000+0000"

NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
VERSION_RE = re.compile(r"[0-9]{1,10}")
ALIAS_RE = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}")


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
StreamHandler = Callable[[bytes, InvocationContext], Iterator]


def lambda_timestamp(epoch: float) -> str:
    """LastModified as Lambda writes it: ``2026-11-25T10:00:00.000+0000``."""
    ms = int(round(epoch * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + \
        f".{ms % 1000:03d}+0000"


@dataclass(frozen=True)
class Function:
    name: str
    handler: Handler
    versions: tuple[str, ...] = ()  # published versions; "$LATEST" always exists
    aliases: dict = field(default_factory=dict)  # alias → version
    description: str = ""
    runtime: str = "python3.12"  # what ListFunctions reports
    stream_handler: Optional[StreamHandler] = None  # set for response-streaming functions
    behaviour: str = ""  # the built-in it behaves like (its own name for built-ins)
    last_modified: str = BUILTIN_LAST_MODIFIED
    runtime_added: bool = False  # added with POST /__fake/functions

    def resolve(self, qualifier: Optional[str]) -> Optional[str]:
        """Version that runs for ``qualifier``; None if the function has no such qualifier."""
        if qualifier in (None, "$LATEST"):
            return "$LATEST"
        if qualifier in self.versions:
            return qualifier
        return self.aliases.get(qualifier)

    def describe(self) -> dict:
        """What ``GET /__fake/functions`` shows."""
        return {"name": self.name, "versions": list(self.versions), "aliases": dict(self.aliases),
                "description": self.description, "behaviour": self.behaviour or self.name,
                "streaming": self.stream_handler is not None, "runtimeAdded": self.runtime_added}


class FunctionRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[str, Function] = {}

    @staticmethod
    def _check(fn: Function) -> None:
        for alias, version in fn.aliases.items():
            if version not in fn.versions and version != "$LATEST":
                raise ValueError(f"{fn.name}: alias {alias} → unknown version {version}")

    def register(self, fn: Function) -> None:
        """Add or replace."""
        self._check(fn)
        with self._lock:
            self._functions[fn.name] = fn

    def add(self, fn: Function) -> bool:
        """Add unless the name is taken; False if it is."""
        self._check(fn)
        with self._lock:
            if fn.name in self._functions:
                return False
            self._functions[fn.name] = fn
            return True

    def remove(self, name: str) -> bool:
        with self._lock:
            return self._functions.pop(name, None) is not None

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


CRASH_MESSAGE = "db password is hunter2"


def crash(payload: bytes, ctx: InvocationContext):
    """An unhandled error whose message and stack trace hold things that must never reach an
    HTTP client (a password, ``SECRET_STACK_FRAME``). Shaped like the Python runtime's error:
    every stackTrace entry is a multi-line string."""
    frames = []
    for i in range(1, 31):
        frames.append(f'  File "/var/task/app/layer_{i:02d}.py", line {10 * i + 3}, in '
                      f'SECRET_STACK_FRAME_{i:02d}\n'
                      f'    return connect(host="db.internal", password="hunter2", '
                      f'attempt={i})\n')
    frames.append('  File "/var/task/app/db.py", line 999, in SECRET_STACK_FRAME\n'
                  '    raise Exception("db password is hunter2")\n')
    return _to_json({
        "errorMessage": CRASH_MESSAGE,
        "errorType": "Exception",
        "requestId": ctx.request_id,
        "stackTrace": frames,
    }), "Unhandled"


# ---- API Gateway (proxy integration) --------------------------------------------------------

APIGW_STATUS = 201
APIGW_COOKIES = ["session=abc; Path=/; HttpOnly", "theme=dark"]
APIGW_MULTI = ["1", "2"]


def _event_header(event: dict, name: str) -> Optional[str]:
    """A header of an API Gateway event, case-insensitively (1.0 keeps the client's case)."""
    for key in ("headers", "multiValueHeaders"):
        headers = event.get(key)
        if isinstance(headers, dict):
            for k, v in headers.items():
                if isinstance(k, str) and k.lower() == name:
                    if isinstance(v, list):
                        v = v[-1] if v else None
                    if isinstance(v, str):
                        return v
    return None


def apigw(payload: bytes, ctx: InvocationContext):
    """Answers an API Gateway event (payload 1.0 or 2.0) in the matching response format,
    echoing the body and its base64 flag, so a binary body makes a byte-exact round trip."""
    event = _parse(payload)
    if not isinstance(event, dict):
        event = {}
    version = event.get("version") if isinstance(event.get("version"), str) else None
    headers = {"content-type": _event_header(event, "content-type")
               or "application/octet-stream",
               "x-event-version": version or "1.0"}
    out = {"statusCode": APIGW_STATUS, "headers": headers}
    if version == "2.0":
        out["cookies"] = list(APIGW_COOKIES)
    else:
        out["multiValueHeaders"] = {"x-multi": list(APIGW_MULTI),
                                    "set-cookie": list(APIGW_COOKIES)}
    out["body"] = event.get("body")
    out["isBase64Encoded"] = event.get("isBase64Encoded", False)
    return _to_json(out), None


class _BadInput(ValueError):
    pass


def _event_body_json(event: dict):
    """The JSON inside a wrapped API Gateway event's ``body`` (base64 if isBase64Encoded)."""
    body = event.get("body")
    if not isinstance(body, str):
        raise _BadInput("no \"respond\" field and no API Gateway event body")
    raw = body.encode("utf-8")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _BadInput("event body is not valid base64") from None
    try:
        return json.loads(raw)
    except ValueError:
        raise _BadInput("event body is not JSON") from None


def _params(payload: bytes, keys: tuple) -> dict:
    """The function's parameters: the payload itself when it holds one of ``keys``, else the
    JSON body of a wrapped API Gateway event; {} for an empty payload or an event without a
    body."""
    value = _parse(payload)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _BadInput("the payload is not a JSON object")
    if any(k in value for k in keys) or "body" not in value:
        return value
    if value.get("body") is None:
        return {}
    inner = _event_body_json(value)
    if not isinstance(inner, dict):
        raise _BadInput("the event body is not a JSON object")
    return inner


def _input_error(message: str) -> tuple[bytes, str]:
    return _to_json({"errorMessage": message, "errorType": "InputError"}), "Unhandled"


def apigw_raw(payload: bytes, ctx: InvocationContext):
    """Returns the payload's ``respond`` string verbatim as the function output (UTF-8), or
    ``respondBase64`` decoded (any bytes). Either may sit in the payload itself or in the JSON
    body of a wrapped API Gateway event."""
    try:
        params = _params(payload, ("respond", "respondBase64"))
        if "respondBase64" in params:
            try:
                return base64.b64decode(str(params["respondBase64"]), validate=True), None
            except (binascii.Error, ValueError):
                raise _BadInput("respondBase64 is not valid base64") from None
        if "respond" not in params:
            raise _BadInput("no \"respond\" field")
        value = params["respond"]
        return (value.encode("utf-8") if isinstance(value, str) else _to_json(value)), None
    except _BadInput as exc:
        return _input_error(f"apigw-raw: {exc}")


# ---- response streaming ---------------------------------------------------------------------

def _int_param(params: dict, name: str, default: int, lo: int, hi: int) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _BadInput(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def stream_chunks(payload: bytes, ctx: InvocationContext):
    """``{"chunks": N=3, "delayMs": D=500, "size": S=16}``: N pieces
    ``chunk-<i>:xxx…\\n`` (i from 1, S x's), D ms apart; the first one at once. Parameters
    may also come in a wrapped API Gateway event's JSON body; anything unreadable there means
    the defaults. A bad value (say "chunks": -1) fails the function."""
    try:
        try:
            params = _params(payload, ("chunks", "delayMs", "size"))
        except _BadInput:
            params = {}  # e.g. a wrapped event with a non-JSON body: the defaults
        n = _int_param(params, "chunks", 3, 0, 100000)
        delay = _int_param(params, "delayMs", 500, 0, 600000)
        size = _int_param(params, "size", 16, 0, 1048576)
    except _BadInput as exc:
        yield ("error", "Unhandled", _input_error(f"stream-chunks: {exc}")[0].decode())
        return
    for i in range(1, n + 1):
        if i > 1 and delay:
            yield ("sleep", delay / 1000.0)
        yield f"chunk-{i}:".encode() + b"x" * size + b"\n"


STREAM_HTTP_PRELUDE = {"statusCode": 201,
                       "headers": {"content-type": "text/plain", "x-streamed": "yes"},
                       "cookies": ["a=1; Path=/", "b=2"]}


def stream_http(payload: bytes, ctx: InvocationContext):
    """The HTTP-integration streaming format (function URL / API Gateway streaming): JSON
    prelude, 8 NUL bytes, body. The 8 NULs are split across two PayloadChunks on purpose."""
    prelude = _to_json(STREAM_HTTP_PRELUDE)
    yield prelude + b"\0" * 3
    yield b"\0" * 5 + b"first\n"
    yield ("sleep", 0.3)
    yield b"second\n"


STREAM_FAIL_DETAILS = '{"errorMessage":"stream broke","errorType":"Error"}'


def stream_fail(payload: bytes, ctx: InvocationContext):
    """Fails after the stream has started: one piece, then a failing InvokeComplete."""
    yield b"partial-1\n"
    yield ("sleep", 0.2)
    yield ("error", "Unhandled", STREAM_FAIL_DETAILS)


def buffered(stream_handler: StreamHandler) -> Handler:
    """A plain-Invoke handler for a streaming function: the pieces joined (sleeps kept). A
    stream that ends in an error gives its details as the output, with that function error."""
    def handler(payload: bytes, ctx: InvocationContext):
        out = bytearray()
        for item in stream_handler(payload, ctx):
            if isinstance(item, (bytes, bytearray)):
                out += item
            elif item[0] == "sleep":
                time.sleep(item[1])
            elif item[0] == "error":
                return item[2].encode("utf-8"), item[1]
        return bytes(out), None
    return handler


def run_stream(fn: Function, payload: bytes, ctx: InvocationContext) -> Iterator:
    """A function's output as stream items (bytes / ("sleep", s) / ("error", code, details)).
    An ordinary function gives its whole output as one piece, or one error if it failed (Lambda
    sends nothing of a buffered handler's error output but InvokeComplete)."""
    if fn.stream_handler is not None:
        yield from fn.stream_handler(payload, ctx)
        return
    output, function_error = fn.handler(payload, ctx)
    if function_error:
        yield ("error", function_error, output.decode("utf-8", "replace"))
    elif output:
        yield output


# ---- the registry ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Builtin:
    handler: Handler
    description: str
    stream_handler: Optional[StreamHandler] = None
    versions: tuple = ()
    aliases: dict = field(default_factory=dict)


def _streaming(stream_handler: StreamHandler, description: str) -> _Builtin:
    return _Builtin(buffered(stream_handler), description, stream_handler)


BUILTINS: dict[str, _Builtin] = {
    "uppercase": _Builtin(uppercase, "upper-cases JSON strings", versions=("1", "2"),
                          aliases={"prod": "1", "live": "2"}),
    "echo": _Builtin(echo, "returns the payload unchanged"),
    "whoami": _Builtin(whoami, "describes the invocation", versions=("1",),
                       aliases={"prod": "1"}),
    "fail": _Builtin(fail, "always fails with Unhandled"),
    "crash": _Builtin(crash, "fails with a secret in its message and stack trace"),
    "apigw": _Builtin(apigw, "answers an API Gateway event in its response format"),
    "apigw-raw": _Builtin(apigw_raw, "returns the payload's \"respond\" field verbatim"),
    "stream-chunks": _streaming(stream_chunks, "streams N chunks D ms apart"),
    "stream-http": _streaming(stream_http, "streams the HTTP-integration format"),
    "stream-fail": _streaming(stream_fail, "streams one chunk, then fails"),
}


def make_function(name: str, behaviour: str = "echo", versions=(), aliases=None,
                  description: Optional[str] = None, runtime_added: bool = False,
                  last_modified: str = BUILTIN_LAST_MODIFIED) -> Function:
    """A function that behaves like the built-in ``behaviour``. Raises ValueError on bad
    input."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise ValueError(f"name must match [a-zA-Z0-9_-]{{1,64}}, got {name!r}")
    if behaviour not in BUILTINS:
        raise ValueError(f"behaviour must be one of {sorted(BUILTINS)}, got {behaviour!r}")
    if not isinstance(versions, (list, tuple)) or not all(
            isinstance(v, str) and VERSION_RE.fullmatch(v) for v in versions):
        raise ValueError(f"versions must be a list of version numbers as strings "
                         f"(\"1\", \"2\", …), got {versions!r}")
    if len(set(versions)) != len(versions):
        raise ValueError("versions has duplicates")
    aliases = {} if aliases is None else aliases
    if not isinstance(aliases, dict):
        raise ValueError(f"aliases must be an object alias → version, got {aliases!r}")
    for alias, version in aliases.items():
        if not ALIAS_RE.fullmatch(alias) or alias == "$LATEST":
            raise ValueError(f"bad alias name {alias!r} (letters, digits, - and _; not all "
                             f"digits)")
        if version != "$LATEST" and version not in versions:
            raise ValueError(f"alias {alias!r} → {version!r}, which is not in versions")
    if description is not None and not isinstance(description, str):
        raise ValueError("description must be a string")
    b = BUILTINS[behaviour]
    return Function(name, b.handler, versions=tuple(sorted(versions, key=int)),
                    aliases=dict(aliases),
                    description=b.description if description is None else description,
                    stream_handler=b.stream_handler, behaviour=behaviour,
                    last_modified=last_modified, runtime_added=runtime_added)


def default_registry(extra_functions: int = 0) -> FunctionRegistry:
    """The built-ins, plus ``extra_functions`` generated echo functions bulk-001, bulk-002, …
    (every 5th with version 1 and alias live → 1)."""
    reg = FunctionRegistry()
    for name, b in BUILTINS.items():
        reg.register(Function(name, b.handler, versions=b.versions, aliases=dict(b.aliases),
                              description=b.description, stream_handler=b.stream_handler,
                              behaviour=name))
    for i in range(1, extra_functions + 1):
        fifth = i % 5 == 0
        reg.register(make_function(f"bulk-{i:03d}", "echo",
                                   versions=("1",) if fifth else (),
                                   aliases={"live": "1"} if fifth else {},
                                   description=f"generated echo function {i}"))
    return reg
