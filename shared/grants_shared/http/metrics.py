"""HTTP request metrics of every API: a counter and a latency histogram per service, method, route and status.

The route label is the route's template (`/grants/{grant_id}`), never the raw path, so ids cannot multiply the
series; a path no route matches is one label, `<unmatched>`, and a method outside HTTP's own is `OTHER`.
The middleware sits outside the body-size and rate limits, so the requests they refuse (413, 422 for a NUL byte,
429) are counted too. Health checks and the metrics endpoint itself are not counted.
"""

import time
from collections.abc import Sequence
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.routing import BaseRoute, Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "<unmatched>"
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics"})  # and everything under /metrics/
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
LABELS = ("service", "method", "route", "status")
TEMPLATES_KEPT = 4096

REQUESTS = Counter("grants_http_requests", "HTTP requests answered, by route template and status.", LABELS)
LATENCY = Histogram(
    "grants_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template and status.",
    LABELS,
)


def matchable_routes(routes: Sequence[BaseRoute]) -> list[Any]:
    """The routes a request can match, with their full templates: FastAPI >= 0.137 nests included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # an older FastAPI keeps included routes flat
        return list(routes)
    return list(iter_route_contexts(routes))


def route_template(routes: Sequence[Any], scope: Scope) -> str:
    """The template of the route that takes `scope` (or answers 405 for it), else `UNMATCHED`."""
    partial: Any = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return _template(route)
        if match is Match.PARTIAL and partial is None:
            partial = route
    return UNMATCHED if partial is None else _template(partial)


def _template(route: Any) -> str:
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


def counted(path: str) -> bool:
    """Health checks and the metrics endpoint are not counted."""
    return path not in NOT_COUNTED and not path.startswith("/metrics/")


class RequestMetrics:
    """Pure ASGI middleware: counts and times each request; responses (streamed or not) pass through untouched."""

    def __init__(self, app: ASGIApp, *, service: str, router: Router) -> None:
        self.app, self.service, self.router = app, service, router
        self._routes: list[Any] | None = None  # flattened on the first request, when every router is included
        self._templates: dict[tuple[str, str], str] = {}  # (method, path) -> template: matching is the dear part
        self._children: dict[tuple[str, ...], tuple[Any, Any]] = {}  # labels -> (counter, histogram) children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not counted(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        # Matched before the app runs, so requests the guards refuse before routing get their route too.
        route = self._template(scope)
        status: int | None = None
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            # The error handler outside this middleware answers 500 (unless the response had already begun).
            self._observe(scope, route, status or 500, started)
            raise
        if status is not None:  # no response at all (a client that went away): nothing was answered
            self._observe(scope, route, status, started)

    def _template(self, scope: Scope) -> str:
        if self._routes is None:
            self._routes = matchable_routes(self.router.routes)
        key = (str(scope.get("method", "")), str(scope.get("path", "")))
        template = self._templates.get(key)
        if template is None:
            template = route_template(self._routes, scope)
            if len(self._templates) >= TEMPLATES_KEPT:  # paths with ids are many: start again rather than grow
                self._templates.clear()
            self._templates[key] = template
        return template

    def _observe(self, scope: Scope, route: str, status: int, started: float) -> None:
        method = str(scope.get("method", "")).upper()
        labels = (self.service, method if method in METHODS else "OTHER", route, str(status))
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
        children[0].inc()
        children[1].observe(time.perf_counter() - started)
