"""Use cases of finance staff on a tranche: approve (maker-checker), hold, resume, retry a failure, repay a return."""

from typing import Any

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock, system_clock
from grants_shared.http.problems import Problem
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.provider import Payee
from payments.domain.statuses import (
    AWAITING_APPROVAL,
    CREATED,
    HOLD_MANUAL,
    HOLD_PARTNERSHIP,
    LIVE_INSTRUCTIONS,
    UNRELEASED,
)
from payments.domain.tranche_state import TrancheStateError, TrancheStatus, check_approver
from payments.read.queries import tranche_view
from payments.usecases.payment_flow import retry
from payments.usecases.releases import add_hold, emit_released, lift_hold, partnership_compliant, release_now, snapshot

S = TrancheStatus


def load(uow: UnitOfWork, tranche_id: str) -> tuple[Grant, Tranche]:
    """The tranche and its grant, locked grant first (the order every writer uses); 404 problem when unknown."""
    grant_id = uow.session.scalar(select(Tranche.grant_id).where(Tranche.tranche_id == tranche_id))
    grant = uow.session.get(Grant, grant_id, with_for_update=True) if grant_id is not None else None
    tranche = uow.session.get(Tranche, tranche_id, with_for_update=True) if grant is not None else None
    if grant is None or tranche is None:
        raise Problem(404, "tranche-not-found", "No such tranche", f"No tranche {tranche_id!r}.")
    return grant, tranche


def _view(uow: UnitOfWork, grant: Grant, tranche: Tranche) -> dict[str, Any]:
    return tranche_view(tranche, partnership_compliant(uow.session, grant.partnership_id))


def approve(uow: UnitOfWork, tranche_id: str, approver: Principal, clock: Clock = system_clock) -> dict[str, Any]:
    """Approve a tranche awaiting approval; its releaser may not approve it (maker-checker)."""
    grant, tranche = load(uow, tranche_id)
    if tranche.status != S.AWAITING_APPROVAL:
        raise Problem(409, "tranche-not-awaiting-approval", "The tranche is not awaiting approval",
                      f"Tranche {tranche_id} is {tranche.status}.")  # fmt: skip
    try:
        check_approver(tranche.released_by or "", approver.subject, tranche.amount_pence, tranche.threshold_pence or 0)
    except TrancheStateError as error:
        raise Problem(409, "approver-is-releaser", "The releaser cannot approve this tranche", str(error)) from error
    instruction = uow.session.scalars(
        select(PaymentInstruction).where(
            PaymentInstruction.tranche_id == tranche_id, PaymentInstruction.status == AWAITING_APPROVAL
        )
    ).one()
    before = snapshot(tranche)
    instruction.status = CREATED
    tranche.status, tranche.approved_by, tranche.approved_at = str(S.APPROVED), approver.subject, clock()
    tranche.updated_at = tranche.approved_at
    emit_released(uow, grant, tranche)
    uow.audit(actor=approver.subject, action="tranche.approved", entity_type="tranche", entity_id=tranche_id,
              before=before, after=snapshot(tranche))  # fmt: skip
    return _view(uow, grant, tranche)


def hold(
    uow: UnitOfWork, tranche_id: str, reason: str, officer: Principal, clock: Clock = system_clock
) -> dict[str, Any]:
    """A finance officer holds a tranche that is not released yet."""
    grant, tranche = load(uow, tranche_id)
    if tranche.status not in UNRELEASED:
        raise Problem(409, "tranche-already-released", "Only a tranche not yet released can be held",
                      f"Tranche {tranche_id} is {tranche.status}.")  # fmt: skip
    add_hold(uow, grant, tranche, HOLD_MANUAL, f"held by finance: {reason}", officer.subject, clock)
    return _view(uow, grant, tranche)


def resume(
    uow: UnitOfWork, tranche_id: str, officer: Principal, threshold: int, clock: Clock = system_clock
) -> dict[str, Any]:
    """Lift a finance hold; the tranche is released at once if its conditions are met."""
    grant, tranche = load(uow, tranche_id)
    kinds = {h["kind"] for h in tranche.holds} if tranche.status in UNRELEASED else set()
    if HOLD_MANUAL not in kinds:
        detail = (
            "It is held because its partnership does not comply; it resumes when the partnership complies again."
            if HOLD_PARTNERSHIP in kinds else f"Tranche {tranche_id} is {tranche.status}, not held by finance."
        )  # fmt: skip
        raise Problem(409, "tranche-not-held-by-finance", "There is no finance hold to lift", detail)
    lift_hold(uow, grant, tranche, HOLD_MANUAL, officer.subject, threshold, clock)
    return _view(uow, grant, tranche)


def _live_instruction(uow: UnitOfWork, tranche_id: str) -> str | None:
    return uow.session.scalars(
        select(PaymentInstruction.instruction_id).where(
            PaymentInstruction.tranche_id == tranche_id, PaymentInstruction.status.in_(LIVE_INSTRUCTIONS)
        )
    ).first()


def retry_failed(
    uow: UnitOfWork, tranche_id: str, officer: Principal, clock: Clock = system_clock
) -> dict[str, Any]:
    """Pay a failed tranche again with a new instruction (after its automatic retries ran out)."""
    grant, tranche = load(uow, tranche_id)
    if tranche.status != S.FAILED or _live_instruction(uow, tranche_id) is not None:
        raise Problem(409, "tranche-not-failed", "Only a failed tranche can be retried",
                      f"Tranche {tranche_id} is {tranche.status}.")  # fmt: skip
    instruction = retry(uow, tranche, clock)
    uow.audit(actor=officer.subject, action="tranche.retried", entity_type="tranche", entity_id=tranche_id,
              after={"instruction_id": instruction.instruction_id, "attempt": instruction.attempt})  # fmt: skip
    return _view(uow, grant, tranche)


def repay(
    uow: UnitOfWork, tranche_id: str, officer: Principal, *, threshold: int, payee: Payee | None = None,
    clock: Clock = system_clock,
) -> dict[str, Any]:  # fmt: skip
    """Pay a returned tranche again (its commitment was restored), to corrected bank details when given.

    It is a new release: a new instruction, and above the threshold a second person's approval.
    """
    grant, tranche = load(uow, tranche_id)
    if tranche.status != S.RETURNED or _live_instruction(uow, tranche_id) is not None:
        raise Problem(409, "tranche-not-returned", "Only a returned tranche can be paid again",
                      f"Tranche {tranche_id} is {tranche.status}.")  # fmt: skip
    if payee is not None:
        before = {"name": grant.payee_name, "sort_code": grant.payee_sort_code, "account": grant.payee_account_number}
        grant.payee_name, grant.payee_sort_code, grant.payee_account_number = (
            payee.name, payee.sort_code, payee.account_number)  # fmt: skip
        uow.audit(actor=officer.subject, action="grant.payee-changed", entity_type="grant", entity_id=grant.grant_id,
                  before=before, after={"name": payee.name, "sort_code": payee.sort_code,
                                        "account": payee.account_number})  # fmt: skip
    release_now(uow, grant, tranche, releaser=officer.subject, threshold=threshold, clock=clock)
    return _view(uow, grant, tranche)
