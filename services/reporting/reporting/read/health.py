"""Pipeline health from Redis and the database: per consumer group pending, unread, the oldest waiting message,
parked events and dead letters, and the same per stream.

Parked events and the time of the last applied event are kept in each service's own database: the page knows them
for reporting's group; the other services export theirs on their own /metrics (`grants_group_*`).
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy import Engine

from grants_shared import deadletter
from grants_shared.delivery.lag import (
    UNREAD_CAP,
    GroupLag,
    client_for,
    database_lag,
    redis_lag,
    stream_groups,
    with_database,
)

log = logging.getLogger(__name__)
LAG_CAP = UNREAD_CAP  # counting further would make the page slow; the page shows "10000+" instead
OWN_GROUP = "reporting"


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
    lags: list[GroupLag] = field(default_factory=list)  # per group; parked and last applied known for reporting

    def own(self) -> GroupLag | None:
        """Reporting's own group, whose figures say how fresh the page's read models are."""
        return next((lag for lag in self.lags if lag.group == OWN_GROUP), None)


def _group_lags(redis_url: str, engine: Engine | None) -> tuple[list[GroupLag], dict[str, int]]:
    client = client_for(redis_url)
    lags, dead_letters = [], dict(sorted(deadletter.depth(client).items()))
    for group, found in sorted(stream_groups(client).items()):
        streams, dead = redis_lag(client, group, found=found)
        lag = GroupLag(group, datetime.now(UTC), tuple(streams), dead_letters=dead)
        lags.append(
            with_database(lag, database_lag(engine, group)) if engine is not None and group == OWN_GROUP else lag
        )
    return lags, dead_letters


def pipeline_health(redis_url: str, engine: Engine | None = None) -> PipelineHealth:
    """Read dead letters and every group's backlog; a Redis outage is reported on the page, not raised."""
    try:
        lags, dead_letters = _group_lags(redis_url, engine)
    except RedisError as error:
        log.warning("dashboard could not read Redis: %r", error)
        return PipelineHealth(error=f"Redis did not answer: {error}")
    groups = [GroupHealth(s.stream, lag.group, s.consumers, s.pending, s.lag) for lag in lags for s in lag.streams]
    return PipelineHealth(dead_letters=dead_letters, groups=groups, lags=lags)


def own_group(health: PipelineHealth, engine: Engine) -> GroupLag:
    """Reporting's group as the page read it; from the database alone when Redis did not answer."""
    found = health.own()
    if found is not None:
        return found
    lag = GroupLag(OWN_GROUP, datetime.now(UTC), redis_error=health.error)
    return with_database(lag, database_lag(engine, OWN_GROUP))
