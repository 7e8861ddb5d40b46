"""Server-side SigV4 verification, done with botocore's signer.

The point of the fake is to check lambdagate's signatures with an implementation that shares no
code with it, so the canonical request, string to sign and signature all come from
``botocore.auth.SigV4Auth``. What this module adds is what a *server* does around that:
parse the Authorization header, look up the secret, check scope, clock skew and session token,
and rebuild the request from exactly the bytes that arrived.

botocore is a *client* signer, so a few of its behaviours must be bent to verify faithfully
(see ``_ServerSideSigV4Auth`` and ``_canonical_query_params``).
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 5 * 60

MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
MSG_INVALID_TOKEN = "The security token included in the request is invalid."
MSG_EXPIRED_TOKEN = "The security token included in the request is expired"


# --------------------------------------------------------------------------------------------
# Credentials the fake accepts
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credential:
    access_key: str
    secret_key: str
    session_token: Optional[str] = None
    expires_at: Optional[float] = None  # epoch seconds; None = never (long-term key)
    # The role these credentials were issued for (STS, container endpoint); None for keys given
    # on the command line. Reported by the ``whoami`` function and in the call log.
    role_arn: Optional[str] = None


class CredentialStore:
    """Thread-safe AKID → Credential map.

    Mutable at runtime because STS and the container endpoint issue temporary keys that must then
    be accepted, and tests rotate or expire them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_akid: dict[str, Credential] = {}

    def add(self, cred: Credential) -> None:
        with self._lock:
            self._by_akid[cred.access_key] = cred

    def remove(self, access_key: str) -> None:
        with self._lock:
            self._by_akid.pop(access_key, None)

    def get(self, access_key: str) -> Optional[Credential]:
        with self._lock:
            return self._by_akid.get(access_key)

    def access_keys(self) -> list[str]:
        with self._lock:
            return sorted(self._by_akid)


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------

@dataclass
class VerifyResult:
    ok: bool
    access_key: Optional[str] = None
    status: int = 200
    code: Optional[str] = None
    message: Optional[str] = None
    # For debugging a signer: what the fake computed (session token redacted).
    canonical_request: Optional[str] = None
    string_to_sign: Optional[str] = None
    credential: Optional[Credential] = None  # set when ok: the key that signed

    @classmethod
    def fail(cls, status: int, code: str, message: str, access_key: Optional[str] = None,
             **debug) -> "VerifyResult":
        return cls(False, access_key, status, code, message, **debug)


# --------------------------------------------------------------------------------------------
# botocore adapted for verification
# --------------------------------------------------------------------------------------------

class _ServerSideSigV4Auth(SigV4Auth):
    """SigV4Auth whose header selection is "exactly what the client said it signed".

    botocore's client-side ``headers_to_sign`` (a) drops ``user-agent``, ``expect`` and
    ``x-amzn-trace-id`` (SIGNED_HEADERS_BLACKLIST) and (b) invents a ``host`` header from the
    URL when none is present. AWS itself accepts a signature over ``user-agent`` and never
    invents ``host``; a verifier that inherited (a) would reject valid requests and one that
    inherited (b) would accept a request whose client never signed ``host``. The request we
    build contains only the headers named in SignedHeaders, so "all of them" is right.
    """

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map


def _parse_authorization(value: str) -> tuple[Optional[dict], Optional[str]]:
    """Split ``AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...``.

    Returns (fields, error message). Tolerant of whitespace around commas, as AWS is.
    """
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        return None, f"Unsupported AWS 'algorithm': '{algorithm}'."
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if sep:
            fields[key.strip()] = val.strip()
    missing = [k for k in ("Credential", "SignedHeaders", "Signature") if not fields.get(k)]
    if missing:
        return None, " ".join(
            f"Authorization header requires '{k}' parameter." for k in missing
        ) + f" Authorization={ALGORITHM} ..."
    return fields, None


def _amz_date_to_epoch(amz_date: str) -> Optional[float]:
    try:
        return calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return None


def _fmt_amz(epoch: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _wire_text(value: str) -> str:
    """http.server decodes the request line and headers as latin-1; the client signed the
    UTF-8 text those bytes spell. Recover it (latin-1 is lossless) so non-ASCII values verify."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _canonical_query_params(raw_query: str) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs for botocore to re-encode.

    Given only a URL, botocore's ``_canonical_query_string_url`` sorts the *raw* pairs without
    re-encoding them, which is right for its own already-encoded URLs but not for a server:
    AWS canonicalizes UriEncode(decode(x)), so ``?Qualifier=$LATEST`` and
    ``?Qualifier=%24LATEST`` both canonicalize to ``%24LATEST``. Handing botocore decoded
    ``params`` makes it take the encoding path (``quote(..., safe='-_.~')``). ``+`` is kept as
    a literal plus (not a space): SigV4 clients never encode a space as ``+``.
    """
    pairs = []
    for piece in raw_query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def _redact(text: str, secret: Optional[str]) -> str:
    return text.replace(secret, "<redacted>") if secret else text


# --------------------------------------------------------------------------------------------
# Verifier
# --------------------------------------------------------------------------------------------

class SigV4Verifier:
    """Checks one request's SigV4 Authorization header against the credential store."""

    def __init__(self, store: CredentialStore, region: str, clock=time.time,
                 max_skew: int = MAX_SKEW_SECONDS) -> None:
        self.store = store
        self.region = region
        self.clock = clock  # injectable so tests (and later a "clock skew" fault) can move time
        self.max_skew = max_skew

    def verify(self, request, service: str) -> VerifyResult:
        """``request`` is a ``httpd.Request``; ``service`` the expected signing name."""
        auth_header = request.header("authorization")
        if auth_header is None:
            if "X-Amz-Signature=" in request.raw_query:
                return VerifyResult.fail(403, "IncompleteSignatureException",
                                         "Presigned (query-string) requests are not supported "
                                         "by the fake.")
            return VerifyResult.fail(403, "MissingAuthenticationTokenException",
                                     "Missing Authentication Token")

        fields, err = _parse_authorization(auth_header)
        if err:
            return VerifyResult.fail(403, "IncompleteSignatureException", err)

        scope = fields["Credential"].split("/")
        if len(scope) != 5:
            return VerifyResult.fail(403, "IncompleteSignatureException",
                                     f"Credential must have exactly 5 slash-delimited elements, "
                                     f"e.g. keyid/date/region/service/term, got "
                                     f"'{fields['Credential']}'")
        akid, scope_date, scope_region, scope_service, terminator = scope

        cred = self.store.get(akid)
        if cred is None:
            return VerifyResult.fail(403, "UnrecognizedClientException", MSG_INVALID_TOKEN, akid)

        amz_date = request.header("x-amz-date")
        if amz_date is None:
            return VerifyResult.fail(403, "IncompleteSignatureException",
                                     "Authorization header requires existence of either a "
                                     "'X-Amz-Date' or a 'Date' header.", akid)
        signed_at = _amz_date_to_epoch(amz_date)
        if signed_at is None:
            return VerifyResult.fail(403, "IncompleteSignatureException",
                                     f"Date must be in ISO-8601 'basic format'. Got "
                                     f"'{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601",
                                     akid)

        if scope_date != amz_date[:8]:
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Date in Credential scope does not match YYYYMMDD from "
                                     f"ISO-8601 version of date from HTTP: '{scope_date}' != "
                                     f"'{amz_date[:8]}', from '{amz_date}'.", akid)
        if scope_region != self.region:
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Credential should be scoped to a valid region, not "
                                     f"'{scope_region}'.", akid)
        if scope_service != service:
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Credential should be scoped to correct service: "
                                     f"'{service}'.", akid)
        if terminator != "aws4_request":
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Credential should be scoped with a valid terminator: "
                                     f"'aws4_request', not '{terminator}'.", akid)

        now = self.clock()
        if signed_at < now - self.max_skew:
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Signature expired: {amz_date} is now earlier than "
                                     f"{_fmt_amz(now - self.max_skew)} ({_fmt_amz(now)} - 5 min.)",
                                     akid)
        if signed_at > now + self.max_skew:
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"Signature not yet current: {amz_date} is still later than "
                                     f"{_fmt_amz(now + self.max_skew)} ({_fmt_amz(now)} + 5 min.)",
                                     akid)

        # Temporary credentials need their token; long-term keys must not carry one.
        token = request.header("x-amz-security-token")
        if cred.session_token is None:
            if token is not None:
                return VerifyResult.fail(403, "UnrecognizedClientException", MSG_INVALID_TOKEN,
                                         akid)
        elif token is None or not hmac.compare_digest(token.encode(), cred.session_token.encode()):
            return VerifyResult.fail(403, "UnrecognizedClientException", MSG_INVALID_TOKEN, akid)
        if cred.expires_at is not None and now >= cred.expires_at:
            return VerifyResult.fail(403, "ExpiredTokenException", MSG_EXPIRED_TOKEN, akid)

        signed_names = fields["SignedHeaders"].split(";")
        for required in ("host", "x-amz-date"):
            if required not in signed_names:
                return VerifyResult.fail(403, "InvalidSignatureException",
                                         f"'{required}' must be a 'SignedHeader' in the "
                                         f"AWS Authorization.", akid)

        # botocore trusts a present X-Amz-Content-SHA256 as the payload hash instead of hashing
        # the body (auth.py canonical_request). Without this check a tampered body would verify.
        declared = request.header("x-amz-content-sha256")
        if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     "The provided 'x-amz-content-sha256' header does not match "
                                     "what was computed.", akid)

        return self._check_signature(request, fields, signed_names, cred, service, amz_date)

    def _check_signature(self, request, fields, signed_names, cred, service, amz_date):
        # Only the headers the client listed, every value as received (repeats kept separate so
        # botocore trims each one and joins them with ',' in arrival order).
        headers = HTTPHeaders()
        for name in signed_names:
            for value in request.headers.get_all(name) or []:
                headers[name] = _wire_text(value)

        # The raw path exactly as received: botocore quotes it again (``%3A`` → ``%253A``),
        # which is the double encoding Lambda expects.
        url = "http://fake-aws" + _wire_text(request.raw_path)
        aws_req = AWSRequest(method=request.method, url=url, data=request.body,
                             params=_canonical_query_params(_wire_text(request.raw_query)))
        aws_req.headers = headers
        aws_req.context["timestamp"] = amz_date

        auth = _ServerSideSigV4Auth(
            Credentials(cred.access_key, cred.secret_key, cred.session_token),
            service, self.region)
        creq = auth.canonical_request(aws_req)
        sts = auth.string_to_sign(aws_req, creq)
        expected = auth.signature(sts, aws_req)

        debug = dict(canonical_request=_redact(creq, cred.session_token), string_to_sign=sts)
        computed_names = auth.signed_headers(auth.headers_to_sign(aws_req))
        if computed_names != fields["SignedHeaders"]:
            # A listed header is missing from the request, or the list is not sorted/lower-case.
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"{MSG_MISMATCH} SignedHeaders must be the sorted, "
                                     f"lower-case names of headers present in the request: "
                                     f"expected '{computed_names}', got "
                                     f"'{fields['SignedHeaders']}'.", cred.access_key, **debug)
        if not hmac.compare_digest(expected.encode(), fields["Signature"].encode()):
            return VerifyResult.fail(403, "InvalidSignatureException",
                                     f"{MSG_MISMATCH}\n\nThe Canonical String for this request "
                                     f"should have been\n'{debug['canonical_request']}'\n\n"
                                     f"The String-to-Sign should have been\n'{sts}'\n",
                                     cred.access_key, **debug)
        return VerifyResult(True, cred.access_key, credential=cred, **debug)
