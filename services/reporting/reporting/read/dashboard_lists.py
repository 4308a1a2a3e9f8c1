"""The lists behind the dashboard's figures: held tranches with their reasons, and reports due and overdue.

Until report schedules are their own read model, a report on period n is taken as due when tranche n + 1 falls
due (the report that lets payments release it); a period counts as reported once a report on it is submitted or
accepted.
"""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, aliased

from reporting.adapters.orm import Grant, ImpactReport, Tranche
from reporting.adapters.orm_public import TrancheHold
from reporting.domain.status import ENDED_GRANTS, OFF_SCHEDULE

REPORTED = ("submitted", "accepted")
DUE_WINDOW = timedelta(days=30)  # "due" means due within the next 30 days


@dataclass(frozen=True)
class HeldTranche:
    """A tranche held now, and why."""

    grant_id: str
    neighbourhood_code: str | None
    tranche_id: str
    number: int
    due_on: date
    amount_pence: int
    reasons: list[str]
    held_on: str | None


@dataclass(frozen=True)
class ReportDue:
    """A period's report not yet in: due within the window, or overdue."""

    grant_id: str
    neighbourhood_code: str
    period_number: int
    due_on: date
    overdue: bool


def held_tranches(session: Session) -> list[HeldTranche]:
    """Every tranche whose latest status is held, oldest due first, with the reasons of its latest hold."""
    rows = session.execute(
        select(Tranche, Grant.neighbourhood_code, TrancheHold.reasons, TrancheHold.held_at)
        .outerjoin(Grant, Grant.grant_id == Tranche.grant_id)
        .outerjoin(TrancheHold, TrancheHold.tranche_id == Tranche.tranche_id)
        .where(Tranche.status == "held")
        .order_by(Tranche.due_on, Tranche.grant_id, Tranche.number)
    ).all()
    return [
        HeldTranche(
            t.grant_id,
            code,
            t.tranche_id,
            t.number,
            t.due_on,
            t.amount_pence,
            list(reasons or []),
            held_at.date().isoformat() if held_at else None,
        )
        for t, code, reasons, held_at in rows
    ]


def reports_due(session: Session, today: date) -> list[ReportDue]:
    """Reports of live grants due by today + 30 days and not yet submitted, oldest first."""
    period, after = aliased(Tranche), aliased(Tranche)
    reported = exists().where(
        ImpactReport.grant_id == period.grant_id,
        ImpactReport.period_number == period.number,
        ImpactReport.status.in_(REPORTED),
    )
    rows = session.execute(
        select(period.grant_id, Grant.neighbourhood_code, period.number, after.due_on)
        .join(after, and_(after.grant_id == period.grant_id, after.number == period.number + 1))
        .join(Grant, Grant.grant_id == period.grant_id)
        .where(
            period.status.not_in(OFF_SCHEDULE),
            after.status.not_in(OFF_SCHEDULE),
            Grant.status.not_in(ENDED_GRANTS),
            after.due_on <= today + DUE_WINDOW,
            ~reported,
        )
        .order_by(after.due_on, period.grant_id, period.number)
    ).all()
    return [ReportDue(g, code, n, due, due < today) for g, code, n, due in rows]


def as_json(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (dates as ISO strings)."""
    return [{k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(row).items()} for row in rows]
