"""Reports overdue as a Prometheus gauge, read at each scrape (no sample when the database cannot be read)."""

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from grants_shared.db import read_only_session
from reporting.read.schedule import report_schedule

log = logging.getLogger(__name__)


class ReportsCollector(Collector):
    """`grants_reports_overdue` and `grants_reports_due`: reports past due, and due within the reminder window."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.reminder_days = 14

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the database."""
        yield from self._families({})

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The counts of reports overdue and due (no samples when nothing can be read)."""
        counts: dict[str, int] = {}
        if self.engine is not None:
            try:
                with read_only_session(self.engine) as session:
                    owed = report_schedule(session, datetime.now(UTC).date(), self.reminder_days)
                counts = {kind: sum(1 for r in owed if r.status == kind) for kind in ("due", "overdue")}
            except Exception as error:
                log.warning("report metrics could not be read: %r", error)
        yield from self._families(counts)

    @staticmethod
    def _families(counts: dict[str, int]) -> Iterator[GaugeMetricFamily]:
        for kind, text in (("overdue", "past their due date"), ("due", "falling due within the reminder window")):
            family = GaugeMetricFamily(f"grants_reports_{kind}", f"Impact reports not submitted and {text}.")
            if kind in counts:
                family.add_metric([], counts[kind])
            yield family


_reports = ReportsCollector()
REGISTRY.register(_reports)


def expose_report_metrics(engine: Engine, reminder_days: int) -> None:
    """Serve the report counts on /metrics from the database of `engine` (due: within `reminder_days`)."""
    _reports.engine, _reports.reminder_days = engine, reminder_days
