"""The payments double-entry ledger: one pure builder per business event, each a balanced transaction.

Account names and the sign convention are in `accounts.py`, the record types in `transactions.py`; both are
re-exported here. Every builder moves one positive amount: Dr one account, Cr another.
"""

from __future__ import annotations

from datetime import datetime

from payments.domain.accounts import (
    CASH_PAID,
    FUND_AWARDED,
    PAYMENTS_IN_FLIGHT,
    RETURNED,
    RETURNS_RECEIVABLE,
    grant_commitment,
    is_grant_commitment,
)
from payments.domain.transactions import LedgerError, LedgerTransaction, Posting, TransactionKind

__all__ = [
    "CASH_PAID",
    "FUND_AWARDED",
    "PAYMENTS_IN_FLIGHT",
    "RETURNED",
    "RETURNS_RECEIVABLE",
    "LedgerError",
    "LedgerTransaction",
    "Posting",
    "TransactionKind",
    "award_commitment",
    "fail_payment",
    "grant_commitment",
    "instruct_payment",
    "is_grant_commitment",
    "release_commitment",
    "return_payment",
    "reversal",
    "settle_payment",
]

Kind = TransactionKind


def _move(debit: str, credit: str, amount: int) -> tuple[Posting, Posting]:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise LedgerError(f"amount must be a positive integer number of pence, got {amount!r}")
    return Posting(debit, amount, 0), Posting(credit, 0, amount)


def _commitment(grant_id: str) -> str:
    try:
        return grant_commitment(grant_id)
    except ValueError as exc:
        raise LedgerError(str(exc)) from exc


def award_commitment(grant_id: str, amount: int, *, transaction_id: str, effective_at: datetime) -> LedgerTransaction:
    """A grant is awarded: Dr fund_awarded, Cr the grant's commitment."""
    postings = _move(FUND_AWARDED, _commitment(grant_id), amount)
    return LedgerTransaction(transaction_id, Kind.AWARD, grant_id, None, postings, effective_at)


def release_commitment(grant_id: str, amount: int, *, transaction_id: str, effective_at: datetime) -> LedgerTransaction:
    """Early closure or variation down, the unspent commitment goes back: Dr commitment, Cr fund_awarded."""
    postings = _move(_commitment(grant_id), FUND_AWARDED, amount)
    return LedgerTransaction(transaction_id, Kind.RELEASE, grant_id, None, postings, effective_at)


def instruct_payment(
    grant_id: str,
    tranche_id: str,
    amount: int,
    *,
    instruction_id: str,
    transaction_id: str,
    effective_at: datetime,
) -> LedgerTransaction:
    """A tranche is instructed to the bank, opening the pending transfer: Dr commitment, Cr in flight."""
    postings = _move(_commitment(grant_id), PAYMENTS_IN_FLIGHT, amount)
    return LedgerTransaction(
        transaction_id, Kind.INSTRUCT, grant_id, tranche_id, postings, effective_at, instruction_id
    )


def settle_payment(
    grant_id: str,
    tranche_id: str,
    amount: int,
    *,
    instruction_id: str,
    transaction_id: str,
    effective_at: datetime,
) -> LedgerTransaction:
    """The bank settles the pending transfer (money has left the fund): Dr in flight, Cr cash paid."""
    postings = _move(PAYMENTS_IN_FLIGHT, CASH_PAID, amount)
    return LedgerTransaction(transaction_id, Kind.SETTLE, grant_id, tranche_id, postings, effective_at, instruction_id)


def fail_payment(
    grant_id: str,
    tranche_id: str,
    amount: int,
    *,
    instruction_id: str,
    transaction_id: str,
    effective_at: datetime,
) -> LedgerTransaction:
    """The pending transfer fails and the grant is owed the money again: Dr in flight, Cr commitment."""
    postings = _move(PAYMENTS_IN_FLIGHT, _commitment(grant_id), amount)
    return LedgerTransaction(transaction_id, Kind.FAIL, grant_id, tranche_id, postings, effective_at, instruction_id)


def return_payment(
    grant_id: str,
    tranche_id: str,
    amount: int,
    *,
    instruction_id: str,
    transaction_id: str,
    effective_at: datetime,
) -> LedgerTransaction:
    """A settled payment comes back into the fund's account: Dr cash returned, Cr commitment.

    Choice: the commitment is RESTORED, not released. A returned payment never reached the grantee, so the
    grant is still owed it: a variation (reprofile) pays it again, or `release_commitment` gives it up.
    """
    postings = _move(RETURNED, _commitment(grant_id), amount)
    return LedgerTransaction(transaction_id, Kind.RETURN, grant_id, tranche_id, postings, effective_at, instruction_id)


def reversal(txn: LedgerTransaction, *, transaction_id: str, effective_at: datetime) -> LedgerTransaction:
    """The exact mirror of `txn` (each debit becomes a credit and back) for corrections; not of a reversal."""
    if txn.kind is Kind.REVERSAL:
        raise LedgerError(f"{txn.transaction_id} is a reversal: post the original event again instead")
    if transaction_id == txn.transaction_id:
        raise LedgerError("a reversal needs its own transaction_id")
    if effective_at < txn.effective_at:
        raise LedgerError(f"a reversal cannot take effect before {txn.transaction_id} ({txn.effective_at})")
    mirrored = tuple(Posting(p.account, p.credit_pence, p.debit_pence) for p in txn.postings)
    return LedgerTransaction(
        transaction_id,
        Kind.REVERSAL,
        txn.grant_id,
        txn.tranche_id,
        mirrored,
        effective_at,
        txn.instruction_id,
        reverses=txn.transaction_id,
    )
