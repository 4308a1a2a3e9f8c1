"""Request body size limit, enforced before a route reads the body, whether or not the client declared its size."""

import json
import re
from urllib.parse import unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grants_shared.http.problems import PROBLEM_JSON, TYPE_BASE

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_in_target(scope: Scope) -> bool:
    """True when the path or the (percent-decoded) query string holds a control character, NUL above all."""
    query = scope.get("query_string", b"").decode("latin-1")
    if "%" in query:
        query = unquote(query, errors="replace")
    return bool(CONTROL.search(scope.get("path", "")) or CONTROL.search(query))


class BodySizeLimit:
    """Refuse bodies larger than `max_bytes` with 413 problem+json, by Content-Length or by counting what arrives.

    A body without a Content-Length (chunked) is read here, up to the limit, and handed on whole: a route's own body
    reader would turn an error raised mid-read into a 400 "error parsing the body". Bodies are small (256 KiB), so
    holding one costs less than the JSON parse that follows.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = 256 * 1024) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if control_in_target(scope):
            # No text column (PostgreSQL's least of all) can hold a NUL, and no id or filter holds an escape: refuse
            # them before any route reads them (the free-text rule of grants_shared.http.text, for the request line).
            detail = "Control characters (NUL, escapes, tabs, line breaks) are not allowed in the path or query."
            await self._refuse(send, 422, "control-character", detail)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        seen, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _too_large(self, send: Send) -> None:
        await self._refuse(send, 413, "body-too-large", f"At most {self.max_bytes} bytes.")

    async def _refuse(self, send: Send, status: int, code: str, detail: str) -> None:
        body = json.dumps(
            {"type": TYPE_BASE + code, "title": "Request refused", "status": status, "code": code, "detail": detail}
        ).encode()
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", PROBLEM_JSON.encode())]}
        )
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the whole body once, then passes on what the server sends (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
