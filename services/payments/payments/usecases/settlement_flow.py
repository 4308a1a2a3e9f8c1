"""Money that left the fund and money that came back: settlements, returns and the grant's completion."""

from datetime import datetime

from sqlalchemy import func, select

from grants_shared.clock import Clock, system_clock
from grants_shared.events import GrantCompleted, PaymentReturned, PaymentSettled
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.domain.ledger import TransactionKind, release_commitment, return_payment, settle_payment
from payments.domain.statuses import (
    GRANT_ACTIVE,
    GRANT_CLOSED,
    GRANT_COMPLETED,
    INSTRUCTED,
    RETURNED,
    SETTLED,
    TRANCHE_CANCELLED,
)
from payments.usecases.instruction_moves import ACTOR, move, set_tranche

K = TransactionKind


def settle(uow: UnitOfWork, instruction_id: str, at: datetime, clock: Clock = system_clock) -> None:
    """The money left the fund: resolve the pending transfer once, and complete the grant when all is paid."""
    ins = move(uow, instruction_id, INSTRUCTED, status=SETTLED, settled_at=at)
    if ins is None:
        return
    set_tranche(uow, ins, SETTLED, clock)
    post_once(uow.session, posting_key(K.SETTLE, ins.instruction_id), lambda tid: settle_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentSettled(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                            amount_pence=ins.amount_pence, settled_at=at), subject=ins.grant_id)  # fmt: skip
    complete_if_paid(uow, ins.grant_id, clock)


def mark_returned(uow: UnitOfWork, instruction_id: str, at: datetime, reason: str, clock: Clock = system_clock) -> None:
    """A settled payment came back: the grant is owed it again (the commitment is restored; it can be re-paid)."""
    ins = move(uow, instruction_id, SETTLED, status=RETURNED, returned_at=at, return_reason=reason[:2000])
    if ins is None:
        return
    set_tranche(uow, ins, RETURNED, clock)
    post_once(uow.session, posting_key(K.RETURN, ins.instruction_id), lambda tid: return_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentReturned(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                             amount_pence=ins.amount_pence, reason=reason[:2000], returned_at=at),
             subject=ins.grant_id)  # fmt: skip
    grant = uow.session.get(Grant, ins.grant_id)
    if grant is not None and grant.status == GRANT_CLOSED:
        # A closed grant is paid no more: what came back goes back to the fund, and the tranche is done with.
        post_once(uow.session, posting_key(K.RELEASE, f"{ins.grant_id}:return:{ins.instruction_id}"), lambda tid:
                  release_commitment(ins.grant_id, ins.amount_pence, transaction_id=tid, effective_at=at))  # fmt: skip
        set_tranche(uow, ins, TRANCHE_CANCELLED, clock)


def paid_pence(uow: UnitOfWork, grant_id: str) -> int:
    """What has left the fund for a grant and stayed out (settled, not returned)."""
    return int(uow.session.execute(
        select(func.coalesce(func.sum(PaymentInstruction.amount_pence), 0))
        .where(PaymentInstruction.grant_id == grant_id, PaymentInstruction.status == SETTLED)
    ).scalar_one())  # fmt: skip


def complete_if_paid(uow: UnitOfWork, grant_id: str, clock: Clock = system_clock) -> None:
    """Every tranche of an active grant settled (none cancelled is owed): the grant is completed (once)."""
    grant = uow.session.get(Grant, grant_id, with_for_update=True)
    unpaid = uow.session.execute(
        select(func.count()).select_from(Tranche)
        .where(Tranche.grant_id == grant_id, Tranche.status.not_in((SETTLED, TRANCHE_CANCELLED)))
    ).scalar_one()  # fmt: skip
    if grant is None or unpaid or grant.status != GRANT_ACTIVE:
        return
    grant.status, grant.completed_at = GRANT_COMPLETED, clock()
    uow.emit(GrantCompleted(grant_id=grant_id, awarded_pence=grant.amount_pence, paid_pence=paid_pence(uow, grant_id),
                            completed_at=grant.completed_at), subject=grant_id)  # fmt: skip
    uow.audit(actor=ACTOR, action="grant.completed", entity_type="grant", entity_id=grant_id,
              before={"status": "active"}, after={"status": GRANT_COMPLETED})  # fmt: skip
