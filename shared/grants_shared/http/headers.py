"""Security headers on every answer of an API: successes, problems, refusals by the guards and 500s alike.

An API answers JSON, which no browser should sniff, frame or run: every answer gets `nosniff`, a Content-Security-
Policy that allows nothing (`API_POLICY`), `no-referrer`, framing denied, and in production Strict-Transport-Security.
An HTML page (the docs, reporting's dashboard) sets its own Content-Security-Policy, naming what it loads, and that one
is kept. An answer to a request that carried credentials is `Cache-Control: no-store` unless the route says otherwise:
no shared cache or browser keeps one organisation's figures for the next person at the machine.
"""

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""The Content-Security-Policy of an answer that is not a page: nothing may load, run or frame it."""
CSP = "content-security-policy"


def source_hash(content: str) -> str:
    """A CSP hash source (`'sha256-...'`) for an inline <script> or <style> element's content."""
    digest = hashlib.sha256(content.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def inline_hashes(html: str, element: str) -> list[str]:
    """The hash sources of every inline `element` (script or style) of a page; external ones (src=) have none."""
    pattern = re.compile(rf"<{element}(?![^>]*\bsrc=)[^>]*>(.*?)</{element}>", re.DOTALL | re.IGNORECASE)
    return [source_hash(body) for body in pattern.findall(html) if body.strip()]


def page_policy(**directives: str) -> str:
    """A page's Content-Security-Policy: `directives` (script_src="...") over a base that allows nothing else."""
    named = {"default-src": "'none'", **{name.replace("_", "-"): value for name, value in directives.items()}}
    named |= {"frame-ancestors": "'none'", "base-uri": "'none'", "form-action": "'none'"}
    return "; ".join(f"{name} {value}" for name, value in named.items())


@dataclass(frozen=True)
class HeaderPolicy:
    """What every answer carries; `hsts` is the Strict-Transport-Security value, None where it is not sent."""

    hsts: str | None = None

    def always(self) -> list[tuple[bytes, bytes]]:
        """The headers every answer gets whatever the route set."""
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if self.hsts:
            headers.append((b"strict-transport-security", self.hsts.encode()))
        return headers


class SecurityHeaders:
    """Pure ASGI middleware adding `HeaderPolicy`'s headers, the API policy and no-store where a route set none."""

    def __init__(self, app: ASGIApp, policy: HeaderPolicy) -> None:
        self.app, self.policy = app, policy
        self.always = policy.always()
        self.names = {name for name, _ in self.always}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        credentials = any(name in (b"authorization", b"cookie") for name, _ in scope.get("headers") or [])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers") or []), credentials)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _headers(self, headers: list[tuple[bytes, bytes]], credentials: bool) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        kept = [(name, value) for name, value in headers if name.lower() not in self.names]
        if CSP.encode() not in present:
            kept.append((CSP.encode(), API_POLICY.encode()))
        if credentials and b"cache-control" not in present:
            kept.append((b"cache-control", b"no-store"))
        return kept + self.always


def install_security_headers(app: Starlette, policy: HeaderPolicy | None = None) -> None:
    """Wrap the whole of `app`, Starlette's own error handler included, so a 500 carries the headers too.

    `add_middleware` would put the headers inside that handler, where an unhandled error's answer never passes.
    """
    chosen = policy or HeaderPolicy()
    build: Callable[[], ASGIApp] = app.build_middleware_stack

    def build_with_headers() -> ASGIApp:
        return SecurityHeaders(build(), chosen)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
