"""The Lambda service: Invoke (rest-json, signing name ``lambda``).

Later operations (ListFunctions, InvokeWithResponseStream) are more routes in ``LambdaService``.
Error shapes, status codes and messages follow real Lambda (aws-protocols.md §3).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote

from functions import Function, InvocationContext
from httpd import Response
from router import CallContext, Service, route

SYNC_PAYLOAD_LIMIT = 6291456  # 6 MiB
ASYNC_PAYLOAD_LIMIT = 1048576  # 1 MiB (was 256 KiB before 2025-10)
SYNC_RESPONSE_LIMIT = 6291556  # Lambda's own number, 100 bytes over 6 MiB
CLIENT_CONTEXT_LIMIT = 3583

INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
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

        cfg = self.app.config
        inv = InvocationContext(
            function_name=target.function.name, qualifier=target.qualifier,
            executed_version=target.executed_version, invoked_arn=target.invoked_arn,
            access_key_id=ctx.access_key_id, invocation_type=invocation_type,
            request_id=ctx.request_id,
            headers=req.header_dict(exclude=("authorization", "x-amz-security-token")),
            region=cfg.region, account_id=cfg.account_id,
            role_arn=getattr(ctx.credential, "role_arn", None))
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


def _request_problem(req, invocation_type: str, log_type: str) -> Optional[Response]:
    """Header and payload checks Lambda makes before running anything."""
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
        return lambda_error(413, "RequestTooLargeException",
                            f"Request must be smaller than {limit} bytes for the "
                            f"{'InvokeAsync' if is_async else 'InvokeFunction'} operation")
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
