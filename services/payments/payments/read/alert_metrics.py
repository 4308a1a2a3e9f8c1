"""What operators act on, and each grant's progress, as Prometheus gauges on payments' /metrics, read at scrape.

- returned payments waiting to be repaid (tranches in status `returned`) and how long the oldest has waited;
- tranches held past their due date, and by how many days the worst is late;
- per grant: tranches by status, money paid, and its trace id (`grants_grant_info`), for the per-grant dashboard.
The per-grant series are bounded by the fund (a round is a few hundred grants), not by traffic.
"""

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime

from opentelemetry.instrumentation.utils import suppress_instrumentation
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, func, select

from grants_shared.clock import as_utc
from grants_shared.db import read_only
from grants_shared.grant_trace import grant_trace_hex
from payments.adapters.orm import PaymentInstruction, Tranche
from payments.domain.statuses import SETTLED
from payments.domain.tranche_state import TrancheStatus

log = logging.getLogger(__name__)
RETURNED, HELD = str(TrancheStatus.RETURNED), str(TrancheStatus.HELD)
HELP = {
    "grants_tranches_returned_awaiting_repayment": "Tranches whose payment the bank returned, not yet paid again.",
    "grants_tranches_returned_oldest_age_seconds": "Seconds the longest-waiting returned tranche has waited (0: none).",
    "grants_tranches_held_past_due": "Tranches held (conditions, partnership or by hand) after their due date.",
    "grants_tranches_held_past_due_max_days": "Days the latest held tranche is past its due date (0: none).",
    "grants_grant_tranches": "A grant's tranches by status.",
    "grants_grant_paid_pence": "Money settled to a grant so far, in pence.",
    "grants_grant_info": "One per grant; its trace_id label opens the grant's whole life in Jaeger.",
}


def _alerts(connection: Connection, now: datetime) -> dict[str, float]:
    returned_count, oldest = connection.execute(
        select(func.count(), func.min(Tranche.updated_at)).where(Tranche.status == RETURNED)
    ).one()
    today = now.date()
    held_count, earliest_due = connection.execute(
        select(func.count(), func.min(Tranche.due_on)).where(Tranche.status == HELD, Tranche.due_on < today)
    ).one()
    return {
        "grants_tranches_returned_awaiting_repayment": returned_count,
        "grants_tranches_returned_oldest_age_seconds": (now - as_utc(oldest)).total_seconds() if oldest else 0.0,
        "grants_tranches_held_past_due": held_count,
        "grants_tranches_held_past_due_max_days": (today - _day(earliest_due)).days if earliest_due else 0,
    }


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _per_grant(connection: Connection) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
    tranches = connection.execute(
        select(Tranche.grant_id, Tranche.status, func.count()).group_by(Tranche.grant_id, Tranche.status)
    ).all()
    paid = connection.execute(
        select(PaymentInstruction.grant_id, func.sum(PaymentInstruction.amount_pence))
        .where(PaymentInstruction.status == SETTLED)
        .group_by(PaymentInstruction.grant_id)
    ).all()
    return [(g, s, int(n)) for g, s, n in tranches], [(g, int(p or 0)) for g, p in paid]


class PaymentsCollector(Collector):
    """Reads the figures on scrape; a database that cannot be read yields no samples, not an error."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The metric names, without reading the database."""
        yield from self._families().values()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One sample per figure, per grant and status, per grant."""
        families = self._families()
        if self.engine is not None:
            try:
                with suppress_instrumentation(), read_only(self.engine) as connection:
                    self._fill(families, connection)
            except Exception as error:
                log.warning("payments figures could not be read: %r", error)
                families = self._families()
        yield from families.values()

    @staticmethod
    def _fill(families: dict[str, GaugeMetricFamily], connection: Connection) -> None:
        for name, value in _alerts(connection, datetime.now(UTC)).items():
            families[name].add_metric([], value)
        tranches, paid = _per_grant(connection)
        for grant_id, status, count in tranches:
            families["grants_grant_tranches"].add_metric([grant_id, status], count)
        for grant_id in sorted({g for g, _, _ in tranches}):
            families["grants_grant_info"].add_metric([grant_id, grant_trace_hex(grant_id)], 1)
        for grant_id, pence in paid:
            families["grants_grant_paid_pence"].add_metric([grant_id], pence)

    @staticmethod
    def _families() -> dict[str, GaugeMetricFamily]:
        labels = {
            "grants_grant_tranches": ["grant_id", "status"],
            "grants_grant_paid_pence": ["grant_id"],
            "grants_grant_info": ["grant_id", "trace_id"],
        }
        return {name: GaugeMetricFamily(name, text, labels=labels.get(name, [])) for name, text in HELP.items()}


_collector = PaymentsCollector()
REGISTRY.register(_collector)


def expose_payments_metrics(engine: Engine) -> None:
    """Serve these figures on /metrics from the database of `engine` (the latest app's engine wins)."""
    _collector.engine = engine
