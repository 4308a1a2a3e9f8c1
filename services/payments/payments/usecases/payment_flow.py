"""What the provider's answers do: instructions accepted, refused, failed and retried; outcomes applied once."""

from grants_shared.clock import Clock, system_clock
from grants_shared.clock import as_utc as utc
from grants_shared.events import PaymentFailed, PaymentInstructed
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import ProviderPayment
from payments.domain.ledger import TransactionKind, fail_payment, instruct_payment
from payments.domain.statuses import CREATED, FAILED, INSTRUCTED, RETURNED, SETTLED
from payments.usecases.differences import INSTRUCTED_AMOUNT_MISMATCH, raise_difference
from payments.usecases.instruction_moves import move, set_tranche
from payments.usecases.instructions import attempts_of, create_instruction
from payments.usecases.settlement_flow import mark_returned, settle

K = TransactionKind


def record_instructed(
    uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, provider: str, clock: Clock = system_clock
) -> bool:
    """The provider accepted the instruction: open the pending transfer in the ledger, once.

    The ledger posts what was instructed whatever the provider says it took; if its amount differs, a
    reconciliation difference tells a person at once (the settlement will not match either).
    """
    at = utc(payment.created_at)
    ins = move(uow, instruction_id, CREATED, status=INSTRUCTED, provider_payment_id=payment.payment_id,
                instructed_at=clock())  # fmt: skip
    if ins is None:
        return False
    set_tranche(uow, ins, INSTRUCTED, clock)
    post_once(uow.session, posting_key(K.INSTRUCT, ins.instruction_id), lambda tid: instruct_payment(
        ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id, transaction_id=tid,
        effective_at=at))  # fmt: skip
    uow.emit(PaymentInstructed(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                               provider=provider, provider_payment_id=payment.payment_id,
                               amount_pence=ins.amount_pence, instructed_at=at), subject=ins.grant_id)  # fmt: skip
    if payment.amount_pence != ins.amount_pence:
        raise_difference(
            uow, INSTRUCTED_AMOUNT_MISMATCH, ins.instruction_id, clock(), instruction_id=ins.instruction_id,
            provider_payment_id=payment.payment_id, bank_amount_pence=payment.amount_pence,
            ledger_amount_pence=ins.amount_pence,
            detail=f"the bank accepted instruction {ins.instruction_id} as payment {payment.payment_id} of "
                   f"{payment.amount_pence}p, but {ins.amount_pence}p was instructed (and posted to the ledger)",
        )  # fmt: skip
    return True


def record_rejected(
    uow: UnitOfWork, instruction_id: str, reason: str, max_attempts: int, clock: Clock = system_clock
) -> bool:
    """The provider refused the instruction outright: nothing was opened, so nothing is posted."""
    ins = move(uow, instruction_id, CREATED, status=FAILED, failure_reason=reason[:2000], failed_at=clock())
    if ins is None:
        return False
    _failed(uow, ins, reason, max_attempts, clock)
    return True


def apply_outcome(
    uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, max_attempts: int, clock: Clock = system_clock
) -> None:
    """Bring an instructed or settled instruction up to the provider's status (settled, failed, returned)."""
    if payment.status in (SETTLED, RETURNED):
        settle(uow, instruction_id, utc(payment.settled_at or payment.returned_at or clock()), clock)
    if payment.status == RETURNED:
        returned_at = utc(payment.returned_at or clock())
        mark_returned(uow, instruction_id, returned_at, payment.return_reason or "returned", clock)
    if payment.status == FAILED:
        at = clock()
        ins = move(uow, instruction_id, INSTRUCTED, status=FAILED, failed_at=at,
                    failure_reason=(payment.failure_reason or "failed by the provider")[:2000])  # fmt: skip
        if ins is not None:
            post_once(uow.session, posting_key(K.FAIL, ins.instruction_id), lambda tid: fail_payment(
                ins.grant_id, ins.tranche_id, ins.amount_pence, instruction_id=ins.instruction_id,
                transaction_id=tid, effective_at=at))  # fmt: skip
            _failed(uow, ins, ins.failure_reason or "failed", max_attempts, clock)


def _failed(uow: UnitOfWork, ins: PaymentInstruction, reason: str, max_attempts: int, clock: Clock) -> None:
    tranche = set_tranche(uow, ins, FAILED, clock)
    uow.emit(PaymentFailed(grant_id=ins.grant_id, tranche_id=ins.tranche_id, instruction_id=ins.instruction_id,
                           amount_pence=ins.amount_pence, reason=reason[:2000], failed_at=clock()),
             subject=ins.grant_id)  # fmt: skip
    if attempts_of(uow.session, tranche.tranche_id) < max_attempts:
        retry(uow, tranche, clock)


def retry(uow: UnitOfWork, tranche: Tranche, clock: Clock = system_clock) -> PaymentInstruction:
    """Pay a failed tranche again with a NEW instruction id (the failed one moved no money)."""
    grant = uow.session.get(Grant, tranche.grant_id)
    assert grant is not None
    tranche.status, tranche.updated_at = "released", clock()
    return create_instruction(uow.session, grant, tranche, CREATED, tranche.updated_at)
