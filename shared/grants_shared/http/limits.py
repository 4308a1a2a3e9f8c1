"""Request body size limit, enforced before a route reads the body."""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grants_shared.http.problems import PROBLEM_JSON, TYPE_BASE


class BodySizeLimit:
    """Refuse bodies larger than `max_bytes` with 413 problem+json (by Content-Length, or while streaming)."""

    def __init__(self, app: ASGIApp, max_bytes: int = 256 * 1024) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", ""):
            # No text column (PostgreSQL's least of all) can hold a NUL: refuse it before any route reads it.
            await self._refuse(send, 422, "nul-byte", "NUL bytes are not allowed in the path or query")
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, 413, "body-too-large", f"At most {self.max_bytes} bytes.")
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send, 413, "body-too-large", f"At most {self.max_bytes} bytes.")

    async def _refuse(self, send: Send, status: int, code: str, detail: str) -> None:
        body = json.dumps(
            {"type": TYPE_BASE + code, "title": "Request refused", "status": status, "code": code, "detail": detail}
        ).encode()
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", PROBLEM_JSON.encode())]}
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
