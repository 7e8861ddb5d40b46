"""The Lambda service (rest-json, signing name ``lambda``): Invoke, InvokeWithResponseStream,
ListFunctions and ListAliases.

Error shapes, status codes and messages follow real Lambda (aws-protocols.md §3–5).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote

import eventstream
from functions import Function, InvocationContext, run_stream
from httpd import Response
from router import CallContext, Service, route

SYNC_PAYLOAD_LIMIT = 6291456  # 6 MiB
ASYNC_PAYLOAD_LIMIT = 1048576  # 1 MiB (was 256 KiB before 2025-10)
SYNC_RESPONSE_LIMIT = 6291556  # Lambda's own number, 100 bytes over 6 MiB
CLIENT_CONTEXT_LIMIT = 3583

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
STREAM_INVOCATION_TYPES = ("RequestResponse", "DryRun")
EVENTSTREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"
LIST_PAGE_LIMIT = 50  # Lambda never returns more per page, whatever MaxItems says
MAX_ITEMS_RANGE = (1, 10000)
_MARKER_KEY = b"fake_aws list marker"  # only to tell a marker we issued from a garbled one
LOG_TYPES = ("None", "Tail")

# Lambda's header namespaces: service errors vs errors from the shared auth front end.
LAMBDA_NS = "http://internal.amazon.com/coral/com.amazonaws.awslambda/"
CORAL_NS = "http://internal.amazon.com/coral/com.amazon.coral.service/"
AUTH_CODES = {"InvalidSignatureException", "IncompleteSignatureException",
              "MissingAuthenticationTokenException", "UnrecognizedClientException",
              "ExpiredTokenException", "UnknownOperationException"}

_NAME = r"[a-zA-Z0-9_-]{1,64}"
_QUALIFIER = r"[a-zA-Z0-9$_-]{1,128}"
_NAME_AND_QUALIFIER = rf"(?P<name>{_NAME})(?::(?P<qualifier>{_QUALIFIER}))?"
# Tried in order: full ARN, partial ARN (ACCOUNT:function:NAME), plain NAME; each [:QUALIFIER].
_FUNCTION_NAME_FORMS = [
    re.compile(rf"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):"
               rf"(?P<account>\d{{12}}):function:{_NAME_AND_QUALIFIER}"),
    re.compile(rf"(?P<account>\d{{12}}):function:{_NAME_AND_QUALIFIER}"),
    re.compile(_NAME_AND_QUALIFIER),
]
_FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def lambda_error(status: int, code: str, message: str, headers=(), **body_extra) -> Response:
    """Lambda's JSON error: the code in x-amzn-ErrorType, the text in the body."""
    body = {"Type": "User" if status < 500 else "Service", "message": message, **body_extra}
    ns = CORAL_NS if code in AUTH_CODES else LAMBDA_NS
    return Response(status, json.dumps(body, separators=(",", ":")).encode(), [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", f"{code}:{ns}"),
        *headers,
    ])


def _validation_error(value: str, member: str, constraint: str) -> Response:
    return lambda_error(400, "ValidationException",
                        f"1 validation error detected: Value '{value}' at '{member}' failed to "
                        f"satisfy constraint: {constraint}")


class LambdaService(Service):
    name = "lambda"
    signing_name = "lambda"

    def __init__(self, app) -> None:
        self.app = app

    def routes(self):
        return [
            route("POST", r"/2015-03-31/functions/(?P<function>[^/]+)/invocations", "Invoke",
                  self.invoke, describe=_describe_invoke),
            route("POST", r"/2021-11-15/functions/(?P<function>[^/]+)"
                          r"/response-streaming-invocations",
                  "InvokeWithResponseStream", self.invoke_stream, describe=_describe_invoke),
            # The SDKs send no trailing slash; the API reference shows one. Both are served.
            route("GET", r"/2015-03-31/functions/?", "ListFunctions", self.list_functions),
            route("GET", r"/2015-03-31/functions/(?P<function>[^/]+)/aliases/?", "ListAliases",
                  self.list_aliases, describe=_describe_function),
        ]

    def error(self, status, code, message, **extra):
        return lambda_error(status, code, message, **extra)

    # ----------------------------------------------------------------------------------------
    # Invoke
    # ----------------------------------------------------------------------------------------

    def invoke(self, ctx: CallContext) -> Response:
        req, rec = ctx.request, ctx.record
        target = self._resolve_target(ctx)
        if isinstance(target, Response):
            return target
        rec["executedVersion"] = target.executed_version

        invocation_type = req.header("x-amz-invocation-type") or "RequestResponse"
        log_type = req.header("x-amz-log-type") or "None"
        problem = _request_problem(req, invocation_type, log_type)
        if problem:
            return problem

        base_headers = [("x-amzn-RequestId", ctx.request_id),
                        ("X-Amzn-Trace-Id", _trace_id(ctx.request_id))]
        if invocation_type == "DryRun":
            return Response(204, headers=base_headers)
        if invocation_type == "Event":
            # Queued, not run: nothing would observe the result. The call log records it.
            return Response(202, headers=base_headers)

        inv = self._invocation_context(ctx, target, invocation_type)
        output, function_error = target.function.handler(req.body, inv)
        if len(output) > SYNC_RESPONSE_LIMIT:
            output = json.dumps({
                "errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                f"({SYNC_RESPONSE_LIMIT} bytes).",
                "errorType": "Function.ResponseSizeTooLarge"}).encode()
            function_error = "Unhandled"

        headers = [("Content-Type", "application/json"),
                   ("X-Amz-Executed-Version", target.executed_version), *base_headers]
        if function_error:
            headers.append(("X-Amz-Function-Error", function_error))
            rec["functionError"] = function_error
        if log_type == "Tail":
            headers.append(("X-Amz-Log-Result",
                            _tail_log(ctx.request_id, target.executed_version,
                                      target.function.name, len(req.body), function_error)))
        return Response(200, output, headers)

    def _invocation_context(self, ctx: CallContext, target: "_Target",
                            invocation_type: str) -> InvocationContext:
        cfg = self.app.config
        return InvocationContext(
            function_name=target.function.name, qualifier=target.qualifier,
            executed_version=target.executed_version, invoked_arn=target.invoked_arn,
            access_key_id=ctx.access_key_id, invocation_type=invocation_type,
            request_id=ctx.request_id,
            headers=ctx.request.header_dict(exclude=("authorization", "x-amz-security-token")),
            region=cfg.region, account_id=cfg.account_id,
            role_arn=getattr(ctx.credential, "role_arn", None))

    # ----------------------------------------------------------------------------------------
    # InvokeWithResponseStream
    # ----------------------------------------------------------------------------------------

    def invoke_stream(self, ctx: CallContext) -> Response:
        """Same resolution and checks as Invoke; then 200 and an event stream: a PayloadChunk
        per piece of output, then InvokeComplete. Errors found before the stream starts are
        ordinary JSON errors."""
        req, rec = ctx.request, ctx.record
        target = self._resolve_target(ctx)
        if isinstance(target, Response):
            return target
        rec["executedVersion"] = target.executed_version
        invocation_type = req.header("x-amz-invocation-type") or "RequestResponse"
        log_type = req.header("x-amz-log-type") or "None"
        problem = _request_problem(req, invocation_type, log_type, streaming=True)
        if problem:
            return problem
        base_headers = [("x-amzn-RequestId", ctx.request_id),
                        ("X-Amzn-Trace-Id", _trace_id(ctx.request_id))]
        if invocation_type == "DryRun":
            return Response(204, headers=base_headers)
        inv = self._invocation_context(ctx, target, invocation_type)
        # Filled in as the stream goes (keys exist from the start: the call log may be read
        # concurrently).
        rec.update(streamChunks=0, streamOutcome="streaming", streamErrorCode=None)
        headers = [("Content-Type", EVENTSTREAM_CONTENT_TYPE),
                   ("X-Amz-Executed-Version", target.executed_version), *base_headers]
        return Response(200, headers=headers,
                        stream=self._event_stream(ctx, target, req.body, inv, log_type))

    def _event_stream(self, ctx: CallContext, target: "_Target", payload: bytes,
                      inv: InvocationContext, log_type: str):
        """The event-stream messages, made as the function produces output. The transport
        pulls one message at a time and sends each as one HTTP chunk."""
        rec = ctx.record
        error = None
        outcome = "fake-error"
        try:
            for item in run_stream(target.function, payload, inv):
                if isinstance(item, (bytes, bytearray)):
                    if item:
                        rec["streamChunks"] += 1
                        yield eventstream.payload_chunk(bytes(item))
                elif item[0] == "sleep":
                    time.sleep(item[1])
                elif item[0] == "error":
                    error = (item[1], item[2])
                    break
            log = None
            if log_type == "Tail":
                log = _tail_log(ctx.request_id, target.executed_version, target.function.name,
                                len(payload), error[0] if error else None)
            if error:
                rec.update(streamErrorCode=error[0], functionError=error[0])
            yield eventstream.invoke_complete(error[0] if error else None,
                                              error[1] if error else None, log)
            outcome = "error" if error else "complete"
        except GeneratorExit:
            # The transport stopped pulling: a "cut" fault, or the client went away.
            outcome = "cut" if "cut" in ctx.extra else "client-gone"
            raise
        finally:
            rec["streamOutcome"] = outcome
            self.app.log_line(f"stream {ctx.request_id} fn={target.function.name} "
                              f"{outcome} chunks={rec['streamChunks']}")

    # ----------------------------------------------------------------------------------------
    # ListFunctions, ListAliases
    # ----------------------------------------------------------------------------------------

    def _arn(self, name: str) -> str:
        cfg = self.app.config
        return f"arn:{partition_for(cfg.region)}:lambda:{cfg.region}:{cfg.account_id}" \
               f":function:{name}"

    def list_functions(self, ctx: CallContext) -> Response:
        q = _query(ctx.request)
        function_version = q.get("FunctionVersion")
        if function_version is not None and function_version != "ALL":
            return lambda_error(400, "InvalidParameterValueException",
                                f"Invalid value for FunctionVersion: {function_version[:64]}. "
                                f"Valid values: ALL")
        all_versions = function_version == "ALL"
        master_region = q.get("MasterRegion")
        if master_region is not None:
            if not re.fullmatch(r"ALL|[a-z]{2}(-gov)?-[a-z]+-\d", master_region):
                return _validation_error(master_region[:64], "masterRegion",
                                         "Member must satisfy regular expression pattern: "
                                         "ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}")
            if not all_versions:
                return lambda_error(400, "InvalidParameterValueException",
                                    "FunctionVersion must be ALL when MasterRegion is given")
        paging = _paging(q, "ListFunctions", "")
        if isinstance(paging, Response):
            return paging
        max_items, after = paging

        entries = []  # (sort key, function, version)
        if master_region is None:  # the fake has no Lambda@Edge replicas
            for fn in self.app.functions.all():
                entries.append(((fn.name, -1), fn, "$LATEST"))
                if all_versions:
                    entries += [((fn.name, int(v)), fn, v) for v in fn.versions]
        entries.sort(key=lambda e: e[0])
        if after is not None:
            after_key = (after[0], -1 if after[1] == "$LATEST" else int(after[1]))
            entries = [e for e in entries if e[0] > after_key]
        page, more = entries[:max_items], len(entries) > max_items
        out = {"Functions": [self._configuration(fn, v, all_versions) for _, fn, v in page]}
        if more:
            last = page[-1]
            out["NextMarker"] = _marker("ListFunctions", "", f"{last[1].name}\n{last[2]}")
        ctx.record["itemCount"] = len(page)
        return _json_response(out)

    def _configuration(self, fn: Function, version: str, all_versions: bool) -> dict:
        """A FunctionConfiguration as ListFunctions returns it. The $LATEST entry's ARN is
        unqualified, except with FunctionVersion=ALL, where Lambda writes ``:$LATEST``
        (getmoto/moto#3422 shows both from real AWS); versions always carry ``:N``."""
        cfg = self.app.config
        arn = self._arn(fn.name)
        if version != "$LATEST" or all_versions:
            arn = f"{arn}:{version}"
        code = hashlib.sha256(f"fake_aws:{fn.behaviour or fn.name}".encode()).digest()
        return {
            "FunctionName": fn.name,
            "FunctionArn": arn,
            "Runtime": fn.runtime,
            "Role": f"arn:{partition_for(cfg.region)}:iam::{cfg.account_id}:role/"
                    f"fake-lambda-role",
            "Handler": "index.handler",
            "CodeSize": 1024 + code[0] * 16 + code[1],
            "Description": fn.description,
            "Timeout": 30,
            "MemorySize": 128,
            "LastModified": fn.last_modified,
            "CodeSha256": base64.b64encode(code).decode(),
            "Version": version,
            "TracingConfig": {"Mode": "PassThrough"},
            "RevisionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{fn.last_modified}")),
            "PackageType": "Zip",
            "Architectures": ["x86_64"],
            "EphemeralStorage": {"Size": 512},
        }

    def list_aliases(self, ctx: CallContext) -> Response:
        cfg = self.app.config
        name_arg = unquote(ctx.params["function"])
        parsed = _parse_function_name(name_arg)
        if parsed is None:
            return _validation_error(name_arg, "functionName",
                                     "Member must satisfy regular expression pattern: "
                                     + _FUNCTION_NAME_PATTERN)
        if parsed.get("qualifier"):
            return lambda_error(400, "InvalidParameterValueException",
                                "Unsupported qualifier in the function name: ListAliases "
                                "takes an unqualified name or ARN.")
        arn = self._arn(parsed["name"])
        if parsed.get("region", cfg.region) != cfg.region or \
                parsed.get("account", cfg.account_id) != cfg.account_id:
            return _not_found(name_arg if name_arg.startswith("arn:") else arn)
        fn = self.app.functions.get(parsed["name"])
        if fn is None:
            return _not_found(arn)
        q = _query(ctx.request)
        version = q.get("FunctionVersion")
        if version is not None and not re.fullmatch(r"\$LATEST|[0-9]{1,1024}", version):
            return _validation_error(version[:64], "functionVersion",
                                     "Member must satisfy regular expression pattern: "
                                     "(\\$LATEST|[0-9]+)")
        paging = _paging(q, "ListAliases", fn.name)
        if isinstance(paging, Response):
            return paging
        max_items, after = paging
        names = sorted(a for a, v in fn.aliases.items() if version is None or v == version)
        if after is not None:
            names = [a for a in names if a > after[0]]
        page, more = names[:max_items], len(names) > max_items
        out = {"Aliases": [{
            "AliasArn": f"{arn}:{alias}",
            "Name": alias,
            "FunctionVersion": fn.aliases[alias],
            "Description": "",
            "RevisionId": str(uuid.uuid5(uuid.NAMESPACE_URL,
                                         f"{arn}:{alias}#{fn.aliases[alias]}")),
        } for alias in page]}
        if more:
            out["NextMarker"] = _marker("ListAliases", fn.name, page[-1])
        ctx.record["itemCount"] = len(page)
        return _json_response(out)

    def _resolve_target(self, ctx: CallContext) -> "_Target | Response":
        """FunctionName label + ?Qualifier= → the function and version to run, or the error."""
        cfg = self.app.config
        # The label arrives percent-encoded (':' as %3A, '$' as %24) or raw; both mean the same.
        name_arg = unquote(ctx.params["function"])
        parsed = _parse_function_name(name_arg)
        if parsed is None:
            return _validation_error(name_arg, "functionName",
                                     "Member must satisfy regular expression pattern: "
                                     + _FUNCTION_NAME_PATTERN)
        query_qualifier = ctx.request.query().get("Qualifier") or None
        if query_qualifier is not None and not re.fullmatch(_QUALIFIER, query_qualifier):
            return _validation_error(query_qualifier, "qualifier",
                                     "Member must satisfy regular expression pattern: "
                                     "(|[a-zA-Z0-9$_-]+)")
        name_qualifier = parsed.get("qualifier")
        if name_qualifier and query_qualifier and name_qualifier != query_qualifier:
            return lambda_error(400, "InvalidParameterValueException",
                                "The derived qualifier from the function name does not match "
                                "the specified qualifier.")
        qualifier = name_qualifier or query_qualifier

        name = parsed["name"]
        arn = (f"arn:{partition_for(cfg.region)}:lambda:{cfg.region}:{cfg.account_id}"
               f":function:{name}")
        invoked_arn = f"{arn}:{qualifier}" if qualifier else arn
        # An ARN for another region or account names a function the fake does not have.
        if parsed.get("region", cfg.region) != cfg.region or \
                parsed.get("account", cfg.account_id) != cfg.account_id:
            return _not_found(name_arg if name_arg.startswith("arn:") else invoked_arn)
        fn: Optional[Function] = self.app.functions.get(name)
        executed = fn.resolve(qualifier) if fn else None
        if executed is None:
            return _not_found(invoked_arn)
        return _Target(fn, qualifier, executed, invoked_arn)


@dataclass(frozen=True)
class _Target:
    function: Function
    qualifier: Optional[str]  # as the caller gave it, in the name or ?Qualifier=
    executed_version: str
    invoked_arn: str


def _request_problem(req, invocation_type: str, log_type: str,
                     streaming: bool = False) -> Optional[Response]:
    """Header and payload checks Lambda makes before running anything."""
    if streaming and invocation_type not in STREAM_INVOCATION_TYPES:
        return _validation_error(invocation_type, "invocationType",
                                 "Member must satisfy enum value set: [RequestResponse, DryRun]")
    if invocation_type not in INVOCATION_TYPES:
        return _validation_error(invocation_type, "invocationType",
                                 "Member must satisfy enum value set: "
                                 "[Event, RequestResponse, DryRun]")
    if log_type not in LOG_TYPES:
        return _validation_error(log_type, "logType",
                                 "Member must satisfy enum value set: [None, Tail]")
    is_async = invocation_type == "Event"
    limit = ASYNC_PAYLOAD_LIMIT if is_async else SYNC_PAYLOAD_LIMIT
    if len(req.body) > limit:
        operation = ("InvokeWithResponseStream" if streaming
                     else "InvokeAsync" if is_async else "InvokeFunction")
        return lambda_error(413, "RequestTooLargeException",
                            f"Request must be smaller than {limit} bytes for the "
                            f"{operation} operation")
    problem = _payload_problem(req.body)
    if problem:
        return lambda_error(400, "InvalidRequestContentException",
                            f"Could not parse request body into json: Could not parse "
                            f"payload into json: {problem}")
    client_context = req.header("x-amz-client-context")
    if client_context is not None and not _valid_client_context(client_context):
        return lambda_error(400, "InvalidRequestContentException",
                            "Client context must be a valid Base64-encoded JSON object.")
    return None


def _describe_invoke(ctx: CallContext) -> None:
    """Best-effort attribution for the call log, before (and whatever) the signature check."""
    req, rec = ctx.request, ctx.record
    name_arg = unquote(ctx.params["function"])
    parsed = _parse_function_name(name_arg) or {}
    rec.update(functionNameArg=name_arg, function=parsed.get("name"),
               qualifier=parsed.get("qualifier") or req.query().get("Qualifier") or None,
               invocationType=req.header("x-amz-invocation-type") or "RequestResponse")


def _describe_function(ctx: CallContext) -> None:
    """Call-log attribution for operations on one function (ListAliases)."""
    name_arg = unquote(ctx.params["function"])
    parsed = _parse_function_name(name_arg) or {}
    ctx.record.update(functionNameArg=name_arg, function=parsed.get("name"),
                      qualifier=parsed.get("qualifier"))


def _query(req) -> dict:
    """Decoded query parameters; an empty value counts as absent."""
    return {k: v for k, v in req.query().items() if v != ""}


def _json_response(value) -> Response:
    return Response(200, json.dumps(value, separators=(",", ":")).encode(),
                    [("Content-Type", "application/json")])


def _marker(operation: str, scope: str, position: str) -> str:
    """An opaque pagination token: where the page ended, and a MAC so that a garbled or
    made-up marker is refused instead of silently restarting the listing."""
    text = f"{operation}\n{scope}\n{position}".encode()
    mac = hmac.new(_MARKER_KEY, text, hashlib.sha256).hexdigest()[:16]
    return base64.urlsafe_b64encode(text).decode().rstrip("=") + "." + mac


def _read_marker(operation: str, scope: str, marker: str) -> Optional[list]:
    """The position a marker of ours holds (split on newlines), or None."""
    b64, _, mac = marker.partition(".")
    try:
        text = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except (binascii.Error, ValueError):
        return None
    want = hmac.new(_MARKER_KEY, text, hashlib.sha256).hexdigest()[:16]
    if not hmac.compare_digest(mac.encode(), want.encode()):
        return None
    parts = text.decode("utf-8", "replace").split("\n")
    if len(parts) < 3 or parts[0] != operation or parts[1] != scope:
        return None
    return parts[2:]


def _paging(q: dict, operation: str, scope: str):
    """(page size, position after which to continue or None) from MaxItems and Marker, or
    the error Response."""
    max_items = LIST_PAGE_LIMIT
    raw = q.get("MaxItems")
    if raw is not None:
        lo, hi = MAX_ITEMS_RANGE
        if not re.fullmatch(r"-?[0-9]{1,12}", raw):
            return _validation_error(raw[:64], "maxItems", "Member must be an integer")
        if int(raw) < lo:
            return _validation_error(raw, "maxItems",
                                     f"Member must have value greater than or equal to {lo}")
        if int(raw) > hi:
            return _validation_error(raw, "maxItems",
                                     f"Member must have value less than or equal to {hi}")
        max_items = min(int(raw), LIST_PAGE_LIMIT)
    after = None
    marker = q.get("Marker")
    if marker is not None:
        after = _read_marker(operation, scope, marker)
        if after is None or (operation == "ListFunctions" and
                             (len(after) != 2 or not re.fullmatch(r"\$LATEST|[0-9]+",
                                                                   after[1]))):
            return lambda_error(400, "InvalidParameterValueException",
                                f"Invalid Marker: {marker[:128]}")
    return max_items, after


def _parse_function_name(value: str) -> Optional[dict]:
    if len(value) > 256:
        return None
    for form in _FUNCTION_NAME_FORMS:
        m = form.fullmatch(value)
        if m:
            return {k: v for k, v in m.groupdict().items() if v is not None}
    return None


def _not_found(arn: str) -> Response:
    return lambda_error(404, "ResourceNotFoundException", f"Function not found: {arn}")


def _reject_constant(name: str):
    raise ValueError(f"Non-standard token '{name}'")


def _payload_problem(body: bytes) -> Optional[str]:
    """Why Lambda would refuse this payload as JSON, or None. Empty is allowed (null input)."""
    if not body:
        return None
    try:
        json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return f"Invalid UTF-8 middle byte: {exc.reason}"
    except ValueError as exc:
        return str(exc)
    return None


def _valid_client_context(value: str) -> bool:
    try:
        raw = base64.b64decode(value, validate=True)
        return len(raw) <= CLIENT_CONTEXT_LIMIT and isinstance(json.loads(raw), dict)
    except (binascii.Error, ValueError):
        return False


def _trace_id(request_id: str) -> str:
    return f"root=1-00000000-{request_id.replace('-', '')[:24]};sampled=0"


def _tail_log(request_id: str, version: str, name: str, size: int,
              function_error: Optional[str]) -> str:
    lines = [f"START RequestId: {request_id} Version: {version}",
             f"fake_aws: {name} invoked with {size} bytes"]
    if function_error:
        lines.append(f"ERROR\tInvoke Error\t{function_error}")
    lines += [f"END RequestId: {request_id}",
              f"REPORT RequestId: {request_id}\tDuration: 1.00 ms\tBilled Duration: 1 ms\t"
              f"Memory Size: 128 MB\tMax Memory Used: 64 MB", ""]
    return base64.b64encode("\n".join(lines).encode()).decode()
