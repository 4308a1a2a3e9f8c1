"""The fund's own figures as Prometheus gauges, read from the projections at each scrape."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from reporting.queries.position import fund_position

log = logging.getLogger(__name__)
FIGURES = ("budget_pence", "committed_pence", "paid_pence", "returned_pence", "released_pence",
           "unpaid_commitments_pence", "tranches_due", "tranches_overdue", "reconciliation_differences_open",
           "decile_1_share_bp")
HELP = {
    "decile_1_share_bp": "Share of committed money to IMD decile 1 neighbourhoods, basis points (rounded down).",
    "reconciliation_differences_open": "Differences between the bank's settlement report and the ledger, open now.",
}


class FundCollector(Collector):
    """Collects the fund position on scrape; a database that cannot be read yields no samples, not an error."""

    def __init__(self) -> None:
        self.sessions: sessionmaker[Session] | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the database (called when the collector is registered)."""
        yield from self._families({})

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The fund figures and the least-first share."""
        if self.sessions is None:
            return
        try:
            with self.sessions() as session:
                position = fund_position(session, datetime.now(UTC).date())
        except Exception as error:
            log.warning("fund metrics could not be read: %r", error)
            return
        yield from self._families({**position, "decile_1_share_bp": position["least_first"]["decile_1_share_bp"]})

    @staticmethod
    def _families(values: dict[str, int]) -> Iterator[GaugeMetricFamily]:
        for name in FIGURES:
            family = GaugeMetricFamily(f"grants_fund_{name}", HELP.get(name, f"Fund position: {name}."))
            if name in values:
                family.add_metric([], values[name])
            yield family


_collector = FundCollector()
_registered = False


def expose_fund_metrics(sessions: sessionmaker[Session]) -> None:
    """Serve the fund figures on /metrics from `sessions` (registered once per process)."""
    global _registered
    _collector.sessions = sessions
    if not _registered:
        REGISTRY.register(_collector)
        _registered = True
