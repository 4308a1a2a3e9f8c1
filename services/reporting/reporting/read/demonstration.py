"""Demonstration data in reporting: grants and rounds marked `demonstration` are shown by id, never in a fund figure."""

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from reporting.adapters.orm import Grant, Round, Tranche
from reporting.domain.status import ENDED_TRANCHES

REAL_GRANT = Grant.demonstration.is_not(True)
"""A grant that counts in the fund's figures (a grant joined by an outer join and absent counts too)."""
REAL_ROUND = Round.demonstration.is_not(True)
"""A round whose budget counts in the fund's figures."""


def real_grant_id(column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """`column` (a grant id) is not a demonstration grant's: for tables keyed by grant id without a join."""
    return column.not_in(select(Grant.grant_id).where(Grant.demonstration.is_(True)))


def demonstration_block(session: Session) -> dict[str, int]:
    """What demonstration grants hold, shown apart from the fund's figures."""
    grants, committed, paid = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Grant.amount_pence - Grant.released_pence), 0),
            func.coalesce(func.sum(Grant.paid_pence - Grant.returned_pence), 0),
        ).where(Grant.demonstration.is_(True))
    ).one()
    return {"grants": int(grants), "committed_pence": int(committed), "paid_net_pence": int(paid)}


def demonstration_owed(session: Session) -> int:
    """What demonstration grants still owe (their unpaid tranches), shown apart from the fund's obligations."""
    owed = session.execute(
        select(func.coalesce(func.sum(Tranche.amount_pence), 0))
        .join(Grant, Grant.grant_id == Tranche.grant_id)
        .where(Tranche.status.not_in(ENDED_TRANCHES), Grant.demonstration.is_(True))
    ).scalar_one()
    return int(owed)
