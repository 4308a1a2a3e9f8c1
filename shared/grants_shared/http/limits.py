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
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
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
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": TYPE_BASE + "body-too-large",
                "title": "Request body too large",
                "status": 413,
                "code": "body-too-large",
                "detail": f"At most {self.max_bytes} bytes.",
            }
        ).encode()
        await send(
            {"type": "http.response.start", "status": 413, "headers": [(b"content-type", PROBLEM_JSON.encode())]}
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
