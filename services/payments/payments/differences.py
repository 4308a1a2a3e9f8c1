"""Differences between the bank and the ledger: recorded once and announced, whoever finds them.

Reconciliation finds them in the bank's settlement report; dispatch finds one when the bank accepts an instruction
for another amount than was asked. Either way it is the same row and the same event, raised once per kind and subject.
"""

from datetime import datetime

from grants_shared.events import ReconciliationDifferenceFound
from grants_shared.ids import stable_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import PaymentInstruction
from payments.adapters.orm_reconciliation import ReconciliationDifference

INSTRUCTED_AMOUNT_MISMATCH = "instructed_amount_mismatch"


def difference_id_of(kind: str, subject: str) -> str:
    """The stable id of the difference of `kind` about `subject` (so it is raised once)."""
    return stable_id("reconciliation", kind, subject)


def raise_difference(
    uow: UnitOfWork, kind: str, subject: str, found_at: datetime, *, detail: str, instruction_id: str | None = None,
    provider_payment_id: str | None = None, bank_amount_pence: int | None = None,
    ledger_amount_pence: int | None = None,
) -> int:  # fmt: skip
    """Record and announce a difference once (its id is stable per kind and subject); 1 when new, else 0.

    The grant and tranche come from the instruction when there is one; so does the provider's payment id when it is
    not given.
    """
    difference_id = difference_id_of(kind, subject)
    if uow.session.get(ReconciliationDifference, difference_id) is not None:
        return 0
    ins = uow.session.get(PaymentInstruction, instruction_id) if instruction_id else None
    row = ReconciliationDifference(
        difference_id=difference_id, kind=kind, subject=subject, detail=detail, found_at=found_at,
        provider_payment_id=provider_payment_id or (ins.provider_payment_id if ins else None),
        instruction_id=instruction_id, grant_id=ins.grant_id if ins else None,
        tranche_id=ins.tranche_id if ins else None, bank_amount_pence=bank_amount_pence,
        ledger_amount_pence=ledger_amount_pence,
    )  # fmt: skip
    uow.session.add(row)
    uow.emit(ReconciliationDifferenceFound(
        difference_id=difference_id, kind=kind, provider_payment_id=row.provider_payment_id,
        instruction_id=row.instruction_id, grant_id=row.grant_id, tranche_id=row.tranche_id,
        bank_amount_pence=row.bank_amount_pence, ledger_amount_pence=row.ledger_amount_pence, detail=detail,
        found_at=row.found_at,
    ), subject=row.grant_id or "reconciliation")  # fmt: skip
    return 1
