"""Creating payment instructions: the id is stored here, in the releasing transaction, before any bank call."""

import hashlib
import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import now
from grants_shared.ids import new_id
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import Payee

PROVIDER = "sandbox_bank"


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
    attempts = session.execute(
        select(func.coalesce(func.max(PaymentInstruction.attempt), 0)).where(
            PaymentInstruction.tranche_id == tranche.tranche_id
        )
    ).scalar_one()
    instruction = PaymentInstruction(
        instruction_id=new_id(), tranche_id=tranche.tranche_id, grant_id=grant.grant_id, attempt=int(attempts) + 1,
        amount_pence=tranche.amount_pence, status=status, provider=PROVIDER,
        reference=bank_reference(grant.grant_id, tranche.number), created_at=at or now(),
    )  # fmt: skip
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
