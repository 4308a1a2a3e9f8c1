"""What the bank's answers do: an instruction accepted, refused, failed or settled; outcomes applied once; the
grant completed when every tranche is paid."""

from datetime import datetime

from sqlalchemy import func, select

from grants_shared.clock import Clock, as_utc, system_clock
from grants_shared.events import GrantCompleted, PaymentFailed, PaymentInstructed, PaymentSettled
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.lifecycle import move_grant
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import ProviderPayment
from payments.domain.grant_state import GrantEvent
from payments.domain.instruction_state import InstructionEvent
from payments.domain.ledger import TransactionKind, fail_payment, instruct_payment, settle_payment
from payments.domain.statuses import FAILED, GRANT_ACTIVE, RETURNED, SETTLED, TRANCHE_CANCELLED
from payments.domain.tranche_state import TrancheEvent
from payments.usecases.differences import ANSWER_MISMATCH, INSTRUCTED_AMOUNT_MISMATCH, disagreements, raise_difference
from payments.usecases.instructions import ACTOR, advance, advance_tranche, attempts_of, retry
from payments.usecases.returns import mark_returned, return_disagrees

K, Ins, T = TransactionKind, InstructionEvent, TrancheEvent


def answer_disagrees(
    uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, clock: Clock = system_clock
) -> bool:
    """Whether the bank answered about another instruction or payment than ours; if so it is raised, not applied.

    The answer must carry our instruction id as its key and, once we know it, the payment id the bank gave us.
    """
    ins = uow.session.get(PaymentInstruction, instruction_id)
    if ins is None:
        return True
    found = disagreements(
        instruction_id=instruction_id,
        payment_id=ins.provider_payment_id,
        amount_pence=None,  # another amount is its own difference (below); the answer is about our payment
        bank_key=payment.idempotency_key,
        bank_payment_id=payment.payment_id,
        bank_amount_pence=payment.amount_pence,
    )
    if not found:
        return False
    raise_difference(
        uow,
        ANSWER_MISMATCH,
        f"{instruction_id}:{payment.payment_id}",
        clock(),
        instruction_id=instruction_id,
        provider_payment_id=payment.payment_id,
        bank_amount_pence=payment.amount_pence,
        ledger_amount_pence=ins.amount_pence,
        detail=f"asked about instruction {instruction_id}, the bank answered {payment.status} for "
        + "; ".join(found)
        + ": not applied",
    )
    return True


def _flag_amount(uow: UnitOfWork, ins: PaymentInstruction, payment: ProviderPayment, clock: Clock) -> None:
    """Raise (once) a bank amount that is not the instructed one."""
    if payment.amount_pence == ins.amount_pence:
        return
    raise_difference(
        uow,
        INSTRUCTED_AMOUNT_MISMATCH,
        ins.instruction_id,
        clock(),
        instruction_id=ins.instruction_id,
        provider_payment_id=payment.payment_id,
        bank_amount_pence=payment.amount_pence,
        ledger_amount_pence=ins.amount_pence,
        detail=f"the bank accepted instruction {ins.instruction_id} as payment {payment.payment_id} of "
        f"{payment.amount_pence}p, but {ins.amount_pence}p was instructed (and posted to the ledger)",
    )


def record_instructed(
    uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, provider: str, clock: Clock = system_clock
) -> bool:
    """The provider accepted the instruction: open the pending transfer in the ledger, once.

    The ledger posts what was instructed whatever the provider says it took; if its amount differs, a
    reconciliation difference tells a person at once (the settlement will not match either).
    """
    at = as_utc(payment.created_at)
    ins = advance(uow, instruction_id, Ins.ACCEPT, provider_payment_id=payment.payment_id, instructed_at=clock())
    if ins is None:
        return False
    advance_tranche(uow, ins, T.INSTRUCT, clock)
    post_once(
        uow.session,
        posting_key(K.INSTRUCT, ins.instruction_id),
        lambda tid: instruct_payment(
            ins.grant_id,
            ins.tranche_id,
            ins.amount_pence,
            instruction_id=ins.instruction_id,
            transaction_id=tid,
            effective_at=at,
        ),
    )
    uow.emit(
        PaymentInstructed(
            grant_id=ins.grant_id,
            tranche_id=ins.tranche_id,
            instruction_id=ins.instruction_id,
            provider=provider,
            provider_payment_id=payment.payment_id,
            amount_pence=ins.amount_pence,
            instructed_at=at,
        ),
        subject=ins.grant_id,
    )
    _flag_amount(uow, ins, payment, clock)
    return True


def record_rejected(
    uow: UnitOfWork, instruction_id: str, reason: str, max_attempts: int, clock: Clock = system_clock
) -> bool:
    """The provider refused the instruction outright: nothing was opened, so nothing is posted."""
    ins = advance(uow, instruction_id, Ins.REJECT, failure_reason=reason[:2000], failed_at=clock())
    if ins is None:
        return False
    _failed(uow, ins, reason, max_attempts, clock)
    return True


def apply_outcome(
    uow: UnitOfWork, instruction_id: str, payment: ProviderPayment, max_attempts: int, clock: Clock = system_clock
) -> None:
    """Bring an instructed or settled instruction up to the provider's status (settled, failed, returned).

    Only an answer about our payment counts (our key, the payment id we were given). A settlement of another amount
    posts what was instructed and is raised as a difference; a return of another amount is not applied.
    """
    ins = uow.session.get(PaymentInstruction, instruction_id)
    if ins is None or answer_disagrees(uow, instruction_id, payment, clock):
        return
    if payment.status in (SETTLED, RETURNED):
        _flag_amount(uow, ins, payment, clock)
        settle(uow, instruction_id, as_utc(payment.settled_at or payment.returned_at or clock()), clock)
    if payment.status == RETURNED and not return_disagrees(uow, ins, payment.payment_id, payment.amount_pence, clock()):
        returned_at = as_utc(payment.returned_at or clock())
        mark_returned(uow, instruction_id, returned_at, payment.return_reason or "returned", clock)
    if payment.status == FAILED:
        at = clock()
        ins = advance(
            uow,
            instruction_id,
            Ins.FAIL,
            failed_at=at,
            failure_reason=(payment.failure_reason or "failed by the provider")[:2000],
        )
        if ins is not None:
            post_once(
                uow.session,
                posting_key(K.FAIL, ins.instruction_id),
                lambda tid: fail_payment(
                    ins.grant_id,
                    ins.tranche_id,
                    ins.amount_pence,
                    instruction_id=ins.instruction_id,
                    transaction_id=tid,
                    effective_at=at,
                ),
            )
            _failed(uow, ins, ins.failure_reason or "failed", max_attempts, clock)


def _failed(uow: UnitOfWork, ins: PaymentInstruction, reason: str, max_attempts: int, clock: Clock) -> None:
    tranche = advance_tranche(uow, ins, T.FAIL, clock)
    uow.emit(
        PaymentFailed(
            grant_id=ins.grant_id,
            tranche_id=ins.tranche_id,
            instruction_id=ins.instruction_id,
            amount_pence=ins.amount_pence,
            reason=reason[:2000],
            failed_at=clock(),
        ),
        subject=ins.grant_id,
    )
    if attempts_of(uow.session, tranche.tranche_id) < max_attempts:
        retry(uow, tranche, clock)


def settle(uow: UnitOfWork, instruction_id: str, at: datetime, clock: Clock = system_clock) -> None:
    """The money left the fund: resolve the pending transfer once, and complete the grant when all is paid."""
    ins = advance(uow, instruction_id, Ins.SETTLE, settled_at=at)
    if ins is None:
        return
    advance_tranche(uow, ins, T.SETTLE, clock)
    post_once(
        uow.session,
        posting_key(K.SETTLE, ins.instruction_id),
        lambda tid: settle_payment(
            ins.grant_id,
            ins.tranche_id,
            ins.amount_pence,
            instruction_id=ins.instruction_id,
            transaction_id=tid,
            effective_at=at,
        ),
    )
    uow.emit(
        PaymentSettled(
            grant_id=ins.grant_id,
            tranche_id=ins.tranche_id,
            instruction_id=ins.instruction_id,
            amount_pence=ins.amount_pence,
            settled_at=at,
        ),
        subject=ins.grant_id,
    )
    complete_if_paid(uow, ins.grant_id, clock)


def paid_pence(uow: UnitOfWork, grant_id: str) -> int:
    """What has left the fund for a grant and stayed out (settled, not returned)."""
    return int(
        uow.session.execute(
            select(func.coalesce(func.sum(PaymentInstruction.amount_pence), 0)).where(
                PaymentInstruction.grant_id == grant_id, PaymentInstruction.status == SETTLED
            )
        ).scalar_one()
    )


def complete_if_paid(uow: UnitOfWork, grant_id: str, clock: Clock = system_clock) -> None:
    """Every tranche of an active grant settled (none cancelled is owed): the grant is completed (once)."""
    grant = uow.session.get(Grant, grant_id, with_for_update=True)
    unpaid = uow.session.execute(
        select(func.count())
        .select_from(Tranche)
        .where(Tranche.grant_id == grant_id, Tranche.status.not_in((SETTLED, TRANCHE_CANCELLED)))
    ).scalar_one()
    if grant is None or unpaid or grant.status != GRANT_ACTIVE:
        return
    move_grant(grant, GrantEvent.COMPLETE)
    grant.completed_at = clock()
    uow.emit(
        GrantCompleted(
            grant_id=grant_id,
            awarded_pence=grant.amount_pence,
            paid_pence=paid_pence(uow, grant_id),
            completed_at=grant.completed_at,
        ),
        subject=grant_id,
    )
    uow.audit(
        actor=ACTOR,
        action="grant.completed",
        entity_type="grant",
        entity_id=grant_id,
        before={"status": "active"},
        after={"status": grant.status},
    )
