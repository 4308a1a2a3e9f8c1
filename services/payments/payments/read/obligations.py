"""The fund's obligations by financial year: every unpaid tranche of every grant, against the drawdown plan.

Computed from payments' own schedules, so it is after variations (re-profiled tranches), closures (cancelled
tranches) and returns (a returned tranche is owed again). Paid means settled; anything else not cancelled is owed.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.drawdown import against_plan, by_year, load_plan
from payments.adapters.orm import Grant, Tranche
from payments.domain.tranche_state import TrancheStatus

NOT_OWED = (TrancheStatus.SETTLED.value, TrancheStatus.CANCELLED.value)


def obligations_by_year(session: Session, *, demonstration: bool = False) -> dict[str, int]:
    """What the fund's grants (or, asked, the demonstration grants) still owe, by the financial year each falls due."""
    rows = session.execute(
        select(Tranche.due_on, func.sum(Tranche.amount_pence))
        .join(Grant, Grant.grant_id == Tranche.grant_id)
        .where(Tranche.status.not_in(NOT_OWED), Grant.demonstration.is_(demonstration))
        .group_by(Tranche.due_on)
    )
    return by_year((due_on, int(total)) for due_on, total in rows)


def obligations_view(session: Session, years: int | None = None) -> dict[str, Any]:
    """The obligations table: one row per financial year with the plan's limit and the headroom left."""
    plan = load_plan()
    owed = obligations_by_year(session)
    return {
        "plan_version": plan.version,
        "endowment_pence": plan.endowment_pence,
        "total_pence": sum(owed.values()),
        "years": against_plan(plan, owed, years),
        "demonstration": {"total_pence": sum(obligations_by_year(session, demonstration=True).values())},
    }
