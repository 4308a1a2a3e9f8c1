"""/metrics: the process's Prometheus registry, behind a scrape token where it must be, and cheap under a storm.

Reporting's samples are the fund's own figures, so in production /metrics answers only a scraper sending
`Authorization: Bearer <GRANTS_METRICS_TOKEN>` (compared in constant time); without a token set there, it answers
no one. A scrape is rendered on a worker thread (collectors read the database and Redis, which must not stall the
event loop), at most once per GRANTS_PROBE_CACHE_S: scrapes in between get the same bytes, so a flood of scrapes costs
one set of queries, and the rate limit (`ratelimit.PROBE_PATHS`) bounds the flood itself.
"""

import hmac
import threading
import time

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from grants_shared.http.problems import problem_response


class MetricsEndpoint:
    """ASGI app serving the registry's samples in Prometheus' text format."""

    def __init__(
        self, *, token: SecretStr | None, closed: bool, cache_s: float, registry: CollectorRegistry = REGISTRY
    ) -> None:
        self.expected = f"Bearer {token.get_secret_value()}".encode() if token is not None else None
        self.closed, self.cache_s, self.registry = closed, cache_s, registry
        self._lock = threading.Lock()  # one rendering at a time; a scrape that waited takes the fresh one
        self._rendered: tuple[float, bytes] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.closed and not self._authorised(scope):
            detail = (
                "Send the scrape token: Authorization: Bearer <GRANTS_METRICS_TOKEN>."
                if self.expected
                else "GRANTS_METRICS_TOKEN is not set, so /metrics is closed."
            )
            refusal = problem_response(401, "unauthenticated", "A scrape token is required", detail)
            refusal.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            await refusal(scope, receive, send)
            return
        body = await run_in_threadpool(self.render)
        headers = [(b"content-type", CONTENT_TYPE_LATEST.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def render(self) -> bytes:
        """The samples, rendered again only when the last rendering is older than `cache_s`."""
        with self._lock:
            last = self._rendered
            if last is not None and time.monotonic() - last[0] < self.cache_s:
                return last[1]
            body = generate_latest(self.registry)
            self._rendered = (time.monotonic(), body)
            return body

    def _authorised(self, scope: Scope) -> bool:
        if self.expected is None:
            return False
        sent = next((value for name, value in scope.get("headers") or [] if name == b"authorization"), b"")
        return hmac.compare_digest(sent, self.expected)
