"""Outbox backlog as Prometheus gauges: unsent rows and the age of the oldest, per service, read at each scrape.

"Unsent" is what the relay still has to publish: `published_at` is null. A backlog that grows, or an oldest row
that keeps ageing, means the worker's relay is down or Redis refuses it.

One collector per process, registered on the global registry when this module is imported; each API app
(`create_service_app`) points it at its engine with `track_outbox`, the latest app of a service winning (tests build
many apps in one process). A database that cannot be read yields no samples for its service, never an error.
"""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from grants_shared import tables
from grants_shared.clock import as_utc
from grants_shared.db import read_only

log = logging.getLogger(__name__)
UNSENT = "grants_outbox_unsent"
OLDEST_AGE = "grants_outbox_oldest_unsent_age_seconds"


def backlog(engine: Engine, now: datetime | None = None) -> tuple[int, float]:
    """How many outbox rows are unsent, and how many seconds the oldest of them has waited (0 when none)."""
    unsent = tables.outbox.c.published_at.is_(None)
    with read_only(engine) as connection:
        count, oldest = connection.execute(
            select(func.count(), func.min(tables.outbox.c.created_at)).where(unsent)
        ).one()
    if oldest is None:
        return int(count), 0.0
    return int(count), max(0.0, ((now or datetime.now(UTC)) - as_utc(oldest)).total_seconds())


class OutboxCollector(Collector):
    """Reads each tracked service's outbox backlog on scrape."""

    def __init__(self) -> None:
        self.engines: dict[str, Engine] = {}

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading any database."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample of each gauge per service whose database answers."""
        unsent, oldest = self._families()
        for service, engine in sorted(self.engines.items()):
            try:
                with suppress_instrumentation():  # a scrape every few seconds is not worth a trace
                    count, age = backlog(engine)
            except Exception as error:
                log.warning("outbox backlog of %s could not be read: %r", service, error)
                continue
            unsent.add_metric([service], count)
            oldest.add_metric([service], age)
        yield from (unsent, oldest)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(UNSENT, "Outbox rows committed but not yet published by the relay.", labels=["service"]),
            GaugeMetricFamily(
                OLDEST_AGE, "Seconds the oldest unsent outbox row has waited (0 when none wait).", labels=["service"]
            ),
        )


COLLECTOR = OutboxCollector()
REGISTRY.register(COLLECTOR)


def track_outbox(service: str, engine: Engine) -> None:
    """Report `service`'s outbox backlog from `engine` on /metrics (replacing any engine it had before)."""
    COLLECTOR.engines[service] = engine
