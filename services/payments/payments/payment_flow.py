"""What the provider's answers do: guarded status updates, their ledger postings and events, once each."""

from datetime import datetime

from sqlalchemy import func, select, update

from grants_shared.events import GrantCompleted, PaymentFailed, PaymentInstructed, PaymentReturned, PaymentSettled
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import ProviderPayment
from payments.domain.ledger import TransactionKind, fail_payment, instruct_payment, return_payment, settle_payment
from payments.instructions import attempts_of, create_instruction
from payments.statuses import CREATED, FAILED, GRANT_COMPLETED, INSTRUCTED, RETURNED, SETTLED
from payments.times import now, utc

K = TransactionKind
ACTOR = "payments-worker"


def _move(uow: UnitOfWork, instruction_id: str, expected: str, **values: object) -> PaymentInstruction | None:
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
    if moved.rowcount != 1:
        return None
    instruction = uow.session.get(PaymentInstruction, instruction_id, populate_existing=True)
    uow.audit(actor=ACTOR, action=f"instruction.{values['status']}", entity_type="payment_instruction",
              entity_id=instruction_id, before={"status": expected}, after={"status": values["status"]})  # fmt: skip
    return instruction


def _tranche(uow: UnitOfWork, instruction: PaymentInstruction, status: str) -> Tranche:
    tranche = uow.session.get(Tranche, instruction.tranche_id, with_for_update=True)
    assert tranche is not None, "an instruction always belongs to a tranche"
    tranche.status, tranche.updated_at = status, now()
    return tranche


def record_instructed(uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, provider: str) -> bool:
    """The provider accepted the instruction: open the pending transfer in the ledger, once."""
    at = utc(payment.created_at)
    ins = _move(uow, instruction_id, CREATED, status=INSTRUCTED, provider_payment_id=payment.payment_id,
                instructed_at=now())  # fmt: skip
    if ins is None:
        return False
    _tranche(uow, ins, INSTRUCTED)
    post_once(uow.session, posting_key(K.INSTRUCT, ins.instruction_id), lambda tid: instruct_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentInstructed(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                               provider=provider, provider_payment_id=payment.payment_id,
                               amount_pence=ins.amount_pence, instructed_at=at), subject=ins.grant_id)  # fmt: skip
    return True


def record_rejected(uow: UnitOfWork, instruction_id: str, reason: str, max_attempts: int) -> bool:
    """The provider refused the instruction outright: nothing was opened, so nothing is posted."""
    ins = _move(uow, instruction_id, CREATED, status=FAILED, failure_reason=reason[:2000], failed_at=now())
    if ins is None:
        return False
    _failed(uow, ins, reason, max_attempts)
    return True


def apply_outcome(uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, max_attempts: int) -> None:
    """Bring an instructed or settled instruction up to the provider's status (settled, failed, returned)."""
    if payment.status in (SETTLED, RETURNED):
        settle(uow, instruction_id, utc(payment.settled_at or payment.returned_at or now()))
    if payment.status == RETURNED:
        mark_returned(uow, instruction_id, utc(payment.returned_at or now()), payment.return_reason or "returned")
    if payment.status == FAILED:
        ins = _move(uow, instruction_id, INSTRUCTED, status=FAILED, failed_at=now(),
                    failure_reason=(payment.failure_reason or "failed by the provider")[:2000])  # fmt: skip
        if ins is not None:
            post_once(uow.session, posting_key(K.FAIL, ins.instruction_id), lambda tid: fail_payment(
                ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id,
                transaction_id=tid, effective_at=now()))  # fmt: skip
            _failed(uow, ins, ins.failure_reason or "failed", max_attempts)


def _failed(uow: UnitOfWork, ins: PaymentInstruction, reason: str, max_attempts: int) -> None:
    tranche = _tranche(uow, ins, FAILED)
    uow.emit(PaymentFailed(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                           amount_pence=ins.amount_pence, reason=reason[:2000], failed_at=now()),
             subject=ins.grant_id)  # fmt: skip
    if attempts_of(uow.session, tranche.tranche_id) < max_attempts:
        retry(uow, tranche)


def retry(uow: UnitOfWork, tranche: Tranche) -> PaymentInstruction:
    """Pay a failed tranche again with a NEW instruction id (the failed one moved no money)."""
    grant = uow.session.get(Grant, tranche.grant_id)
    assert grant is not None
    tranche.status, tranche.updated_at = "released", now()
    return create_instruction(uow.session, grant, tranche, CREATED)


def settle(uow: UnitOfWork, instruction_id: str, at: datetime) -> None:
    """The money left the fund: resolve the pending transfer once, and complete the grant when all is paid."""
    ins = _move(uow, instruction_id, INSTRUCTED, status=SETTLED, settled_at=at)
    if ins is None:
        return
    _tranche(uow, ins, SETTLED)
    post_once(uow.session, posting_key(K.SETTLE, ins.instruction_id), lambda tid: settle_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentSettled(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                            amount_pence=ins.amount_pence, settled_at=at), subject=ins.grant_id)  # fmt: skip
    complete_if_paid(uow, ins.grant_id)


def mark_returned(uow: UnitOfWork, instruction_id: str, at: datetime, reason: str) -> None:
    """A settled payment came back: the grant is owed it again (the commitment is restored)."""
    ins = _move(uow, instruction_id, SETTLED, status=RETURNED, returned_at=at, return_reason=reason[:2000])
    if ins is None:
        return
    _tranche(uow, ins, RETURNED)
    post_once(uow.session, posting_key(K.RETURN, ins.instruction_id), lambda tid: return_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentReturned(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                             amount_pence=ins.amount_pence, reason=reason[:2000], returned_at=at),
             subject=ins.grant_id)  # fmt: skip


def paid_pence(uow: UnitOfWork, grant_id: str) -> int:
    """What has left the fund for a grant and stayed out (settled, not returned)."""
    return int(uow.session.execute(
        select(func.coalesce(func.sum(PaymentInstruction.amount_pence), 0))
        .where(PaymentInstruction.grant_id == grant_id, PaymentInstruction.status == SETTLED)
    ).scalar_one())  # fmt: skip


def complete_if_paid(uow: UnitOfWork, grant_id: str) -> None:
    """Every tranche settled: the grant is completed (once)."""
    grant = uow.session.get(Grant, grant_id, with_for_update=True)
    unpaid = uow.session.execute(
        select(func.count()).select_from(Tranche).where(Tranche.grant_id == grant_id, Tranche.status != SETTLED)
    ).scalar_one()
    if grant is None or unpaid or grant.status == GRANT_COMPLETED:
        return
    grant.status, grant.completed_at = GRANT_COMPLETED, now()
    uow.emit(GrantCompleted(grant_id=grant_id, awarded_pence=grant.amount_pence, paid_pence=paid_pence(uow, grant_id),
                            completed_at=grant.completed_at), subject=grant_id)  # fmt: skip
    uow.audit(actor=ACTOR, action="grant.completed", entity_type="grant", entity_id=grant_id,
              before={"status": "active"}, after={"status": GRANT_COMPLETED})  # fmt: skip
