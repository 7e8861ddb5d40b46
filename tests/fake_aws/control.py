"""Test-only control endpoints under ``/__fake/`` (unsigned, not in the call log).

Add an endpoint by adding a route in ``ControlAPI.__init__``. Fault rules (``/__fake/faults``)
are kept in ``faults.FaultSet``.
"""

from __future__ import annotations

import json
import time
from urllib.parse import unquote

from functions import lambda_timestamp, make_function
from httpd import Request, Response
from sigv4_verify import Credential


def json_response(status: int, value) -> Response:
    return Response(status, json.dumps(value, separators=(",", ":")).encode(),
                    [("Content-Type", "application/json")])


class ControlAPI:
    PREFIX = "/__fake/"

    def __init__(self, app) -> None:
        self.app = app
        self._routes = {
            ("GET", "health"): self.health,
            ("GET", "calls"): self.calls,
            ("GET", "inflight"): self.inflight,
            ("POST", "reset"): self.reset,
            ("GET", "functions"): self.functions,
            ("POST", "functions"): self.add_function,
            ("DELETE", "functions/*"): self.delete_function,
            ("POST", "credentials"): self.add_credentials,
            ("GET", "faults"): self.list_faults,
            ("POST", "faults"): self.add_faults,
            ("DELETE", "faults"): self.clear_faults,
        }

    def owns(self, raw_path: str) -> bool:
        return raw_path.startswith(self.PREFIX)

    def handle(self, req: Request) -> Response:
        name = req.raw_path[len(self.PREFIX):].rstrip("/")
        head, sep, tail = name.partition("/")
        handler = self._routes.get((req.method, name)) or \
            (self._routes.get((req.method, head + "/*")) if sep and tail else None)
        if handler is None:
            return json_response(404, {"error": f"no control endpoint {req.method} {req.raw_path}",
                                       "endpoints": [f"{m} {self.PREFIX}{n}"
                                                     for m, n in self._routes]})
        try:
            return handler(req)
        except (ValueError, KeyError, TypeError) as exc:
            return json_response(400, {"error": f"{type(exc).__name__}: {exc}"})

    def health(self, req):
        return json_response(200, {"ok": True})

    def calls(self, req):
        """All AWS calls since start/reset; query parameters filter on record fields."""
        return json_response(200, self.app.calls.list(req.query()))

    def inflight(self, req):
        """The AWS calls being handled now (e.g. held by a "slow" fault), filtered as calls are.
        Their status is still null."""
        return json_response(200, self.app.in_flight.list(req.query()))

    def reset(self, req):
        self.app.calls.clear()
        return json_response(200, {"ok": True})

    def functions(self, req):
        """The registry, sorted by name: name, versions, aliases, description, behaviour,
        streaming, runtimeAdded."""
        return json_response(200, [f.describe() for f in self.app.functions.all()])

    _ADD_FIELDS = {"name", "behaviour", "behavior", "versions", "aliases", "description"}

    def add_function(self, req):
        """{"name", "behaviour"? (a built-in's name, default "echo"), "versions"? ["1", …],
        "aliases"? {"alias": "version"}, "description"?} → 201 with the function; 409 if the
        name is taken; 400 on bad input."""
        body = json.loads(req.body or b"null")
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        unknown = set(body) - self._ADD_FIELDS
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)}; known: "
                             f"{sorted(self._ADD_FIELDS - {'behavior'})}")
        fn = make_function(body.get("name"), body.get("behaviour", body.get("behavior", "echo")),
                           versions=body.get("versions") or [],
                           aliases=body.get("aliases") or {},
                           description=body.get("description"), runtime_added=True,
                           last_modified=lambda_timestamp(time.time()))
        if not self.app.functions.add(fn):
            return json_response(409, {"error": f"function {fn.name} already exists"})
        return json_response(201, fn.describe())

    def delete_function(self, req):
        """DELETE /__fake/functions/NAME → 204, or 404. Built-ins can be deleted too."""
        name = unquote(req.raw_path[len(self.PREFIX):].rstrip("/").partition("/")[2])
        if not self.app.functions.remove(name):
            return json_response(404, {"error": f"no function {name}"})
        return Response(204)

    def add_credentials(self, req):
        """Accept another key at runtime: {"accessKeyId", "secretAccessKey", "sessionToken"?,
        "expiresInSeconds"?, "roleArn"?}. Lets tests rotate or expire temporary credentials."""
        body = json.loads(req.body or b"{}")
        ttl = body.get("expiresInSeconds")
        cred = Credential(str(body["accessKeyId"]), str(body["secretAccessKey"]),
                          body.get("sessionToken"),
                          time.time() + float(ttl) if ttl is not None else None,
                          body.get("roleArn"))
        self.app.credentials.add(cred)
        return json_response(200, {"ok": True, "accessKeyId": cred.access_key})

    def list_faults(self, req):
        return json_response(200, {"rules": self.app.faults.list()})

    def add_faults(self, req):
        """One rule, a list of rules or {"rules": [...]} (see faults.py); all or nothing."""
        added = self.app.faults.add(json.loads(req.body or b"null"))
        return json_response(200, {"ok": True, "rules": added})

    def clear_faults(self, req):
        """All rules, or one with ?id=N."""
        rule_id = req.query().get("id")
        removed = self.app.faults.clear(int(rule_id) if rule_id is not None else None)
        return json_response(200, {"ok": True, "removed": removed})
