"""The container credentials endpoint, shaped like the EKS Pod Identity agent.

``GET /v1/credentials`` with ``Authorization: <contents of the token file>`` answers
``{"AccessKeyId","SecretAccessKey","Token","AccountId","Expiration"}`` (aws-protocols.md §6.1).
Errors are plain text, as the agent's ``http.Error`` writes them
(aws/eks-pod-identity-agent ``pkg/handlers/eks_credential_handler.go``):

- no or empty ``Authorization``: 400 "Service account token cannot be empty" (the agent's own
  request validation);
- a token other than the file's current contents: 401, the status EKS Auth's
  ``InvalidTokenException`` has, passed through by the agent.
"""

from __future__ import annotations

import hmac
import json

from httpd import Response
from issuer import issue, iso8601, parse_role_arn, read_token_file
from router import CallContext, Service, route


def text_error(status: int, code: str, message: str, headers=()) -> Response:
    """Go's ``http.Error``: text/plain, nosniff, the message and a newline."""
    return Response(status, (message + "\n").encode(), [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-Content-Type-Options", "nosniff"),
        *headers,
    ], error_code=code)


class ContainerService(Service):
    name = "container"
    signing_name = None  # never SigV4: the Authorization header is a service-account token

    def __init__(self, app) -> None:
        self.app = app

    def routes(self):
        return [route("GET", r"/v1/credentials", "GetCredentials", self.get_credentials,
                      signed=False, describe=self._describe)]

    def error(self, status, code, message, headers=(), **extra):
        return text_error(status, code, message, headers)

    def _describe(self, ctx: CallContext) -> None:
        ctx.record.update(roleArn=self.app.config.container_role, signatureValid=None)

    def get_credentials(self, ctx: CallContext) -> Response:
        cfg = self.app.config
        presented = ctx.request.header("authorization")
        if not presented:
            return text_error(400, "RequestValidationError",
                              "Service account token cannot be empty")
        expected = read_token_file(cfg.container_token_file, "--container-token-file",
                                   self.app.log_line)
        if expected is not None and not hmac.compare_digest(presented.encode(),
                                                            expected.encode()):
            return text_error(401, "InvalidTokenException",
                              f"[{ctx.request_id}]: (InvalidTokenException): The service "
                              f"account token is invalid or expired, fault: client")
        cred = issue(self.app.credentials, cfg.container_role, cfg.credential_lifetime,
                     self.app.verifier.clock())
        ctx.record.update(issuedAccessKeyId=cred.access_key,
                          expiration=iso8601(cred.expires_at))
        m = parse_role_arn(cfg.container_role)
        body = {  # field order as the agent's Go struct marshals it
            "AccessKeyId": cred.access_key,
            "SecretAccessKey": cred.secret_key,
            "Token": cred.session_token,
            "AccountId": m["account"] if m else cfg.account_id,
            "Expiration": iso8601(cred.expires_at),
        }
        return Response(200, json.dumps(body, separators=(",", ":")).encode(),
                        [("Content-Type", "application/json")])
