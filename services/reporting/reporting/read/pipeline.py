"""Dashboard lists: tranches due or overdue, and applications by status."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Application, Grant, Tranche
from reporting.read.position import outstanding_tranches
from reporting.read.schedule import schedule_length


@dataclass(frozen=True)
class DueTranche:
    """An unsettled tranche that is due: which grant, which tranche, how much, since when."""

    grant_id: str
    neighbourhood_code: str | None
    number: int
    of_tranches: int
    due_on: date
    amount_pence: int
    status: str
    overdue: bool


def due_tranches(session: Session, as_of: date, limit: int) -> list[DueTranche]:
    """The oldest unsettled tranches due by `as_of`, oldest first."""
    rows = session.execute(
        select(Tranche, Grant.neighbourhood_code, schedule_length())
        .outerjoin(Grant, Grant.grant_id == Tranche.grant_id)
        .where(*outstanding_tranches(as_of, overdue=False))
        .order_by(Tranche.due_on, Tranche.grant_id, Tranche.number)
        .limit(limit)
    ).all()
    return [
        DueTranche(
            grant_id=t.grant_id,
            neighbourhood_code=code,
            number=t.number,
            of_tranches=int(of),
            due_on=t.due_on,
            amount_pence=t.amount_pence,
            status=t.status,
            overdue=t.due_on < as_of,
        )
        for t, code, of in rows
    ]


def applications_by_status(session: Session) -> dict[str, int]:
    """How many applications are in each status."""
    rows = session.execute(select(Application.status, func.count()).group_by(Application.status))
    return {status: int(n) for status, n in sorted(rows.all())}
