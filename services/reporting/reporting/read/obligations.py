"""The fund's obligations by financial year from the tranche read model, against the drawdown plan.

The same figure payments computes from its schedules (GET /fund/obligations there): every tranche still to be paid,
summed by the financial year it falls due in. Ended tranches (settled, cancelled by a closure, removed by a
variation) are owed no more; a returned one is owed again.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.drawdown import against_plan, by_year, load_plan
from reporting.adapters.orm import Tranche
from reporting.domain.status import ENDED_TRANCHES
from reporting.read.demonstration import demonstration_owed, real_grant_id

CHART_YEARS = 15


def obligations_by_year(session: Session) -> dict[str, int]:
    """What the fund's grants (demonstrations left out) still owe, by the financial year each tranche falls due in."""
    rows = session.execute(
        select(Tranche.due_on, func.sum(Tranche.amount_pence))
        .where(Tranche.status.not_in(ENDED_TRANCHES), real_grant_id(Tranche.grant_id))
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
        "demonstration": {"total_pence": demonstration_owed(session)},
    }
