"""Redis clients that come back quickly after Redis restarts: health-checked, retried, with bounded timeouts."""

from typing import Any

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

RETRYABLE = [ConnectionError, TimeoutError]


def _options(block_ms: int) -> dict[str, Any]:
    # A connection idle longer than the health check is pinged before use, so one left from before a restart is
    # replaced at once instead of failing each command until the pool has cycled through its stale connections.
    return {
        "socket_connect_timeout": 2,
        "socket_timeout": block_ms / 1000 + 5,
        "socket_keepalive": True,
        "health_check_interval": 2,
        "retry_on_error": RETRYABLE,
    }


def async_client(url: str, *, block_ms: int = 0) -> redis.asyncio.Redis:
    """An asyncio client whose commands may block up to `block_ms` (XREADGROUP BLOCK)."""
    retry = AsyncRetry(ExponentialBackoff(cap=0.5, base=0.02), 3)
    return redis.asyncio.Redis.from_url(url, retry=retry, **_options(block_ms))


def sync_client(url: str) -> redis.Redis:
    """A blocking client (the outbox relay publishes from its writer thread)."""
    retry = Retry(ExponentialBackoff(cap=0.5, base=0.02), 3)
    return redis.Redis.from_url(url, retry=retry, **_options(0))
