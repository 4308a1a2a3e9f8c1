"""Money that came back, and paying again: a settled payment returned, a failed tranche retried by finance, a
returned tranche repaid (to corrected bank details when given) once a second person approves."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock, as_utc, system_clock
from grants_shared.events import PaymentReturned
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import Payee, SettlementLine
from payments.domain.instruction_state import InstructionEvent
from payments.domain.ledger import TransactionKind, release_commitment, return_payment
from payments.domain.release_rules import ReleasePolicy
from payments.domain.statuses import GRANT_CLOSED, LIVE_INSTRUCTIONS, SETTLED
from payments.domain.tranche_state import TrancheEvent, TrancheStatus
from payments.usecases.differences import RETURN_MISMATCH, disagreements, raise_difference
from payments.usecases.errors import NotFailed, NotReturned
from payments.usecases.instructions import advance, advance_tranche, retry
from payments.usecases.locking import load_tranche
from payments.usecases.releases import release_now

K, S = TransactionKind, TrancheStatus


def mark_returned(uow: UnitOfWork, instruction_id: str, at: datetime, reason: str, clock: Clock = system_clock) -> None:
    """A settled payment came back: the grant is owed it again (the commitment is restored; it can be re-paid)."""
    ins = advance(uow, instruction_id, InstructionEvent.RETURN, returned_at=at, return_reason=reason[:2000])
    if ins is None:
        return
    advance_tranche(uow, ins, TrancheEvent.RETURN, clock)
    post_once(
        uow.session,
        posting_key(K.RETURN, ins.instruction_id),
        lambda tid: return_payment(
            ins.grant_id,
            ins.tranche_id,
            ins.amount_pence,
            instruction_id=ins.instruction_id,
            transaction_id=tid,
            effective_at=at,
        ),
    )
    uow.emit(
        PaymentReturned(
            grant_id=ins.grant_id,
            tranche_id=ins.tranche_id,
            instruction_id=ins.instruction_id,
            amount_pence=ins.amount_pence,
            reason=reason[:2000],
            returned_at=at,
        ),
        subject=ins.grant_id,
    )
    grant = uow.session.get(Grant, ins.grant_id)
    if grant is not None and grant.status == GRANT_CLOSED:
        # A closed grant is paid no more: what came back goes back to the fund, and the tranche is done with.
        post_once(
            uow.session,
            posting_key(K.RELEASE, f"{ins.grant_id}:return:{ins.instruction_id}"),
            lambda tid: release_commitment(ins.grant_id, ins.amount_pence, transaction_id=tid, effective_at=at),
        )
        advance_tranche(uow, ins, TrancheEvent.CANCEL, clock)


def return_disagrees(
    uow: UnitOfWork, ins: PaymentInstruction, payment_id: str, amount_pence: int, at: datetime
) -> bool:
    """Whether the bank's return of `payment_id` disagrees with our instruction; if so it is raised as a difference.

    A return is ours only when its instruction (the key), its payment id and its amount are those of the payment we
    made: anything else is not applied, and a person is told.
    """
    found = disagreements(
        instruction_id=ins.instruction_id,
        payment_id=ins.provider_payment_id,
        amount_pence=ins.amount_pence,
        bank_key=ins.instruction_id,
        bank_payment_id=payment_id,
        bank_amount_pence=amount_pence,
    )
    if not found:
        return False
    raise_difference(
        uow,
        RETURN_MISMATCH,
        f"{payment_id}:returned",
        at,
        instruction_id=ins.instruction_id,
        provider_payment_id=payment_id,
        bank_amount_pence=amount_pence,
        ledger_amount_pence=ins.amount_pence,
        detail=f"the bank reports a return for instruction {ins.instruction_id} as "
        + "; ".join(found)
        + ": not applied",
    )
    return True


def apply_returned_line(uow: UnitOfWork, line: SettlementLine, clock: Clock = system_clock) -> int:
    """A "returned" line of the bank's report: applied (1) only when it matches a settled payment of ours in full.

    A line for no instruction of ours is left to reconciliation (an unmatched bank line once past the grace period).
    """
    ins = uow.session.get(PaymentInstruction, line.idempotency_key)
    if ins is None or return_disagrees(uow, ins, line.payment_id, line.amount_pence, clock()):
        return 0
    if ins.status != SETTLED:
        return 0  # not settled here yet: polling applies its settlement and then its return
    mark_returned(uow, ins.instruction_id, as_utc(line.occurred_at), line.reason or "returned", clock)
    return 1


def _live_instruction(uow: UnitOfWork, tranche_id: str) -> str | None:
    return uow.session.scalars(
        select(PaymentInstruction.instruction_id).where(
            PaymentInstruction.tranche_id == tranche_id, PaymentInstruction.status.in_(LIVE_INSTRUCTIONS)
        )
    ).first()


def retry_failed(uow: UnitOfWork, tranche_id: str, officer: Principal, clock: Clock = system_clock) -> Tranche:
    """Pay a failed tranche again with a new instruction (after its automatic retries ran out)."""
    _, tranche = load_tranche(uow, tranche_id)
    if tranche.status != S.FAILED or _live_instruction(uow, tranche_id) is not None:
        raise NotFailed(f"Tranche {tranche_id} is {tranche.status}.")
    instruction = retry(uow, tranche, clock)
    uow.audit(
        actor=officer.subject,
        action="tranche.retried",
        entity_type="tranche",
        entity_id=tranche_id,
        after={"instruction_id": instruction.instruction_id, "attempt": instruction.attempt},
    )
    return tranche


def repay(
    uow: UnitOfWork,
    tranche_id: str,
    officer: Principal,
    *,
    policy: ReleasePolicy,
    payee: Payee | None = None,
    clock: Clock = system_clock,
) -> Tranche:
    """Ask to pay a returned tranche again (its commitment was restored), to new bank details when given.

    Whatever the amount and the policy, it waits for a second person, who sees the amount and any payee change
    (old and new); the grant's payee changes only when they approve.
    """
    grant, tranche = load_tranche(uow, tranche_id)
    if tranche.status != S.RETURNED or _live_instruction(uow, tranche_id) is not None:
        raise NotReturned(f"Tranche {tranche_id} is {tranche.status}.")
    change: dict[str, Any] = {"kind": "repayment", "amount_pence": tranche.amount_pence}
    if payee is not None:
        old = {
            "name": grant.payee_name,
            "sort_code": grant.payee_sort_code,
            "account_number": grant.payee_account_number,
        }
        new = {"name": payee.name, "sort_code": payee.sort_code, "account_number": payee.account_number}
        if new != old:
            change["payee"] = {"before": old, "after": new}
    release_now(
        uow,
        grant,
        tranche,
        releaser=officer.subject,
        threshold=policy.release_threshold(tranche.amount_pence, repayment=True),
        policy_version=policy.version,
        clock=clock,
        change=change,
    )
    return tranche
