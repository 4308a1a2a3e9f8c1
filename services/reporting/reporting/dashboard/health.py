"""Pipeline health from Redis: dead letters per group, and pending and lag per consumer group and stream."""

import logging
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from grants_shared import deadletter
from grants_shared.events import ALL_EVENTS

log = logging.getLogger(__name__)
LAG_CAP = 10_000  # counting further would make the page slow; the page shows "10000+" instead


@dataclass
class GroupHealth:
    """One consumer group on one stream."""

    stream: str
    group: str
    consumers: int
    pending: int
    lag: int


@dataclass
class PipelineHealth:
    """What the dashboard shows about delivery; `error` says why Redis could not be read."""

    dead_letters: dict[str, int] = field(default_factory=dict)
    groups: list[GroupHealth] = field(default_factory=list)
    error: str | None = None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _lag(client: Redis, stream: str, info: dict[str, Any]) -> int:
    if info.get("lag") is not None:  # Redis 7 reports it; 6.2 does not
        return int(info["lag"])
    last = _text(info.get("last-delivered-id", "0-0"))
    return len(client.xrange(stream, min=f"({last}", max="+", count=LAG_CAP) or [])


def _groups(client: Redis) -> list[GroupHealth]:
    found: list[GroupHealth] = []
    for event in ALL_EVENTS:
        stream = event.stream()
        if not client.exists(stream):
            continue
        for info in client.xinfo_groups(stream):
            info = {_text(k): v for k, v in info.items()}
            found.append(GroupHealth(stream=stream, group=_text(info["name"]), consumers=int(info["consumers"]),
                                     pending=int(info["pending"]), lag=_lag(client, stream, info)))
    return found


def pipeline_health(redis_url: str) -> PipelineHealth:
    """Read dead-letter depth and group lag; a Redis outage is reported on the page, not raised."""
    client = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        return PipelineHealth(dead_letters=dict(sorted(deadletter.depth(client).items())), groups=_groups(client))
    except RedisError as error:
        log.warning("dashboard could not read Redis: %r", error)
        return PipelineHealth(error=f"Redis did not answer: {error}")
    finally:
        client.close()
