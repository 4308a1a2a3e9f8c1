"""Reconciliation differences as the dashboard lists them: open first, oldest first."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from reporting.adapters.orm import ReconciliationDifference


def open_differences_list(session: Session, limit: int) -> list[ReconciliationDifference]:
    """The oldest open differences (an operator works through them in the order they were found)."""
    return list(session.scalars(
        select(ReconciliationDifference)
        .where(ReconciliationDifference.resolved_at.is_(None))
        .order_by(ReconciliationDifference.found_at, ReconciliationDifference.difference_id)
        .limit(limit)
    ))  # fmt: skip


def recently_resolved(session: Session, limit: int) -> list[ReconciliationDifference]:
    """The differences resolved most recently."""
    return list(session.scalars(
        select(ReconciliationDifference)
        .where(ReconciliationDifference.resolved_at.is_not(None))
        .order_by(ReconciliationDifference.resolved_at.desc(), ReconciliationDifference.difference_id)
        .limit(limit)
    ))  # fmt: skip
