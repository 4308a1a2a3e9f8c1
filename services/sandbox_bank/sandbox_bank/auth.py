"""Credentials on every route: the client's API key for payments and reports, a separate key for the controls.

An ASGI middleware, so nothing reaches a route (or a 404, or the OpenAPI document) without a credential: a request
to ``/control/...`` needs the control key, any other the client's API key; the health probes take either. Keys are
compared in constant time. A missing or wrong key is a 401 problem with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from grants_shared.http.problems import problem_response

from .config import Settings

REALM = "sandbox-bank"
CONTROL_PREFIX = "/control"
HEALTH_PATHS = ("/healthz", "/readyz")


def _bearer(scope: Scope) -> str | None:
    """The bearer token of the request, or None."""
    raw: bytes = dict(scope["headers"]).get(b"authorization", b"")
    header = raw.decode("latin-1")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _matches(token: str, keys: tuple[str, ...]) -> bool:
    """Whether the token is one of the keys (every key compared, in constant time)."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(token.encode(), key.encode())
    return found


class BankAuth:
    """ASGI middleware: a 401 for any request without the credential its route needs."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.client_keys = (settings.api_key.get_secret_value(),)
        self.control_keys = (settings.control_key.get_secret_value(),)

    def keys_for(self, path: str) -> tuple[tuple[str, ...], str]:
        """The keys a path accepts and what the 401 calls them."""
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            return self.control_keys, "the control key"
        if path in HEALTH_PATHS:
            return self.client_keys + self.control_keys, "the API key or the control key"
        return self.client_keys, "the API key"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass an authenticated request on; answer 401 to any other."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        keys, what = self.keys_for(scope["path"])
        token = _bearer(scope)
        if token is not None and _matches(token, keys):
            await self.app(scope, receive, send)
            return
        error = "invalid_token" if token is not None else None
        challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
        detail = f"{what} is required as a bearer token" if token is None else f"the token is not {what}"
        response = problem_response(401, "unauthenticated", "Unauthorized", detail)
        response.headers["WWW-Authenticate"] = challenge
        await response(scope, receive, send)
