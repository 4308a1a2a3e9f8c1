"""The fund's own figures and the pipeline's health as Prometheus gauges, read at each scrape.

Both collectors are registered once per process (tests build many apps in one); each app points them at its
database and Redis. A database or Redis that cannot be read yields no samples, not an error.
"""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from grants_shared.db import read_only_session
from reporting.read.health import LAG_CAP, PipelineHealth, pipeline_health
from reporting.read.position import fund_position

log = logging.getLogger(__name__)
FIGURES = (
    "budget_pence",
    "committed_pence",
    "paid_pence",
    "returned_pence",
    "released_pence",
    "remaining_pence",
    "unpaid_commitments_pence",
    "tranches_due",
    "tranches_overdue",
    "reconciliation_differences_open",
    "decile_1_share_bp",
)
HELP = {
    "decile_1_share_bp": "Share of committed money to IMD decile 1 neighbourhoods, basis points (rounded down).",
    "reconciliation_differences_open": "Differences between the bank's settlement report and the ledger, open now.",
}


class FundCollector(Collector):
    """Collects the fund position on scrape; a database that cannot be read yields no samples, not an error."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the database (called when the collector is registered)."""
        yield from self._families({})

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The fund figures and the least-first share (the families without samples when nothing can be read)."""
        if self.engine is None:
            yield from self._families({})
            return
        try:
            with read_only_session(self.engine) as session:
                position = fund_position(session, datetime.now(UTC).date())
        except Exception as error:
            log.warning("fund metrics could not be read: %r", error)
            yield from self._families({})
            return
        yield from self._families({**position, "decile_1_share_bp": position["least_first"]["decile_1_share_bp"]})

    @staticmethod
    def _families(values: dict[str, int]) -> Iterator[GaugeMetricFamily]:
        for name in FIGURES:
            family = GaugeMetricFamily(f"grants_fund_{name}", HELP.get(name, f"Fund position: {name}."))
            if name in values:
                family.add_metric([], values[name])
            yield family


class PipelineCollector(Collector):
    """Pending and lag per consumer group and stream, and dead letters per group: the dashboard's own Redis reads.

    The cost per scrape is bounded as the dashboard's is: a few commands per stream, lag counted up to `LAG_CAP`
    where Redis does not report it.
    """

    def __init__(self) -> None:
        self.redis_url: str | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading Redis."""
        yield from self._families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample per group and stream (pending, lag) and per group (dead letters) when Redis answers."""
        pending, lag, dead = self._families()
        if self.redis_url is not None:
            try:
                with suppress_instrumentation():  # a scrape every few seconds is not worth a trace
                    health = pipeline_health(self.redis_url)  # a Redis outage comes back as `error`
            except Exception as error:  # anything else (a malformed URL) must not fail the whole scrape either
                log.warning("pipeline metrics could not be read: %r", error)
                health = PipelineHealth(error=repr(error))
            if health.error is None:
                for group in health.groups:
                    pending.add_metric([group.group, group.stream], group.pending)
                    lag.add_metric([group.group, group.stream], group.lag)
                for name, depth in health.dead_letters.items():
                    dead.add_metric([name], depth)
        yield from (pending, lag, dead)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        by_group = ["group", "stream"]
        return (
            GaugeMetricFamily(
                "grants_consumer_pending",
                "Messages delivered to a consumer group and not yet acknowledged.",
                labels=by_group,
            ),
            GaugeMetricFamily(
                "grants_consumer_lag",
                "Stream entries a consumer group has not read yet "
                f"(counted up to {LAG_CAP} where Redis does not report it).",
                labels=by_group,
            ),
            GaugeMetricFamily(
                "grants_dead_letters",
                "Messages a consumer group gave up on, waiting in its dead-letter stream.",
                labels=["group"],
            ),
        )


_collector = FundCollector()
_pipeline = PipelineCollector()
REGISTRY.register(_collector)
REGISTRY.register(_pipeline)


def expose_fund_metrics(engine: Engine) -> None:
    """Serve the fund figures on /metrics from the database of `engine` (the latest app's engine wins)."""
    _collector.engine = engine


def expose_pipeline_metrics(redis_url: str) -> None:
    """Serve pending, lag and dead-letter depth on /metrics from the Redis at `redis_url`."""
    _pipeline.redis_url = redis_url
