"""The STS service: AssumeRoleWithWebIdentity (unsigned) and AssumeRole (SigV4, service ``sts``).

awsQuery protocol (aws-protocols.md §2): ``POST /`` (or ``GET /``) with ``Action=…&Version=
2011-06-15&…`` form-encoded in the body and/or in the query string. Answers and errors are XML
in the ``https://sts.amazonaws.com/doc/2011-06-15/`` namespace, ``Content-Type: text/xml``.

Issued credentials go into the shared credential store with their role and expiry, so the fake
Lambda accepts them (and ``whoami`` reports the role) until they expire.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import uuid
from typing import Optional
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from httpd import Response
from issuer import (assumed_role_id, issue, iso8601, parse_role_arn, read_token_file,
                    role_allowed)
from router import CallContext, Service, route

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"
FORM_TYPE = "application/x-www-form-urlencoded"

SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_SESSION_NAME_RE = re.compile(SESSION_NAME_PATTERN, re.ASCII)  # Java's \w: ASCII only
MIN_DURATION, MAX_DURATION = 900, 43200
CHAINED_MAX_DURATION = 3600

# What the SigV4 verifier found (Lambda's codes) → what STS says.
_AUTH_ERRORS = {
    "MissingAuthenticationTokenException": (403, "MissingAuthenticationToken",
                                            "Request is missing Authentication Token"),
    "IncompleteSignatureException": (400, "IncompleteSignature", None),
    "UnrecognizedClientException": (403, "InvalidClientTokenId",
                                    "The security token included in the request is invalid."),
    "ExpiredTokenException": (403, "ExpiredToken",
                              "The security token included in the request is expired"),
    "InvalidSignatureException": (403, "SignatureDoesNotMatch", None),
}

MSG_INVALID_IDENTITY_TOKEN = (
    "The web identity token that was passed could not be validated by AWS. Get a new identity "
    "token from the identity provider and then retry the request.")


def sts_error(status: int, code: str, message: str, request_id: Optional[str] = None,
              headers=()) -> Response:
    """STS's ``<ErrorResponse>`` (aws-protocols.md §2.4)."""
    request_id = request_id or str(uuid.uuid4())
    body = (f'<ErrorResponse xmlns="{STS_NS}">\n'
            f'  <Error>\n'
            f'    <Type>{"Sender" if status < 500 else "Receiver"}</Type>\n'
            f'    <Code>{escape(code)}</Code>\n'
            f'    <Message>{escape(message)}</Message>\n'
            f'  </Error>\n'
            f'  <RequestId>{request_id}</RequestId>\n'
            f'</ErrorResponse>\n')
    return Response(status, body.encode(), [("Content-Type", "text/xml"),
                                            ("x-amzn-RequestId", request_id), *headers],
                    error_code=code)


def _validation_message(problems: list[str]) -> str:
    n = len(problems)
    return f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems)


def _jwt_claims(token: str) -> dict:
    """Unverified claims of a JWT-looking token (``sub``, ``aud``, ``iss``, ``exp``), else {}."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


class StsService(Service):
    name = "sts"
    signing_name = "sts"

    def __init__(self, app) -> None:
        self.app = app
        self._operations = {
            "AssumeRoleWithWebIdentity": self.assume_role_with_web_identity,
            "AssumeRole": self.assume_role,
        }

    def routes(self):
        return [route(method, r"/", "STS", self.handle, signed=False, describe=self._describe,
                      authenticate=self._authenticate)
                for method in ("POST", "GET")]

    def error(self, status, code, message, request_id=None, headers=(), **extra):
        return sts_error(status, code, message, request_id, headers)

    def error_for(self, ctx, status, code, message, headers=(), **extra):
        return sts_error(status, code, message, ctx.request_id, headers)

    # ----------------------------------------------------------------------------------------
    # Request parsing, attribution, authentication
    # ----------------------------------------------------------------------------------------

    def _describe(self, ctx: CallContext) -> None:
        req = ctx.request
        params: dict[str, str] = {}
        for k, v in parse_qsl(req.raw_query, keep_blank_values=True):
            params.setdefault(k, v)
        body_problem = None
        if req.body:
            ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
            if ctype != FORM_TYPE:
                body_problem = (f"the body was not read: Content-Type is '{ctype or '(none)'}', "
                                f"not {FORM_TYPE}")
            else:
                try:
                    for k, v in parse_qsl(req.body.decode("utf-8"), keep_blank_values=True):
                        params[k] = v  # the body wins over the query string
                except UnicodeDecodeError:
                    body_problem = "the body is not UTF-8"
        ctx.extra.update(params=params, body_problem=body_problem)
        if "WebIdentityToken" in req.raw_query:  # never keep a token in the call log
            ctx.record["rawQuery"] = "&".join(
                "WebIdentityToken=REDACTED" if unquote(piece.partition("=")[0]) ==
                "WebIdentityToken" else piece for piece in req.raw_query.split("&"))
        ctx.record.update(operation=params.get("Action"), roleArn=params.get("RoleArn"),
                          roleSessionName=params.get("RoleSessionName"), signatureValid=None)

    def _authenticate(self, ctx: CallContext) -> Optional[Response]:
        """AssumeRole is SigV4-signed (service ``sts``); AssumeRoleWithWebIdentity is not (any
        Authorization header on it is ignored, as STS does)."""
        if ctx.record["operation"] != "AssumeRole":
            return None
        auth = ctx.app.verifier.verify(ctx.request, self.signing_name)
        ctx.record.update(signatureValid=auth.ok, accessKeyId=auth.access_key)
        if not auth.ok:
            status, code, message = _AUTH_ERRORS.get(auth.code,
                                                     (auth.status, auth.code, auth.message))
            ctx.record["signatureError"] = code
            return self.error_for(ctx, status, code, message or auth.message)
        ctx.access_key_id = auth.access_key
        ctx.credential = auth.credential
        ctx.record["callerRoleArn"] = auth.credential.role_arn
        return None

    # ----------------------------------------------------------------------------------------
    # Dispatch
    # ----------------------------------------------------------------------------------------

    def handle(self, ctx: CallContext) -> Response:
        params = ctx.extra["params"]
        action = params.get("Action")
        if not action:
            hint = ctx.extra.get("body_problem")
            return self.error_for(ctx, 400, "MissingAction",
                                  "Missing Action" + (f" (fake_aws: {hint})" if hint else ""))
        version = params.get("Version")
        operation = self._operations.get(action)
        if operation is None or version != VERSION:
            return self.error_for(ctx, 400, "InvalidAction",
                                  f"Could not find operation {action} for version "
                                  f"{version or 'NO_VERSION_SPECIFIED'}")
        return operation(ctx, params)

    # ----------------------------------------------------------------------------------------
    # Operations
    # ----------------------------------------------------------------------------------------

    def assume_role_with_web_identity(self, ctx: CallContext, p: dict) -> Response:
        problems = self._common_problems(p)
        token = p.get("WebIdentityToken")
        if token is None:
            problems.append("Value null at 'webIdentityToken' failed to satisfy constraint: "
                            "Member must not be null")
        elif not 4 <= len(token) <= 20000:
            # The token itself is never echoed (nor logged, nor recorded).
            bound = "greater than or equal to 4" if len(token) < 4 else \
                "less than or equal to 20000"
            problems.append(f"Value at 'webIdentityToken' failed to satisfy constraint: "
                            f"Member must have length {bound}")
        if problems:
            return self.error_for(ctx, 400, "ValidationError", _validation_message(problems))
        role_arn, session = p["RoleArn"], p["RoleSessionName"]
        if parse_role_arn(role_arn) is None:
            return self.error_for(ctx, 400, "ValidationError", "Request ARN is invalid")

        expected = read_token_file(self.app.config.web_identity_token_file,
                                   "--web-identity-token-file", self.app.log_line)
        if expected is not None and not hmac.compare_digest(token.encode(), expected.encode()):
            return self.error_for(ctx, 400, "InvalidIdentityToken", MSG_INVALID_IDENTITY_TOKEN)
        claims = _jwt_claims(token)
        now = self.app.verifier.clock()
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and exp <= now:
            return self.error_for(ctx, 400, "ExpiredTokenException",
                                  f"Token expired: current date/time {int(now)} must be before "
                                  f"the expiration date/time {int(exp)}")
        if not role_allowed(role_arn, self.app.config.roles):
            return self.error_for(ctx, 403, "AccessDenied",
                                  "Not authorized to perform sts:AssumeRoleWithWebIdentity")

        cred = self._issue(ctx, role_arn, p)
        aud = claims.get("aud")
        aud = aud[0] if isinstance(aud, list) and aud else aud
        extra = {
            "SubjectFromWebIdentityToken": str(claims.get("sub")
                                               or "system:serviceaccount:default:lambdagate"),
            "Provider": str(claims.get("iss") or f"arn:aws:iam::{self.app.config.account_id}:"
                            f"oidc-provider/oidc.eks.{self.app.config.region}.amazonaws.com/id/"
                            f"FAKEOIDCPROVIDER"),
            "Audience": str(aud or "sts.amazonaws.com"),
        }
        return self._success(ctx, "AssumeRoleWithWebIdentity", cred, role_arn, session, extra)

    def assume_role(self, ctx: CallContext, p: dict) -> Response:
        problems = self._common_problems(p)
        if problems:
            return self.error_for(ctx, 400, "ValidationError", _validation_message(problems))
        role_arn, session = p["RoleArn"], p["RoleSessionName"]
        if parse_role_arn(role_arn) is None:
            return self.error_for(ctx, 400, "ValidationError", "Request ARN is invalid")
        caller = ctx.credential
        chained = caller is not None and caller.role_arn is not None
        duration = p.get("DurationSeconds")
        if chained and duration is not None and int(duration) > CHAINED_MAX_DURATION:
            return self.error_for(ctx, 400, "ValidationError",
                                  "The requested DurationSeconds exceeds the 1 hour session "
                                  "limit for roles assumed by role chaining.")
        if not role_allowed(role_arn, self.app.config.roles):
            who = (f"arn:aws:sts::{self.app.config.account_id}:assumed-role/"
                   f"{caller.role_arn.rsplit('/', 1)[-1]}/session" if chained
                   else f"arn:aws:iam::{self.app.config.account_id}:user/fake")
            return self.error_for(ctx, 403, "AccessDenied",
                                  f"User: {who} is not authorized to perform: sts:AssumeRole "
                                  f"on resource: {role_arn}")
        cred = self._issue(ctx, role_arn, p)
        return self._success(ctx, "AssumeRole", cred, role_arn, session, {})

    # ----------------------------------------------------------------------------------------
    # Helpers
    # ----------------------------------------------------------------------------------------

    @staticmethod
    def _common_problems(p: dict) -> list[str]:
        """RoleArn, RoleSessionName and DurationSeconds checks shared by both operations, in
        AWS's "N validation errors detected" wording."""
        problems = []
        arn = p.get("RoleArn")
        if arn is None:
            problems.append("Value null at 'roleArn' failed to satisfy constraint: "
                            "Member must not be null")
        elif not 20 <= len(arn) <= 2048:
            bound = "greater than or equal to 20" if len(arn) < 20 else \
                "less than or equal to 2048"
            problems.append(f"Value '{arn}' at 'roleArn' failed to satisfy constraint: "
                            f"Member must have length {bound}")
        name = p.get("RoleSessionName")
        if name is None:
            problems.append("Value null at 'roleSessionName' failed to satisfy constraint: "
                            "Member must not be null")
        else:
            if not _SESSION_NAME_RE.fullmatch(name):
                problems.append(f"Value '{name}' at 'roleSessionName' failed to satisfy "
                                f"constraint: Member must satisfy regular expression pattern: "
                                f"{SESSION_NAME_PATTERN}")
            if not 2 <= len(name) <= 64:
                bound = "greater than or equal to 2" if len(name) < 2 else \
                    "less than or equal to 64"
                problems.append(f"Value '{name}' at 'roleSessionName' failed to satisfy "
                                f"constraint: Member must have length {bound}")
        duration = p.get("DurationSeconds")
        if duration is not None:
            if not re.fullmatch(r"\d{1,9}", duration):
                problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy "
                                f"constraint: Member must be an integer")
            elif int(duration) < MIN_DURATION:
                problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy "
                                f"constraint: Member must have value greater than or equal "
                                f"to {MIN_DURATION}")
            elif int(duration) > MAX_DURATION:
                problems.append(f"Value '{duration}' at 'durationSeconds' failed to satisfy "
                                f"constraint: Member must have value less than or equal "
                                f"to {MAX_DURATION}")
        return problems

    def _issue(self, ctx: CallContext, role_arn: str, p: dict):
        lifetime = self.app.config.credential_lifetime
        if p.get("DurationSeconds") is not None:
            # DurationSeconds (≥ 900) may shorten --credential-lifetime, never lengthen it, so a
            # short test lifetime (e.g. 6 s) wins over an SDK's default 3600.
            lifetime = min(lifetime, int(p["DurationSeconds"]))
        cred = issue(self.app.credentials, role_arn, lifetime, self.app.verifier.clock())
        ctx.record.update(issuedAccessKeyId=cred.access_key,
                          expiration=iso8601(cred.expires_at))
        return cred

    def _success(self, ctx: CallContext, action: str, cred, role_arn: str, session: str,
                 extra: dict) -> Response:
        m = parse_role_arn(role_arn)
        assumed_arn = (f"arn:{m['partition']}:sts::{m['account']}:assumed-role/"
                       f"{m['name']}/{session}")
        creds_xml = (f"    <Credentials>\n"
                     f"      <AccessKeyId>{cred.access_key}</AccessKeyId>\n"
                     f"      <SecretAccessKey>{escape(cred.secret_key)}</SecretAccessKey>\n"
                     f"      <SessionToken>{escape(cred.session_token)}</SessionToken>\n"
                     f"      <Expiration>{iso8601(cred.expires_at)}</Expiration>\n"
                     f"    </Credentials>\n")
        user_xml = (f"    <AssumedRoleUser>\n"
                    f"      <Arn>{escape(assumed_arn)}</Arn>\n"
                    f"      <AssumedRoleId>{assumed_role_id(role_arn)}:{escape(session)}"
                    f"</AssumedRoleId>\n"
                    f"    </AssumedRoleUser>\n")
        result = creds_xml
        if "SubjectFromWebIdentityToken" in extra:
            result += (f"    <SubjectFromWebIdentityToken>"
                       f"{escape(extra['SubjectFromWebIdentityToken'])}"
                       f"</SubjectFromWebIdentityToken>\n")
        result += user_xml
        for name in ("Provider", "Audience"):
            if name in extra:
                result += f"    <{name}>{escape(extra[name])}</{name}>\n"
        body = (f'<{action}Response xmlns="{STS_NS}">\n'
                f"  <{action}Result>\n{result}  </{action}Result>\n"
                f"  <ResponseMetadata>\n    <RequestId>{ctx.request_id}</RequestId>\n"
                f"  </ResponseMetadata>\n"
                f"</{action}Response>\n")
        return Response(200, body.encode(), [("Content-Type", "text/xml"),
                                             ("x-amzn-RequestId", ctx.request_id)])
