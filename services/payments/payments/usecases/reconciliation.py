"""Reconciliation: the provider's settlement report matched one to one against the ledger's settlements and returns.

Each report line is stored once, then matched to the ledger transaction of the same kind for the same instruction
(the idempotency key) and amount; a transaction matches one line at most (a unique column). What is still
unmatched once older than the grace period, on either side, is a difference: raised once as an event, and shown.
A difference whose line or posting is matched later is resolved, and that too is announced once; so is an unmatched
posting whose bank line arrives late and disagrees, once that line's amount_mismatch is raised (it then stands for
both sides). A finance approver may resolve by hand one no match will: `differences.resolve_by_hand`.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import Clock, now, system_clock
from grants_shared.clock import as_utc as utc
from grants_shared.delivery.writer import Database
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import LedgerPosting, LedgerTransactionRow, PaymentInstruction
from payments.adapters.orm_reconciliation import ReconciliationDifference, SettlementLine
from payments.adapters.provider import PaymentProvider, SettlementReport
from payments.adapters.records import RECONCILIATION_CURSOR
from payments.domain.ledger import TransactionKind
from payments.usecases.cursors import DEFAULT_SKEW_S, clamp_cursor, keep_cursor, read_cursor
from payments.usecases.differences import (
    BY_RECONCILIATION,
    RETURN_MISMATCH,
    difference_id_of,
    raise_difference,
    resolve_difference,
)

K = TransactionKind
KIND_OF_LINE = {"settled": K.SETTLE, "returned": K.RETURN}
CURSOR = RECONCILIATION_CURSOR
# The kinds a later match settles (their subject is a report line or a ledger transaction); others stay open.
RESOLVED_BY_MATCH = ("unmatched_bank_line", "unmatched_settlement", "unmatched_return", "amount_mismatch")
UNMATCHED_POSTING = ("unmatched_settlement", "unmatched_return")


def reconcile_turn(
    db: Database,
    provider: PaymentProvider,
    *,
    grace_s: float,
    clock: Clock = system_clock,
    skew_s: float = DEFAULT_SKEW_S,
) -> int:
    """Read the report from the cursor, match what can be matched, raise new differences; returns how many.

    The report's cursor counts only up to our clock plus `skew_s` (cursors.py), for where the next read starts and
    for which lines and postings are past the grace period.
    """
    with db.reading() as session:
        since = read_cursor(session, CURSOR, clock, skew_s)
    report = provider.settlements(since)
    until = clamp_cursor(report.until, CURSOR, clock, skew_s)
    db.transact(lambda uow: _store(uow.session, report, until, provider.name))
    cutoff = until - timedelta(seconds=grace_s)

    def match(uow: UnitOfWork) -> int:
        found = _match_lines(uow, cutoff, clock) + _unmatched_postings(uow, cutoff, clock)
        _resolve(uow, clock())
        return found

    return db.transact(match)


def _store(session: Session, report: SettlementReport, until: datetime, provider: str) -> None:
    """Keep each line once and move the cursor, in one transaction (a crash re-reads, never skips)."""
    for line in report.lines:
        line_id = f"{line.payment_id}:{line.kind}"
        if session.get(SettlementLine, line_id) is None:
            session.add(
                SettlementLine(
                    line_id=line_id,
                    provider=provider,
                    provider_payment_id=line.payment_id,
                    idempotency_key=line.idempotency_key,
                    kind=line.kind,
                    amount_pence=line.amount_pence,
                    reference=line.reference[:18],
                    occurred_at=utc(line.occurred_at),
                    received_at=now(),
                )
            )
    keep_cursor(session, CURSOR, until)


def _amount(session: Session, transaction_id: str) -> int:
    return int(
        session.execute(
            select(func.sum(LedgerPosting.debit_pence)).where(LedgerPosting.transaction_id == transaction_id)
        ).scalar_one()
        or 0
    )


def _match_lines(uow: UnitOfWork, cutoff: datetime, clock: Clock) -> int:
    found = 0
    lines = uow.session.scalars(
        select(SettlementLine)
        .where(SettlementLine.transaction_id.is_(None))
        .order_by(SettlementLine.occurred_at, SettlementLine.line_id)
    ).all()
    taken = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    for line in lines:
        txn = uow.session.scalars(
            select(LedgerTransactionRow).where(
                LedgerTransactionRow.kind == str(KIND_OF_LINE.get(line.kind, "")),
                LedgerTransactionRow.instruction_id == line.idempotency_key,
                LedgerTransactionRow.transaction_id.not_in(taken),
            )
        ).first()
        if txn is None:
            if uow.session.get(ReconciliationDifference, difference_id_of(RETURN_MISMATCH, line.line_id)):
                continue  # the returns loop refused it already: its return_mismatch says what is wrong
            if utc(line.occurred_at) < cutoff:
                detail = (
                    f"the bank reports a {line.kind} payment {line.provider_payment_id} of {line.amount_pence}p"
                    " that the ledger has not posted"
                )
                found += raise_difference(
                    uow, "unmatched_bank_line", line.line_id, clock(), **_bank_side(line), detail=detail
                )
            continue
        ledger_amount = _amount(uow.session, txn.transaction_id)
        ins = uow.session.get(PaymentInstruction, line.idempotency_key)
        if ledger_amount != line.amount_pence or ins is None or ins.provider_payment_id != line.provider_payment_id:
            ours = ins.provider_payment_id if ins is not None else None
            detail = (
                f"the bank reports {line.amount_pence}p for payment {line.provider_payment_id};"
                f" the ledger posted {ledger_amount}p"
                + ("" if ours == line.provider_payment_id else f" for payment {ours}")
            )
            found += raise_difference(
                uow,
                "amount_mismatch",
                line.line_id,
                clock(),
                **_bank_side(line),
                ledger_amount_pence=ledger_amount,
                detail=detail,
            )
            continue
        line.transaction_id, line.matched_at = txn.transaction_id, now()
        uow.session.flush()
    return found


def _unmatched_postings(uow: UnitOfWork, cutoff: datetime, clock: Clock) -> int:
    matched = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    reversed_ids = select(LedgerTransactionRow.reverses).where(LedgerTransactionRow.reverses.is_not(None))
    txns = uow.session.scalars(
        select(LedgerTransactionRow)
        .where(
            LedgerTransactionRow.kind.in_((str(K.SETTLE), str(K.RETURN))),
            LedgerTransactionRow.effective_at < cutoff,
            LedgerTransactionRow.transaction_id.not_in(matched),
            LedgerTransactionRow.transaction_id.not_in(reversed_ids),
        )
        .order_by(LedgerTransactionRow.seq)
    ).all()
    found = 0
    for txn in txns:
        if _disagreeing_line(uow.session, txn) is not None:
            continue  # the bank's line for it is in, with another amount: its amount_mismatch covers both sides
        amount = _amount(uow.session, txn.transaction_id)
        what = "settlement" if txn.kind == K.SETTLE else "return"
        detail = (
            f"the ledger posted a {what} of {amount}p for instruction {txn.instruction_id}"
            " that the bank's settlement report does not show"
        )
        found += raise_difference(
            uow,
            f"unmatched_{what}",
            txn.transaction_id,
            clock(),
            instruction_id=txn.instruction_id,
            ledger_amount_pence=amount,
            detail=detail,
        )
    return found


def _disagreeing_line(session: Session, txn: LedgerTransactionRow) -> str | None:
    """The bank's line for this instruction's settlement (or return) when it is in and did not match the posting."""
    line_kind = next(kind for kind, txn_kind in KIND_OF_LINE.items() if str(txn_kind) == txn.kind)
    return session.scalar(
        select(SettlementLine.line_id)
        .where(
            SettlementLine.idempotency_key == txn.instruction_id,
            SettlementLine.kind == line_kind,
            SettlementLine.transaction_id.is_(None),
        )
        .order_by(SettlementLine.line_id)
        .limit(1)
    )


def _bank_side(line: SettlementLine) -> dict[str, Any]:
    """What a report line says of a difference: its instruction (the key), the bank's payment id and amount."""
    return {
        "instruction_id": line.idempotency_key,
        "provider_payment_id": line.provider_payment_id,
        "bank_amount_pence": line.amount_pence,
    }


def _resolve(uow: UnitOfWork, at: datetime) -> int:
    """Resolve, and announce once each, the open differences whose line or posting has since been matched.

    Each row goes through `resolve_difference` (a conditional UPDATE): of two reconcilers racing, or a reconciler and
    an approver resolving by hand, only the first announces it.
    """
    matched_lines = select(SettlementLine.line_id).where(SettlementLine.transaction_id.is_not(None))
    matched_txns = select(SettlementLine.transaction_id).where(SettlementLine.transaction_id.is_not(None))
    D = ReconciliationDifference
    candidates = uow.session.execute(
        select(D.difference_id, D.kind, D.grant_id)
        .where(
            D.resolved_at.is_(None),
            D.kind.in_(RESOLVED_BY_MATCH),
            D.subject.in_(matched_lines) | D.subject.in_(matched_txns),
        )
        .order_by(D.found_at, D.difference_id)
    ).all()
    return sum(
        resolve_difference(uow, difference_id, kind, grant_id, at, by=BY_RECONCILIATION)
        for difference_id, kind, grant_id in [*candidates, *_reported_since(uow.session)]
    )


def _reported_since(session: Session) -> list[tuple[str, str, str | None]]:
    """Open unmatched postings the bank has reported since, with another amount, and whose amount_mismatch is raised.

    "The bank's report does not show it" is no longer true; the line's amount_mismatch, which stays open, says what is.
    """
    D = ReconciliationDifference
    found = []
    open_postings = session.execute(
        select(D.difference_id, D.kind, D.grant_id, D.subject)
        .where(D.resolved_at.is_(None), D.kind.in_(UNMATCHED_POSTING))
        .order_by(D.found_at, D.difference_id)
    ).all()
    for difference_id, kind, grant_id, subject in open_postings:
        txn = session.scalar(select(LedgerTransactionRow).where(LedgerTransactionRow.transaction_id == subject))
        line_id = _disagreeing_line(session, txn) if txn is not None else None
        if line_id is not None and session.get(D, difference_id_of("amount_mismatch", line_id)) is not None:
            found.append((difference_id, kind, grant_id))
    return found
