"""Reconciliation differences: how many are open, and the lists the dashboard shows."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import ReconciliationDifference


def open_differences_list(session: Session, limit: int) -> list[ReconciliationDifference]:
    """The oldest open differences (an operator works through them in the order they were found)."""
    return list(
        session.scalars(
            select(ReconciliationDifference)
            .where(ReconciliationDifference.resolved_at.is_(None))
            .order_by(ReconciliationDifference.found_at, ReconciliationDifference.difference_id)
            .limit(limit)
        )
    )


def recently_resolved(session: Session, limit: int) -> list[ReconciliationDifference]:
    """The differences resolved most recently."""
    return list(
        session.scalars(
            select(ReconciliationDifference)
            .where(ReconciliationDifference.resolved_at.is_not(None))
            .order_by(ReconciliationDifference.resolved_at.desc(), ReconciliationDifference.difference_id)
            .limit(limit)
        )
    )


def difference_counts(session: Session) -> dict[str, int]:
    """How many reconciliation differences are open, and the bank's pence in them."""
    count, pence = session.execute(
        select(func.count(), func.coalesce(func.sum(ReconciliationDifference.bank_amount_pence), 0)).where(
            ReconciliationDifference.resolved_at.is_(None)
        )
    ).one()
    return {"reconciliation_differences_open": int(count), "reconciliation_differences_open_bank_pence": int(pence)}
