"""Requests about a grant (a `{grant_id}` in the route) are tagged with it: their span and their log lines."""

from typing import Any

from fastapi import Request
from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grants_shared.grant_trace import mark_grant
from grants_shared.log_context import grant_id_var


async def bind_grant(request: Request) -> None:
    """A router dependency: log lines of a request about a grant carry its id (async: set in the request's task)."""
    grant_id = request.path_params.get("grant_id")
    if isinstance(grant_id, str):
        grant_id_var.set(grant_id)


class GrantSpanTagging:
    """Marks the request's server span with `grant.id` and a link to the grant's trace once the route is known."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        span = trace.get_current_span()  # the server span: this middleware runs inside the instrumentation's
        marked = False

        async def tagging_send(message: Message) -> None:
            nonlocal marked
            if not marked and message["type"] == "http.response.start":
                marked = True
                params: dict[str, Any] = scope.get("path_params") or {}
                grant_id = params.get("grant_id")
                mark_grant(span, grant_id if isinstance(grant_id, str) else None)
            await send(message)

        await self.app(scope, receive, tagging_send)
