"""Guarded moves of a payment instruction: each move happens once, whichever process tries it."""

from sqlalchemy import select, update

from grants_shared.clock import Clock
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, PaymentInstruction, Tranche

ACTOR = "payments-worker"


def move(uow: UnitOfWork, instruction_id: str, expected: str, **values: object) -> PaymentInstruction | None:
    """UPDATE ... WHERE status = expected: only one process ever makes a given move."""
    grant_id = uow.session.scalar(
        select(PaymentInstruction.grant_id).where(PaymentInstruction.instruction_id == instruction_id)
    )
    if grant_id is None:
        return None
    # Every writer locks the grant first, then its tranches and instructions: one lock order, no deadlock.
    uow.session.get(Grant, grant_id, with_for_update=True)
    moved = uow.session.execute(
        update(PaymentInstruction)
        .where(PaymentInstruction.instruction_id == instruction_id, PaymentInstruction.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return None
    instruction = uow.session.get(PaymentInstruction, instruction_id, populate_existing=True)
    uow.audit(actor=ACTOR, action=f"instruction.{values['status']}", entity_type="payment_instruction",
              entity_id=instruction_id, before={"status": expected}, after={"status": values["status"]})  # fmt: skip
    return instruction


def set_tranche(uow: UnitOfWork, instruction: PaymentInstruction, status: str, clock: Clock) -> Tranche:
    """Put the instruction's tranche (locked) in `status`."""
    tranche = uow.session.get(Tranche, instruction.tranche_id, with_for_update=True)
    assert tranche is not None, "an instruction always belongs to a tranche"
    tranche.status, tranche.updated_at = status, clock()
    return tranche
