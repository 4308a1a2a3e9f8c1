"""Differences between the bank and the ledger: recorded once and announced, whoever finds them; resolved once.

Reconciliation finds them in the bank's settlement report; dispatch finds one when the bank accepts an instruction
for another amount than was asked; dispatch and polling find one when the bank answers about another payment or
instruction; the returns loop finds one when a returned line disagrees with the payment we made. Whichever finds it,
it is the same row and the same event, raised once per kind and subject.
A difference is resolved by a later match (reconciliation) or by a finance approver by hand, with a note; either way
by the same conditional update, so it is announced once whoever gets there first.
"""

from datetime import datetime

from sqlalchemy import update

from grants_shared.auth import Principal
from grants_shared.clock import Clock, as_utc
from grants_shared.events import ReconciliationDifferenceFound, ReconciliationDifferenceResolved
from grants_shared.ids import stable_id
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import PaymentInstruction
from payments.adapters.orm_reconciliation import ReconciliationDifference
from payments.adapters.records import difference_record
from payments.usecases.errors import DifferenceAlreadyResolved, DifferenceNotFound

INSTRUCTED_AMOUNT_MISMATCH = "instructed_amount_mismatch"
ANSWER_MISMATCH = "answer_mismatch"  # the bank answered about another payment or instruction than asked
RETURN_MISMATCH = "return_mismatch"  # a return disagreeing with our payment on its id, instruction or amount
BY_RECONCILIATION = "reconciliation"  # who resolved a difference when a later match did


def difference_id_of(kind: str, subject: str) -> str:
    """The stable id of the difference of `kind` about `subject` (so it is raised once)."""
    return stable_id("reconciliation", kind, subject)


def disagreements(
    *,
    instruction_id: str,
    payment_id: str | None,
    amount_pence: int | None,
    bank_key: str,
    bank_payment_id: str,
    bank_amount_pence: int,
) -> list[str]:
    """What the bank says that our instruction does not: its instruction (key), payment id and amount.

    A side we do not know yet (None) is not compared.
    """
    found = []
    if bank_key != instruction_id:
        found.append(f"instruction {bank_key!r}, not {instruction_id!r}")
    if payment_id is not None and bank_payment_id != payment_id:
        found.append(f"payment {bank_payment_id!r}, not {payment_id!r}")
    if amount_pence is not None and bank_amount_pence != amount_pence:
        found.append(f"{bank_amount_pence}p, not {amount_pence}p")
    return found


def raise_difference(
    uow: UnitOfWork,
    kind: str,
    subject: str,
    found_at: datetime,
    *,
    detail: str,
    instruction_id: str | None = None,
    provider_payment_id: str | None = None,
    bank_amount_pence: int | None = None,
    ledger_amount_pence: int | None = None,
) -> int:
    """Record and announce a difference once (its id is stable per kind and subject); 1 when new, else 0.

    The grant and tranche come from the instruction when there is one; so does the provider's payment id when it is
    not given.
    """
    difference_id = difference_id_of(kind, subject)
    if uow.session.get(ReconciliationDifference, difference_id) is not None:
        return 0
    ins = uow.session.get(PaymentInstruction, instruction_id) if instruction_id else None
    row = ReconciliationDifference(
        difference_id=difference_id,
        kind=kind,
        subject=subject,
        detail=detail,
        found_at=found_at,
        provider_payment_id=provider_payment_id or (ins.provider_payment_id if ins else None),
        instruction_id=instruction_id,
        grant_id=ins.grant_id if ins else None,
        tranche_id=ins.tranche_id if ins else None,
        bank_amount_pence=bank_amount_pence,
        ledger_amount_pence=ledger_amount_pence,
    )
    uow.session.add(row)
    uow.emit(
        ReconciliationDifferenceFound(
            difference_id=difference_id,
            kind=kind,
            provider_payment_id=row.provider_payment_id,
            instruction_id=row.instruction_id,
            grant_id=row.grant_id,
            tranche_id=row.tranche_id,
            bank_amount_pence=row.bank_amount_pence,
            ledger_amount_pence=row.ledger_amount_pence,
            detail=detail,
            found_at=row.found_at,
        ),
        subject=row.grant_id or "reconciliation",
    )
    return 1


def resolve_difference(
    uow: UnitOfWork,
    difference_id: str,
    kind: str,
    grant_id: str | None,
    at: datetime,
    *,
    by: str,
    note: str | None = None,
) -> bool:
    """Resolve an open difference and announce it, exactly once; False when it was already resolved.

    One conditional UPDATE (still open) per row: of two resolvers racing (PostgreSQL), the second waits on the first's
    row lock, then finds the row resolved (rowcount 0) and announces nothing. The session's copy of the row is not
    refreshed (read it again to see the change).
    """
    D = ReconciliationDifference
    done = uow.session.execute(
        update(D)
        .where(D.difference_id == difference_id, D.resolved_at.is_(None))
        .values(resolved_at=at, resolved_by=by, resolution_note=note)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    uow.emit(
        ReconciliationDifferenceResolved(
            difference_id=difference_id, kind=kind, grant_id=grant_id, resolved_at=at, resolved_by=by, note=note
        ),
        subject=grant_id or "reconciliation",
    )
    return True


def _already_resolved(row: ReconciliationDifference) -> DifferenceAlreadyResolved:
    resolved_at = as_utc(row.resolved_at).isoformat() if row.resolved_at else None
    by = row.resolved_by or BY_RECONCILIATION
    return DifferenceAlreadyResolved(
        f"Difference {row.difference_id} was resolved at {resolved_at} by {by}.",
        resolved_at=resolved_at,
        resolved_by=by,
    )


def resolve_by_hand(
    uow: UnitOfWork, difference_id: str, approver: Principal, *, note: str, clock: Clock
) -> ReconciliationDifference:
    """A finance approver closes a difference no match will (a stray bank payment, an amount the bank changed).

    `DifferenceNotFound` when there is none, `DifferenceAlreadyResolved` when resolved (by a match or by hand);
    otherwise the row records who and why, the change is audited and the resolution announced, all in the caller's
    transaction.
    """
    row = uow.session.get(ReconciliationDifference, difference_id)
    if row is None:
        raise DifferenceNotFound(f"No reconciliation difference {difference_id!r}.")
    if row.resolved_at is not None:
        raise _already_resolved(row)
    before = difference_record(row)
    resolved = resolve_difference(
        uow, row.difference_id, row.kind, row.grant_id, clock(), by=approver.subject, note=note
    )
    uow.session.refresh(row)
    if not resolved:  # resolved meanwhile by a reconciler or another approver
        raise _already_resolved(row)
    after = difference_record(row)
    uow.audit(
        actor=approver.subject,
        action="difference.resolved",
        entity_type="reconciliation_difference",
        entity_id=difference_id,
        before=before,
        after=after,
    )
    return row
