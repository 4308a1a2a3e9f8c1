"""The ledger in the database: post a domain transaction once by its business key, read it back, sum it."""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc as utc
from grants_shared.clock import now
from grants_shared.ids import stable_id
from payments.adapters.orm import LedgerPosting, LedgerTransactionRow
from payments.domain.ledger import LedgerTransaction, Posting, TransactionKind

Builder = Callable[[str], LedgerTransaction]


def posting_key(kind: TransactionKind, subject: str) -> str:
    """The business key of a posting: one per kind and instruction (or grant, for an award)."""
    return f"{kind}:{subject}"


# Statements built once: posting is on the hot path of every award.
POSTED = select(LedgerTransactionRow.seq).where(LedgerTransactionRow.posting_key == bindparam("key"))
INSERT_TRANSACTION = insert(cast(Table, LedgerTransactionRow.__table__))
INSERT_POSTINGS = insert(cast(Table, LedgerPosting.__table__))


def post_once(session: Session, key: str, build: Builder) -> bool:
    """Post the transaction `build(transaction_id)` unless `key` is posted already; True when it was posted now."""
    if session.execute(POSTED, {"key": key}).first():
        return False
    post(session, key, build)
    return True


def post(session: Session, key: str, build: Builder) -> None:
    """Post `build(transaction_id)` under `key`, which the caller knows is not posted yet (two statements)."""
    txn = build(stable_id("ledger", key))
    session.execute(
        INSERT_TRANSACTION,
        {
            "transaction_id": txn.transaction_id,
            "posting_key": key,
            "kind": str(txn.kind),
            "grant_id": txn.grant_id,
            "tranche_id": txn.tranche_id,
            "instruction_id": txn.instruction_id,
            "reverses": txn.reverses,
            "effective_at": utc(txn.effective_at),
            "posted_at": now(),
        },
    )
    session.execute(
        INSERT_POSTINGS,
        [
            {
                "transaction_id": txn.transaction_id,
                "line": line,
                "account": p.account,
                "debit_pence": p.debit_pence,
                "credit_pence": p.credit_pence,
            }
            for line, p in enumerate(txn.postings, start=1)
        ],
    )


def stored_transactions(session: Session) -> list[tuple[LedgerTransactionRow, list[LedgerPosting]]]:
    """Every transaction with its postings, in posting order."""
    rows = list(session.scalars(select(LedgerTransactionRow).order_by(LedgerTransactionRow.seq)))
    lines: dict[str, list[LedgerPosting]] = defaultdict(list)
    for posting in session.scalars(select(LedgerPosting).order_by(LedgerPosting.id)):
        lines[posting.transaction_id].append(posting)
    return [(row, lines[row.transaction_id]) for row in rows]


def to_domain(row: LedgerTransactionRow, postings: list[LedgerPosting]) -> LedgerTransaction:
    """Rebuild the domain transaction (raises LedgerError when the stored rows break the ledger's rules)."""
    return LedgerTransaction(
        transaction_id=row.transaction_id,
        kind=TransactionKind(row.kind),
        grant_id=row.grant_id,
        tranche_id=row.tranche_id,
        postings=tuple(Posting(p.account, int(p.debit_pence), int(p.credit_pence)) for p in postings),
        effective_at=utc(row.effective_at),
        instruction_id=row.instruction_id,
        reverses=row.reverses,
    )


def balances(session: Session, as_of: datetime | None) -> dict[str, int]:
    """Each account's balance (debits minus credits, pence) over transactions effective by `as_of`."""
    query = (
        select(LedgerPosting.account, func.sum(LedgerPosting.debit_pence - LedgerPosting.credit_pence))
        .join(LedgerTransactionRow, LedgerTransactionRow.transaction_id == LedgerPosting.transaction_id)
        .group_by(LedgerPosting.account)
        .order_by(LedgerPosting.account)
    )
    if as_of is not None:
        query = query.where(LedgerTransactionRow.effective_at <= utc(as_of))
    return {account: int(total) for account, total in session.execute(query)}


def account_balance(session: Session, account: str) -> int:
    """One account's balance now (debits minus credits, pence)."""
    total = session.execute(
        select(func.coalesce(func.sum(LedgerPosting.debit_pence - LedgerPosting.credit_pence), 0)).where(
            LedgerPosting.account == account
        )
    ).scalar_one()
    return int(total)
