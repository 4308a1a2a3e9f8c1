"""Per consumer group gauges on /metrics: pending, unread, the oldest pending message's age, parked, dead letters
and the seconds since the group last applied an event.

Each API reports its own service's group (its database holds the group's parked events and progress), read at
scrape time from a copy at most `SCRAPE_TTL_S` old. Several replicas report the same group: alert on `max by`.
"""

import logging
from collections.abc import Iterator

from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from grants_shared.delivery.lag import GroupLag, cached_group_lag

log = logging.getLogger(__name__)
SCRAPE_TTL_S = 2.0
GAUGES = {
    "grants_group_pending": "Messages delivered to the consumer group and not yet acknowledged.",
    "grants_group_lag": "Entries of the group's streams it has not read yet.",
    "grants_group_oldest_pending_age_seconds": "Seconds since the oldest pending message was published (0: none).",
    "grants_group_parked": "Events the group keeps parked until their prerequisite is applied.",
    "grants_group_oldest_parked_age_seconds": "Seconds the longest-parked event has waited (0: none parked).",
    "grants_group_dead_letters": "Messages the group gave up on, waiting in its dead-letter stream.",
    "grants_group_seconds_since_applied": "Seconds since the group last applied an event (absent: never).",
}


def _values(lag: GroupLag) -> dict[str, float | None]:
    redis_known = lag.redis_error is None
    return {
        "grants_group_pending": lag.pending if redis_known else None,
        "grants_group_lag": lag.lag if redis_known else None,
        "grants_group_oldest_pending_age_seconds": lag.oldest_pending_age_s if redis_known else None,
        "grants_group_parked": lag.parked,
        "grants_group_oldest_parked_age_seconds": lag.oldest_parked_age_s,
        "grants_group_dead_letters": lag.dead_letters if redis_known else None,
        "grants_group_seconds_since_applied": lag.seconds_since_applied,
    }


class GroupCollector(Collector):
    """Reads each tracked group's figures on scrape; what cannot be read yields no sample, never an error."""

    def __init__(self) -> None:
        self.groups: dict[str, tuple[str, Engine]] = {}

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading anything."""
        yield from self._families().values()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample of each gauge per group whose figures could be read."""
        families = self._families()
        for group, (redis_url, engine) in sorted(self.groups.items()):
            try:
                with suppress_instrumentation():  # a scrape every few seconds is not worth a trace
                    lag = cached_group_lag(redis_url, engine, group, SCRAPE_TTL_S)
            except Exception as error:
                log.warning("consumer group %s could not be read: %r", group, error)
                continue
            for name, value in _values(lag).items():
                if value is not None:
                    families[name].add_metric([group], value)
        yield from families.values()

    @staticmethod
    def _families() -> dict[str, GaugeMetricFamily]:
        return {name: GaugeMetricFamily(name, text, labels=["group"]) for name, text in GAUGES.items()}


COLLECTOR = GroupCollector()
REGISTRY.register(COLLECTOR)


def track_group(group: str, redis_url: str, engine: Engine) -> None:
    """Report `group`'s figures on /metrics from `redis_url` and `engine` (replacing what it had before)."""
    COLLECTOR.groups[group] = (redis_url, engine)
