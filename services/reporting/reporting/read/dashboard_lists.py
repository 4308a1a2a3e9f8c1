"""The lists behind the dashboard's figures: held tranches with their reasons, and reports due and overdue.

Reports due and overdue come from the grants' report schedules (read/schedule.py): the same rule as
`GET /reports/due` and `grants_reports_overdue`, with the dashboard's own 30-day window for "due".
"""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, Tranche
from reporting.adapters.orm_public import TrancheHold
from reporting.domain.status import ENDED_GRANTS
from reporting.read.schedule import report_schedule

OWED = ("due", "overdue")
DUE_WINDOW_DAYS = 30  # on the dashboard, "due" means due within the next 30 days


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
    """Reports of live grants due by today + 30 days and not yet submitted, oldest first (the report schedule's)."""
    grants = session.execute(select(Grant).where(Grant.status.not_in(ENDED_GRANTS))).scalars().all()
    codes = {g.grant_id: g.neighbourhood_code for g in grants}
    owed = [r for r in report_schedule(session, today, DUE_WINDOW_DAYS, grants) if r.status in OWED]
    owed.sort(key=lambda r: (r.period.due_on, r.grant_id, r.period.number))
    return [
        ReportDue(r.grant_id, codes[r.grant_id], r.period.number, r.period.due_on, r.status == "overdue") for r in owed
    ]


def as_json(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (dates as ISO strings)."""
    return [{k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(row).items()} for row in rows]
