"""Ledger records: a posting is one debit or credit line; a transaction is a balanced set of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LedgerError(ValueError):
    """A posting or transaction breaks the ledger's rules (unbalanced, non-positive, malformed)."""


class TransactionKind(StrEnum):
    """The business event a transaction records."""

    AWARD = "award_commitment"
    INSTRUCT = "instruct_payment"
    SETTLE = "settle_payment"
    FAIL = "fail_payment"
    RETURN = "return_payment"
    RELEASE = "release_commitment"
    REVERSAL = "reversal"


PAYMENT_KINDS = frozenset(
    {TransactionKind.INSTRUCT, TransactionKind.SETTLE, TransactionKind.FAIL, TransactionKind.RETURN}
)


def require_id(value: object, name: str) -> None:
    """Raise `LedgerError` unless `value` is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(f"{name} must be a non-empty string, got {value!r}")


def _is_pence(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@dataclass(frozen=True)
class Posting:
    """One line of a transaction: exactly one of debit or credit is a positive number of pence."""

    account: str
    debit_pence: int
    credit_pence: int

    def __post_init__(self) -> None:
        require_id(self.account, "account")
        if not (_is_pence(self.debit_pence) and _is_pence(self.credit_pence)):
            raise LedgerError(
                f"posting amounts must be non-negative integer pence: {self.debit_pence!r}/{self.credit_pence!r}"
            )
        if (self.debit_pence > 0) == (self.credit_pence > 0):
            raise LedgerError(f"a posting to {self.account} must be a debit or a credit, not both or neither")


@dataclass(frozen=True)
class LedgerTransaction:
    """A balanced set of postings recording one business event; immutable once built.

    Payment kinds carry the tranche and the payment instruction id (the pending transfer they open or
    resolve); a reversal carries the id of the transaction it mirrors in `reverses`.
    """

    transaction_id: str
    kind: TransactionKind
    grant_id: str
    tranche_id: str | None
    postings: tuple[Posting, ...]
    effective_at: datetime
    instruction_id: str | None = None
    reverses: str | None = None

    def __post_init__(self) -> None:
        require_id(self.transaction_id, "transaction_id")
        require_id(self.grant_id, "grant_id")
        if ":" in self.grant_id:
            raise LedgerError(f"grant_id must not contain ':', got {self.grant_id!r}")
        object.__setattr__(self, "postings", tuple(self.postings))
        if not all(isinstance(p, Posting) for p in self.postings) or len(self.postings) < 2:
            raise LedgerError(f"transaction {self.transaction_id} needs at least two Posting lines")
        if not isinstance(self.effective_at, datetime) or self.effective_at.utcoffset() is None:
            raise LedgerError(f"effective_at must be a timezone-aware datetime, got {self.effective_at!r}")
        if self.debit_total != self.credit_total:
            raise LedgerError(
                f"unbalanced transaction {self.transaction_id}: debits {self.debit_total}p"
                f" != credits {self.credit_total}p"
            )
        if (self.kind is TransactionKind.REVERSAL) != (self.reverses is not None):
            raise LedgerError("`reverses` is set on reversals and only on reversals")
        if self.kind in PAYMENT_KINDS:
            require_id(self.tranche_id, "tranche_id")
            require_id(self.instruction_id, "instruction_id")

    @property
    def debit_total(self) -> int:
        """Sum of the debit side in pence."""
        return sum(p.debit_pence for p in self.postings)

    @property
    def credit_total(self) -> int:
        """Sum of the credit side in pence."""
        return sum(p.credit_pence for p in self.postings)

    @property
    def amount_pence(self) -> int:
        """The amount moved (the debit total, equal to the credit total)."""
        return self.debit_total
