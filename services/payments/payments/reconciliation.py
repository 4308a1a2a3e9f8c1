"""Reconciliation: the provider's settlement report matched one to one against the ledger's settlements and returns.

Each report line is stored once, then matched to the ledger transaction of the same kind for the same instruction
(the idempotency key) and amount; a transaction matches one line at most (a unique column). What is still
unmatched once older than the grace period, on either side, is a difference: raised once as an event, and shown.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events import ReconciliationDifferenceFound
from grants_shared.ids import stable_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import LedgerPosting, LedgerTransactionRow, PaymentInstruction, ProviderCursor
from payments.adapters.orm_reconciliation import ReconciliationDifference, SettlementLine
from payments.adapters.provider import PaymentProvider, SettlementReport
from payments.domain.ledger import TransactionKind
from payments.times import Clock, now, system_clock, utc

K = TransactionKind
KIND_OF_LINE = {"settled": K.SETTLE, "returned": K.RETURN}
CURSOR = "reconciliation"


def reconcile_turn(
    sessions: sessionmaker[Session], provider: PaymentProvider, *, grace_s: float, clock: Clock = system_clock
) -> int:
    """Read the report from the cursor, match what can be matched, raise new differences; returns how many."""
    with sessions() as session:
        cursor = session.get(ProviderCursor, CURSOR)
        since = utc(cursor.position) if cursor and cursor.position else None
    report = provider.settlements(since)
    with UnitOfWork(sessions) as uow:
        _store(uow.session, report, provider.name)
        uow.commit()
    cutoff = utc(report.until) - timedelta(seconds=grace_s)
    with UnitOfWork(sessions) as uow:
        found = _match_lines(uow, cutoff, clock) + _unmatched_postings(uow, cutoff, clock)
        _resolve(uow.session, clock())
        uow.commit()
    return found


def _store(session: Session, report: SettlementReport, provider: str) -> None:
    """Keep each line once and move the cursor, in one transaction (a crash re-reads, never skips)."""
    for line in report.lines:
        line_id = f"{line.payment_id}:{line.kind}"
        if session.get(SettlementLine, line_id) is None:
            session.add(SettlementLine(
                line_id=line_id, provider=provider, provider_payment_id=line.payment_id,
                idempotency_key=line.idempotency_key, kind=line.kind, amount_pence=line.amount_pence,
                reference=line.reference[:18], occurred_at=utc(line.occurred_at), received_at=now(),
            ))  # fmt: skip
    cursor = session.get(ProviderCursor, CURSOR) or ProviderCursor(name=CURSOR)
    cursor.position = utc(report.until)
    session.add(cursor)


def _amount(session: Session, transaction_id: str) -> int:
    return int(session.execute(select(func.sum(LedgerPosting.debit_pence))
                               .where(LedgerPosting.transaction_id == transaction_id)).scalar_one() or 0)  # fmt: skip


def _match_lines(uow: UnitOfWork, cutoff: datetime, clock: Clock) -> int:
    found = 0
    lines = uow.session.scalars(select(SettlementLine).where(SettlementLine.transaction_id.is_(None))
                                .order_by(SettlementLine.occurred_at, SettlementLine.line_id)).all()  # fmt: skip
    taken = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    for line in lines:
        txn = uow.session.scalars(
            select(LedgerTransactionRow).where(
                LedgerTransactionRow.kind == str(KIND_OF_LINE.get(line.kind, "")),
                LedgerTransactionRow.instruction_id == line.idempotency_key,
                LedgerTransactionRow.transaction_id.not_in(taken))
        ).first()  # fmt: skip
        if txn is None:
            if utc(line.occurred_at) < cutoff:
                found += _raise(uow, "unmatched_bank_line", line.line_id, clock, line=line,
                                detail=f"the bank reports a {line.kind} payment {line.provider_payment_id} of "
                                       f"{line.amount_pence}p that the ledger has not posted")  # fmt: skip
            continue
        ledger_amount = _amount(uow.session, txn.transaction_id)
        ins = uow.session.get(PaymentInstruction, line.idempotency_key)
        if ledger_amount != line.amount_pence or ins is None or ins.provider_payment_id != line.provider_payment_id:
            found += _raise(uow, "amount_mismatch", line.line_id, clock, line=line, txn=txn,
                            ledger_amount=ledger_amount,
                            detail=f"the bank reports {line.amount_pence}p for payment {line.provider_payment_id};"
                                   f" the ledger posted {ledger_amount}p")  # fmt: skip
            continue
        line.transaction_id, line.matched_at = txn.transaction_id, now()
        uow.session.flush()
    return found


def _unmatched_postings(uow: UnitOfWork, cutoff: datetime, clock: Clock) -> int:
    matched = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    reversed_ids = select(LedgerTransactionRow.reverses).where(LedgerTransactionRow.reverses.is_not(None))
    txns = uow.session.scalars(
        select(LedgerTransactionRow).where(
            LedgerTransactionRow.kind.in_((str(K.SETTLE), str(K.RETURN))), LedgerTransactionRow.effective_at < cutoff,
            LedgerTransactionRow.transaction_id.not_in(matched),
            LedgerTransactionRow.transaction_id.not_in(reversed_ids))
        .order_by(LedgerTransactionRow.seq)
    ).all()  # fmt: skip
    found = 0
    for txn in txns:
        amount = _amount(uow.session, txn.transaction_id)
        what = "settlement" if txn.kind == K.SETTLE else "return"
        found += _raise(uow, f"unmatched_{what}", txn.transaction_id, clock, txn=txn, ledger_amount=amount,
                        detail=f"the ledger posted a {what} of {amount}p for instruction {txn.instruction_id} "
                               f"that the bank's settlement report does not show")  # fmt: skip
    return found


def _raise(uow: UnitOfWork, kind: str, subject: str, clock: Clock, *, detail: str, line: SettlementLine | None = None,
           txn: LedgerTransactionRow | None = None, ledger_amount: int | None = None) -> int:  # fmt: skip
    """Record and announce a difference once (its id is stable per kind and subject); 1 when new."""
    difference_id = stable_id("reconciliation", kind, subject)
    if uow.session.get(ReconciliationDifference, difference_id) is not None:
        return 0
    ins = uow.session.get(PaymentInstruction, line.idempotency_key if line else (txn and txn.instruction_id) or "")
    row = ReconciliationDifference(
        difference_id=difference_id, kind=kind, subject=subject, detail=detail, found_at=clock(),
        provider_payment_id=line.provider_payment_id if line else (ins.provider_payment_id if ins else None),
        instruction_id=(line.idempotency_key if line else txn.instruction_id if txn else None),
        grant_id=ins.grant_id if ins else None, tranche_id=ins.tranche_id if ins else None,
        bank_amount_pence=line.amount_pence if line else None, ledger_amount_pence=ledger_amount,
    )  # fmt: skip
    uow.session.add(row)
    uow.emit(ReconciliationDifferenceFound(
        difference_id=difference_id, kind=kind, provider_payment_id=row.provider_payment_id,
        instruction_id=row.instruction_id, grant_id=row.grant_id, tranche_id=row.tranche_id,
        bank_amount_pence=row.bank_amount_pence, ledger_amount_pence=row.ledger_amount_pence, detail=detail,
        found_at=row.found_at,
    ), subject=row.grant_id or "reconciliation")  # fmt: skip
    return 1


def _resolve(session: Session, at: datetime) -> None:
    """An open difference whose line or posting has since been matched is resolved."""
    matched_lines = select(SettlementLine.line_id).where(SettlementLine.transaction_id.is_not(None))
    matched_txns = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    session.execute(
        update(ReconciliationDifference)
        .where(ReconciliationDifference.resolved_at.is_(None),
               ReconciliationDifference.subject.in_(matched_lines) | ReconciliationDifference.subject.in_(matched_txns))
        .values(resolved_at=at).execution_options(synchronize_session=False)
    )  # fmt: skip
