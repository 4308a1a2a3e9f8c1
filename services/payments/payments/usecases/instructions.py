"""Payment instructions: created (the id stored in the releasing transaction, before any bank call), moved once
whichever process tries (guarded by the instruction lifecycle), and created again for a failed tranche."""

import hashlib
import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import Clock, now, system_clock
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from payments.adapters.lifecycle import move_instruction, move_tranche
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import Payee
from payments.domain.instruction_state import LIFECYCLE, InstructionEvent, InstructionStateError
from payments.domain.statuses import CREATED
from payments.domain.tranche_state import TrancheEvent

PROVIDER = "sandbox_bank"
ACTOR = "payments-worker"


def payee_for(grant_id: str, partnership_id: str, sort_code: str) -> Payee:
    """The account a grant is paid into: sandbox details, fixed per grant until bank details are captured."""
    digits = int(hashlib.sha256(grant_id.encode()).hexdigest(), 16) % 10**8
    return Payee(name=f"Partnership {partnership_id}"[:140], sort_code=sort_code, account_number=f"{digits:08d}")


def bank_reference(grant_id: str, number: int) -> str:
    """The reference the payee sees (at most 18 printable characters): CWF-<grant>-<tranche number>."""
    short = re.sub(r"[^A-Za-z0-9]", "", grant_id)[:8].upper() or "GRANT"
    return f"CWF-{short}-{number:02d}"


def create_instruction(
    session: Session, grant: Grant, tranche: Tranche, status: str, at: datetime | None = None
) -> PaymentInstruction:
    """Add the next instruction for a tranche (a retry gets a NEW id); the DB refuses a second live one."""
    if status not in LIFECYCLE.initial:
        raise InstructionStateError(f"an instruction starts {' or '.join(sorted(LIFECYCLE.initial))}, not {status}")
    attempts = session.execute(
        select(func.coalesce(func.max(PaymentInstruction.attempt), 0)).where(
            PaymentInstruction.tranche_id == tranche.tranche_id
        )
    ).scalar_one()
    instruction = PaymentInstruction(
        instruction_id=new_id(),
        tranche_id=tranche.tranche_id,
        grant_id=grant.grant_id,
        attempt=int(attempts) + 1,
        amount_pence=tranche.amount_pence,
        status=status,
        provider=PROVIDER,
        reference=bank_reference(grant.grant_id, tranche.number),
        created_at=at or now(),
    )
    session.add(instruction)
    session.flush()
    return instruction


def attempts_of(session: Session, tranche_id: str) -> int:
    """How many instructions a tranche has had."""
    return int(
        session.execute(
            select(func.count()).select_from(PaymentInstruction).where(PaymentInstruction.tranche_id == tranche_id)
        ).scalar_one()
    )


def retry(uow: UnitOfWork, tranche: Tranche, clock: Clock = system_clock) -> PaymentInstruction:
    """Pay a failed tranche again with a NEW instruction id (the failed one moved no money)."""
    grant = uow.session.get(Grant, tranche.grant_id)
    assert grant is not None
    move_tranche(tranche, TrancheEvent.RETRY)
    tranche.updated_at = clock()
    return create_instruction(uow.session, grant, tranche, CREATED, tranche.updated_at)


def advance(
    uow: UnitOfWork, instruction_id: str, event: InstructionEvent, **values: object
) -> PaymentInstruction | None:
    """Move an instruction by `event` (a guarded UPDATE): only one process ever makes a given move; None if not this."""
    grant_id = uow.session.scalar(
        select(PaymentInstruction.grant_id).where(PaymentInstruction.instruction_id == instruction_id)
    )
    if grant_id is None:
        return None
    # Every writer locks the grant first, then its tranches and instructions: one lock order, no deadlock.
    uow.session.get(Grant, grant_id, with_for_update=True)
    if not move_instruction(uow.session, instruction_id, event, **values):
        return None
    instruction = uow.session.get(PaymentInstruction, instruction_id, populate_existing=True)
    before, after = "/".join(LIFECYCLE.sources(event)), LIFECYCLE.target(event)
    uow.audit(
        actor=ACTOR,
        action=f"instruction.{after}",
        entity_type="payment_instruction",
        entity_id=instruction_id,
        before={"status": before},
        after={"status": after},
    )
    return instruction


def advance_tranche(uow: UnitOfWork, instruction: PaymentInstruction, event: TrancheEvent, clock: Clock) -> Tranche:
    """Move the instruction's tranche (locked) by `event`."""
    tranche = uow.session.get(Tranche, instruction.tranche_id, with_for_update=True)
    assert tranche is not None, "an instruction always belongs to a tranche"
    move_tranche(tranche, event)
    tranche.updated_at = clock()
    return tranche
