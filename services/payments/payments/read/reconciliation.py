"""The reconciliation read model: counts on both sides and the differences, for GET /reconciliation."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from payments.adapters.orm import LedgerTransactionRow, ProviderCursor
from payments.adapters.orm_reconciliation import ReconciliationDifference, SettlementLine
from payments.adapters.records import RECONCILIATION_CURSOR, difference_record
from payments.domain.ledger import TransactionKind

K = TransactionKind


def _count(session: Session, query: Any) -> int:
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def summary(session: Session, *, status: str, limit: int, offset: int) -> dict[str, Any]:
    """Both sides counted, and a page of differences (open, resolved or all), newest first."""
    cursor = session.get(ProviderCursor, RECONCILIATION_CURSOR)
    matched = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    postings = select(LedgerTransactionRow.transaction_id).where(
        LedgerTransactionRow.kind.in_((str(K.SETTLE), str(K.RETURN)))
    )
    differences = select(ReconciliationDifference)
    if status == "open":
        differences = differences.where(ReconciliationDifference.resolved_at.is_(None))
    elif status == "resolved":
        differences = differences.where(ReconciliationDifference.resolved_at.is_not(None))
    page = session.scalars(
        differences.order_by(ReconciliationDifference.found_at.desc(), ReconciliationDifference.difference_id)
        .limit(limit)
        .offset(offset)
    )
    lines = _count(session, select(SettlementLine.line_id))
    matched_lines = _count(session, matched)
    return {
        "report_read_until": cursor.position and as_utc(cursor.position) if cursor else None,
        "lines": lines,
        "matched_lines": matched_lines,
        "unmatched_lines": lines - matched_lines,
        "postings": _count(session, postings),
        "unmatched_postings": _count(session, postings.where(LedgerTransactionRow.transaction_id.not_in(matched))),
        "open_differences": _count(
            session,
            select(ReconciliationDifference.difference_id).where(ReconciliationDifference.resolved_at.is_(None)),
        ),
        "differences": [difference_record(d) for d in page],
        "total": _count(session, differences),
        "limit": limit,
        "offset": offset,
    }
