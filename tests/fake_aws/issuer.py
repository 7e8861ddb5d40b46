"""Temporary credentials that STS and the container endpoint hand out.

Each issued key is registered in the shared ``CredentialStore`` with its role and expiry, so the
fake Lambda accepts it until it expires and then answers 403 ``ExpiredTokenException``.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import math
import re
import secrets
import string
import time
from typing import Optional

from sigv4_verify import Credential

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_CHARS = string.ascii_letters + string.digits + "+/"

# arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME
ROLE_ARN_RE = re.compile(r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):"
                         r"role/(?:[\w+=,.@/-]*/)?(?P<name>[\w+=,.@-]{1,64})", re.ASCII)


def iso8601(epoch: float) -> str:
    """``2026-01-01T12:00:00Z``: the form STS and the Pod Identity agent use."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def parse_role_arn(arn: str) -> Optional[re.Match]:
    return ROLE_ARN_RE.fullmatch(arn)


def role_allowed(arn: str, patterns) -> bool:
    """``patterns`` are ARNs or shell-style globs (``arn:aws:iam::123456789012:role/*``)."""
    return any(fnmatch.fnmatchcase(arn, p) for p in patterns)


def read_token_file(path: Optional[str], flag: str, log) -> Optional[str]:
    """The token file's contents now, stripped. Re-read on every call, since kubelet rotates
    it. None when no file is configured (then any token is accepted). An unreadable or
    empty file matches no token; ``log`` gets one line saying so (never the token)."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError as exc:
        log(f"{flag} {path} unreadable ({type(exc).__name__}); rejecting every token")
        return ""  # like an empty file: no accepted request carries an empty token


def assumed_role_id(role_arn: str) -> str:
    """A stable ``AROA…`` unique id per role, as IAM gives each role one."""
    digest = hashlib.sha256(role_arn.encode()).digest()
    return "AROA" + "".join(_UPPER_ALNUM[b % len(_UPPER_ALNUM)] for b in digest[:17])


def issue(store, role_arn: str, lifetime: float, now: float) -> Credential:
    """Fresh ``ASIA…`` credentials for ``role_arn``, valid ``lifetime`` seconds from ``now``.

    The expiry is rounded *up* to a whole second, so the ``Expiration`` a client is told
    (second precision) is exactly when the fake starts rejecting the key, never earlier.
    """
    access_key = "ASIA" + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(16))
    secret_key = "".join(secrets.choice(_SECRET_CHARS) for _ in range(40))
    # Real session tokens are long base64 blobs (several hundred characters, with '+', '/' and
    # '='), which exercises header size and encoding in the client.
    session_token = "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(600)).decode()
    cred = Credential(access_key, secret_key, session_token,
                      expires_at=float(math.ceil(now + lifetime)), role_arn=role_arn)
    store.add(cred)
    return cred
