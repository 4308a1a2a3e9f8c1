"""Rate limiting per client: a token bucket per bearer-token subject, else per client address.

The buckets live in the API process. With several replicas a client spread across them gets up to that many
times the limit; the scale-out path is a shared store (one Redis key per client, refilled and taken in a single
Lua script), behind the same `TokenBuckets.take` interface. A token only names a bucket once its signature,
issuer, audience and expiry check out, so forged tokens cannot mint fresh buckets: they count against the
address. Behind a proxy, run uvicorn with `--proxy-headers` so the address is the client's, not the proxy's.

The probes a scraper or an orchestrator calls (/readyz, /metrics) have buckets of their own per address
(GRANTS_RATE_LIMIT_PROBE_PER_MINUTE and _PROBE_BURST), so a probe storm is cut off without eating into a client's
allowance. /healthz stays unlimited: it touches nothing, and a liveness probe refused would restart a healthy process.
"""

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

from grants_shared.auth import decode_token
from grants_shared.http.problems import PROBLEM_JSON, TYPE_BASE, Problem
from grants_shared.settings import PlatformSettings

EXEMPT_PATHS = ("/healthz",)
PROBE_PATHS = ("/readyz", "/metrics")


class RateLimitSettings(BaseSettings):
    """GRANTS_RATE_LIMIT_ENABLED, _PER_MINUTE (sustained rate) and _BURST (bucket size) per client."""

    model_config = SettingsConfigDict(env_prefix="GRANTS_RATE_LIMIT_", extra="ignore")

    enabled: bool = True
    per_minute: int = Field(600, ge=1, description="Requests a client may make per minute, sustained.")
    burst: int = Field(120, ge=1, description="Requests a client may make at once after being idle.")
    max_clients: int = Field(100_000, ge=1, description="Buckets kept; the least recently seen are forgotten.")
    probe_per_minute: int = Field(120, ge=1, description="Calls of /readyz and /metrics an address may make a minute.")
    probe_burst: int = Field(30, ge=1, description="Calls of /readyz and /metrics an address may make at once.")


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go ahead, and if not, how long until it may."""

    allowed: bool
    retry_after_s: float


class TokenBuckets:
    """One bucket per client key: holds up to `burst` tokens, refilled at `per_minute` / 60 per second."""

    def __init__(
        self, *, per_minute: int, burst: int, max_clients: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.max_clients, self.clock = per_minute / 60.0, float(burst), max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> Verdict:
        """Take one token from `key`'s bucket if it has one."""
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            # A forgotten bucket comes back full: the least recently seen clients lose the least by that.
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        return Verdict(allowed, 0.0 if allowed else (1.0 - tokens) / self.rate)


def address(scope: Scope) -> str:
    """`addr:<client address>`."""
    client = scope.get("client")
    return "addr:" + (client[0] if client else "unknown")


def client_key(scope: Scope, platform: PlatformSettings) -> str:
    """`sub:<subject>` for a valid bearer token, else `addr:<client address>`."""
    headers = dict(scope.get("headers") or [])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            return "sub:" + decode_token(platform, token.strip()).subject
        except Problem:
            pass
    return address(scope)


class RateLimit:
    """ASGI middleware: over its limit a client gets 429 problem+json with Retry-After, before any route runs."""

    def __init__(self, app: ASGIApp, *, limits: RateLimitSettings, platform: PlatformSettings) -> None:
        self.app, self.limits, self.platform = app, limits, platform
        self.buckets = TokenBuckets(per_minute=limits.per_minute, burst=limits.burst, max_clients=limits.max_clients)
        self.probes = TokenBuckets(
            per_minute=limits.probe_per_minute, burst=limits.probe_burst, max_clients=limits.max_clients
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path or path.startswith(EXEMPT_PATHS):
            await self.app(scope, receive, send)
            return
        if path.startswith(PROBE_PATHS):
            verdict = self.probes.take(address(scope))
            rate = (self.limits.probe_per_minute, self.limits.probe_burst)
        else:
            verdict = self.buckets.take(client_key(scope, self.platform))
            rate = (self.limits.per_minute, self.limits.burst)
        if verdict.allowed:
            await self.app(scope, receive, send)
            return
        await self._refuse(send, math.ceil(verdict.retry_after_s), *rate)

    async def _refuse(self, send: Send, retry_after: int, per_minute: int, burst: int) -> None:
        body = {
            "type": TYPE_BASE + "rate-limited",
            "title": "Too many requests",
            "status": 429,
            "code": "rate-limited",
            "detail": f"At most {per_minute} requests a minute (bursts of {burst}); retry later.",
            "retry_after_s": retry_after,
        }
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"retry-after", str(retry_after).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})


RATE_LIMITED_RESPONSE: dict[int | str, dict[str, object]] = {
    429: {
        "description": "Too many requests from this client; retry after the Retry-After header's seconds",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        "content": {PROBLEM_JSON: {}},
    }
}
