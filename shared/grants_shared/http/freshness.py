"""How fresh a read model is: the time of the last event applied, and what its consumer group still has to do.

Added to read-model answers as a `freshness` block. `as_of` is when the group last applied an event; the figures
include every event applied by then. `age_s` is how long ago that was: with nothing pending, unread or parked the
model is current however old that is, and with a backlog it is at least that stale.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from grants_shared.delivery.lag import GroupLag, cached_group_lag

FRESHNESS_TTL_S = 1.0  # one Redis and database read per second serves every request in that second


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def group_block(lag: GroupLag) -> dict[str, Any]:
    """What one consumer group still has to do, for a freshness block."""
    return {
        "pending": lag.pending,
        "lag": lag.lag,
        "oldest_pending_age_s": round(lag.oldest_pending_age_s, 3),
        "oldest_waiting_age_s": round(lag.oldest_waiting_age_s, 3),
        "parked": lag.parked,
        "oldest_parked_age_s": round(lag.oldest_parked_age_s, 3),
        "dead_letters": lag.dead_letters,
        "last_applied_at": _iso(lag.last_applied_at),
        "redis_error": lag.redis_error,
    }


def freshness_of(lags: list[GroupLag]) -> dict[str, Any]:
    """The freshness block of a read model fed by `lags`' groups: the oldest of their last applied times."""
    applied = [lag.last_applied_at for lag in lags]
    as_of = None if any(a is None for a in applied) or not applied else min(a for a in applied if a is not None)
    measured = max(lag.measured_at for lag in lags)
    return {
        "as_of": _iso(as_of),
        "age_s": None if as_of is None else round(max(0.0, (measured - as_of).total_seconds()), 3),
        "measured_at": measured.isoformat(),
        "groups": {lag.group: group_block(lag) for lag in lags},
    }


_known: dict[tuple[str, Engine, tuple[str, ...]], tuple[datetime, dict[str, Any]]] = {}
KNOWN_MAX = 256  # blocks kept (one per app and read model; tests make many apps)


def _key(redis_url: str, engine: Engine, groups: list[str]) -> tuple[str, Engine, tuple[str, ...]]:
    return redis_url, engine, tuple(groups)


def freshness(redis_url: str, engine: Engine, groups: list[str], ttl_s: float = FRESHNESS_TTL_S) -> dict[str, Any]:
    """The freshness block of a read model kept by `groups` in `engine`'s database (cached `ttl_s`)."""
    lags = [cached_group_lag(redis_url, engine, group, ttl_s) for group in groups]
    block = freshness_of(lags)
    if len(_known) >= KNOWN_MAX:
        _known.clear()
    _known[_key(redis_url, engine, groups)] = (max(lag.measured_at for lag in lags), block)
    return block


def known_freshness(
    redis_url: str, engine: Engine, groups: list[str], ttl_s: float = FRESHNESS_TTL_S
) -> dict[str, Any] | None:
    """The block `freshness` last gave if it was measured under `ttl_s` ago, else None: a look-up that never waits
    on Redis or the database, for the event loop (a None sends the caller to `freshness` on a worker thread)."""
    known = _known.get(_key(redis_url, engine, groups))
    if known is None or (datetime.now(UTC) - known[0]).total_seconds() >= ttl_s:
        return None
    return known[1]


def applied_version(block: dict[str, Any]) -> str | None:
    """What a cached answer built with `block` is keyed by: when its groups last applied an event."""
    return block["as_of"]  # type: ignore[no-any-return]
