"""The fund position read model: budget, commitments, payments, tranches due, and the least-first share."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, Round, Tranche
from reporting.domain.position import Totals, breakdown, share_bp
from reporting.domain.status import ENDED_GRANTS, ENDED_TRANCHES
from reporting.read.demonstration import REAL_GRANT, REAL_ROUND, demonstration_block
from reporting.read.reconciliation import difference_counts

# What a grant still holds of the fund: its amount (after variations) less what its early closure released.
COMMITTED = Grant.amount_pence - Grant.released_pence


def _sum(column: Any) -> ColumnElement[Any]:
    return func.coalesce(func.sum(column), 0)


def totals(session: Session) -> Totals:
    """The fund's money totals (demonstration rounds and grants left out)."""
    budget = session.execute(select(_sum(Round.budget_pence)).where(REAL_ROUND)).scalar_one()
    committed, paid, returned, released = session.execute(
        select(_sum(COMMITTED), _sum(Grant.paid_pence), _sum(Grant.returned_pence), _sum(Grant.released_pence)).where(
            REAL_GRANT
        )
    ).one()
    # PostgreSQL sums BIGINT into NUMERIC (Decimal): int() of it is exact.
    return Totals(int(budget), int(committed), int(paid), int(returned), int(released))


def outstanding_tranches(as_of: date, *, overdue: bool) -> list[ColumnElement[bool]]:
    """Conditions for unpaid, uncancelled tranches of live grants due by `as_of` (strictly before it when overdue)."""
    due = Tranche.due_on < as_of if overdue else Tranche.due_on <= as_of
    live = or_(Grant.status.is_(None), Grant.status.not_in(ENDED_GRANTS))
    return [due, Tranche.status.not_in(ENDED_TRANCHES), live, REAL_GRANT]


def tranche_counts(session: Session, as_of: date) -> dict[str, int]:
    """How many tranches are due (by today) and overdue (before today) and not settled, with their pence.

    One pass over the covering index of tranches due by `as_of` (the overdue ones are those due strictly before
    it); tranches of ended grants are left out by a subquery of those few grants, not a join per tranche.
    """
    overdue = Tranche.due_on < as_of
    ended = select(Grant.grant_id).where(or_(Grant.status.in_(ENDED_GRANTS), Grant.demonstration.is_(True)))
    due_count, due_pence, overdue_count, overdue_pence = session.execute(
        select(
            func.count(),
            _sum(Tranche.amount_pence),
            func.count().filter(overdue),
            func.sum(Tranche.amount_pence).filter(overdue),
        ).where(Tranche.due_on <= as_of, Tranche.status.not_in(ENDED_TRANCHES), Tranche.grant_id.not_in(ended))
    ).one()
    return {
        "tranches_due": int(due_count),
        "tranches_due_pence": int(due_pence),
        "tranches_overdue": int(overdue_count),
        "tranches_overdue_pence": int(overdue_pence or 0),
    }


def least_first(session: Session, committed_pence: int) -> dict[str, Any]:
    """Committed money by IMD decile and by region, and decile 1's share in basis points (rounded down)."""
    by_decile = {
        ("unknown" if decile is None else str(decile)): (int(pence), int(n))
        for decile, pence, n in session.execute(
            select(Grant.imd_decile, _sum(COMMITTED), func.count()).where(REAL_GRANT).group_by(Grant.imd_decile)
        )
    }
    by_region = {
        region: (int(pence), int(n))
        for region, pence, n in session.execute(
            select(Grant.region_code, _sum(COMMITTED), func.count()).where(REAL_GRANT).group_by(Grant.region_code)
        )
    }
    return {
        "decile_1_share_bp": share_bp(by_decile.get("1", (0, 0))[0], committed_pence),
        "rounding": "basis points of committed pence, rounded down",
        "by_decile": breakdown(by_decile, committed_pence),
        "by_region": breakdown(by_region, committed_pence),
    }


def grant_counts(session: Session) -> dict[str, int]:
    """How many grants, and how many of them were closed early."""
    grants, closed = session.execute(
        select(func.count(), func.count().filter(Grant.status == "closed")).select_from(Grant).where(REAL_GRANT)
    ).one()
    return {"grants": int(grants), "grants_closed": int(closed)}


def fund_position(session: Session, as_of: date) -> dict[str, Any]:
    """The whole fund position, every amount in integer pence."""
    money = totals(session)
    rounds = session.execute(select(func.count()).select_from(Round).where(REAL_ROUND)).scalar_one()
    return {
        **money.as_dict(),
        **grant_counts(session),
        "rounds": int(rounds),
        "as_of": as_of.isoformat(),
        **tranche_counts(session, as_of),
        **difference_counts(session),
        "least_first": least_first(session, money.committed_pence),
        "demonstration": demonstration_block(session),
    }
