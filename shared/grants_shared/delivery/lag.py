"""How far behind a consumer group is: pending, unread, the oldest waiting message, parked events, dead letters.

Redis says what is waiting (XINFO GROUPS and XPENDING over the streams the group reads, the dead-letter stream's
length); the service's own database says what is parked and when the last event was applied (`consumer_progress`).
Everything is read in two pipelined round trips and two small queries, so a scrape or a page can afford it;
`cached_group_lag` keeps an answer for a second or two, so a busy API asks once for many requests.
"""

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlalchemy import Engine, func, select

from grants_shared import deadletter, tables
from grants_shared.clock import as_utc
from grants_shared.db import read_only
from grants_shared.events import ALL_EVENTS

UNREAD_CAP = 10_000  # where Redis cannot say how many entries are unread, counting stops here


@dataclass(frozen=True)
class StreamLag:
    """One stream as the group sees it."""

    stream: str
    consumers: int
    pending: int  # delivered, not acknowledged
    lag: int  # not delivered yet
    oldest_pending_ms: int | None  # when the oldest pending entry was added (its id), ms since 1970
    oldest_unread_ms: int | None  # when the oldest unread entry was added


@dataclass(frozen=True)
class GroupLag:
    """A consumer group's backlog and staleness, at `measured_at`."""

    group: str
    measured_at: datetime
    streams: tuple[StreamLag, ...] = ()
    parked: int = 0
    dead_letters: int = 0
    last_applied_at: datetime | None = None
    oldest_parked_at: datetime | None = None
    redis_error: str | None = None  # Redis could not be read: the Redis figures are zero and unknown

    @property
    def pending(self) -> int:
        """Messages delivered to the group and not acknowledged, over all its streams."""
        return sum(s.pending for s in self.streams)

    @property
    def lag(self) -> int:
        """Entries of the group's streams it has not read yet."""
        return sum(s.lag for s in self.streams)

    @property
    def behind(self) -> int:
        """Entries not yet done: pending plus unread."""
        return self.pending + self.lag

    @property
    def oldest_pending_age_s(self) -> float:
        """Seconds since the oldest pending message was published (0 when nothing is pending)."""
        return self._age([s.oldest_pending_ms for s in self.streams])

    @property
    def oldest_waiting_age_s(self) -> float:
        """Seconds since the oldest message not yet done (pending or unread) was published."""
        return self._age([m for s in self.streams for m in (s.oldest_pending_ms, s.oldest_unread_ms)])

    @property
    def seconds_since_applied(self) -> float | None:
        """Seconds since the group last applied an event (None when it never has)."""
        if self.last_applied_at is None:
            return None
        return max(0.0, (self.measured_at - self.last_applied_at).total_seconds())

    @property
    def oldest_parked_age_s(self) -> float:
        """Seconds the longest-parked event has waited for its prerequisite (0 when none is parked)."""
        if self.oldest_parked_at is None:
            return 0.0
        return max(0.0, (self.measured_at - self.oldest_parked_at).total_seconds())

    def _age(self, moments: list[int | None]) -> float:
        known = [m for m in moments if m is not None]
        return max(0.0, self.measured_at.timestamp() - min(known) / 1000) if known else 0.0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _millis(entry_id: Any) -> int:
    return int(_text(entry_id).split("-", 1)[0])


def _unread(client: Redis, stream: str, info: dict[str, Any]) -> tuple[int, int | None]:
    """How many entries after the group's last delivered one, and when the first of them was added."""
    last = _text(info.get("last-delivered-id", "0-0"))
    first: Any = client.xrange(stream, min=f"({last}", max="+", count=1)
    oldest = _millis(first[0][0]) if first else None
    if info.get("lag") is not None:  # Redis 7 counts it, unless entries were deleted
        return int(info["lag"]), oldest
    if oldest is None:
        return 0, None
    return len(client.xrange(stream, min=f"({last}", max="+", count=UNREAD_CAP) or []), oldest


def platform_streams() -> list[str]:
    """Every stream of the platform's events."""
    return [e.stream() for e in ALL_EVENTS]


def stream_groups(client: Redis, streams: list[str] | None = None) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each consumer group on `streams` (every platform stream when None), with its XINFO GROUPS entry per stream."""
    names = streams if streams is not None else platform_streams()
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.xinfo_groups(name)
        replies = pipe.execute(raise_on_error=False)
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, infos in zip(names, replies, strict=True):
        if isinstance(infos, Exception):  # no such stream yet
            continue
        for info in infos:
            info = {_text(k): v for k, v in info.items()}
            groups.setdefault(_text(info["name"]), []).append((name, info))
    return groups


def redis_lag(
    client: Redis, group: str, streams: list[str] | None = None, found: list[tuple[str, dict[str, Any]]] | None = None
) -> tuple[list[StreamLag], int]:
    """The group's figures on each stream it reads (of `streams`, else every platform stream; or the XINFO
    entries already `found`), and its dead letters."""
    if found is None:
        found = stream_groups(client, streams).get(group, [])
    with client.pipeline(transaction=False) as pipe:
        for name, _ in found:
            pipe.xpending(name, group)
        pipe.xlen(deadletter.stream_of(group))
        *summaries, dead = pipe.execute()
    result = []
    for (name, info), summary in zip(found, summaries, strict=True):
        lag, oldest_unread = _unread(client, name, info) if _lag_possible(info) else (0, None)
        pending = int(summary["pending"])
        oldest = _millis(summary["min"]) if pending and summary.get("min") else None
        result.append(StreamLag(name, int(info.get("consumers", 0)), pending, lag, oldest, oldest_unread))
    return result, int(dead)


def _lag_possible(info: dict[str, Any]) -> bool:
    return info.get("lag") is None or int(info["lag"]) > 0


@dataclass(frozen=True)
class DatabaseLag:
    """What the service's database says of its group: parked events and the last applied event."""

    parked: int = 0
    oldest_parked_at: datetime | None = None
    last_applied_at: datetime | None = None


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def database_lag(engine: Engine, group: str) -> DatabaseLag:
    """How many events the group has parked, since when, and when it last applied one."""
    parked = tables.parked.c
    progress = tables.consumer_progress.c
    with read_only(engine) as connection:
        count, oldest = connection.execute(
            select(func.count(), func.min(parked.parked_at)).where(parked.consumer_group == group)
        ).one()
        last = connection.execute(select(progress.last_applied_at).where(progress.consumer_group == group)).scalar()
    return DatabaseLag(int(count), _utc(oldest), _utc(last))


def group_lag(client: Redis, engine: Engine, group: str, streams: list[str] | None = None) -> GroupLag:
    """Everything about the group's backlog; a Redis that does not answer gives `redis_error`, not an exception."""
    db = database_lag(engine, group)
    try:
        found, dead = redis_lag(client, group, streams)
    except Exception as error:  # the database figures still stand; the page or scrape says Redis failed
        return with_database(GroupLag(group, datetime.now(UTC), redis_error=repr(error)), db)
    return with_database(GroupLag(group, datetime.now(UTC), tuple(found), dead_letters=dead), db)


def with_database(lag: GroupLag, db: DatabaseLag) -> GroupLag:
    """The group's Redis figures with its database's."""
    return replace(lag, parked=db.parked, oldest_parked_at=db.oldest_parked_at, last_applied_at=db.last_applied_at)


_clients: dict[str, Redis] = {}
_cache: dict[tuple[str, str, str], tuple[float, GroupLag]] = {}
_lock = threading.Lock()


def client_for(redis_url: str) -> Redis:
    """One small, quickly-failing Redis client per URL for these reads (not the worker's or the request's)."""
    with _lock:
        client = _clients.get(redis_url)
        if client is None:
            client = _clients[redis_url] = Redis.from_url(
                redis_url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=5
            )
        return client


def cached_group_lag(redis_url: str, engine: Engine, group: str, ttl_s: float = 1.0) -> GroupLag:
    """`group_lag`, answered from a copy at most `ttl_s` old (one read per second however many ask)."""
    key = (redis_url, engine.url.render_as_string(hide_password=True), group)
    hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl_s:
        return hit[1]
    lag = group_lag(client_for(redis_url), engine, group)
    _cache[key] = (time.monotonic(), lag)
    return lag
