"""Tranche release and holds: conditions as data, holds with reasons, the release policy and time.

`review` is the one place a tranche's fate is decided after any change of facts or holds: a tranche that is due
with conditions unmet is held with the reasons; one with every condition met, no hold, inside its release window and
with the tranche before it gone is released (awaiting a second person where the policy says so).
"""

from typing import Any, Protocol

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock, system_clock, today
from grants_shared.events import TrancheHeld, TrancheReleased, TrancheResumed
from grants_shared.people import same_person
from grants_shared.uow import UnitOfWork
from payments.adapters.lifecycle import move_instruction_row, move_tranche
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.records import partnership_compliant
from payments.domain.instruction_state import InstructionEvent
from payments.domain.release_conditions import PARTNERSHIP_COMPLIANT, ReleaseConditions, evaluate
from payments.domain.release_rules import ReleasePolicy, Wait, release_waits
from payments.domain.statuses import AWAITING_APPROVAL, CREATED, HOLD_CONDITIONS, TRANCHE_CANCELLED, UNRELEASED
from payments.domain.tranche_state import TrancheEvent, TrancheStateError, TrancheStatus, check_approver
from payments.usecases.errors import ApproverIsReleaser, NotAwaitingApproval
from payments.usecases.instructions import create_instruction
from payments.usecases.locking import load_tranche

S, E = TrancheStatus, TrancheEvent
AUTO_RELEASER = "payments:auto-release"
Holds = list[dict[str, str]]


class OfGrant(Protocol):
    """What putting on or lifting a hold needs of the grant: its id (a `Grant`, or a new award's `GrantRef`)."""

    @property
    def grant_id(self) -> str:
        """The grant's id."""
        ...


def conditions_for(number: int, grant_type: str = "main") -> list[str]:
    """A tranche's release conditions; partnership compliance is checked again before every tranche."""
    required = list(ReleaseConditions.for_tranche(number, grant_type).required)
    return required if PARTNERSHIP_COMPLIANT in required else [*required, PARTNERSHIP_COMPLIANT]


def held_reasons(tranche: Tranche) -> list[str]:
    """The reasons a tranche is held, in the order the holds were put on."""
    return [hold["reason"] for hold in tranche.holds]


def snapshot(tranche: Tranche) -> dict[str, Any]:
    """The audit view of a tranche."""
    return {
        "status": tranche.status,
        "amount_pence": tranche.amount_pence,
        "due_on": tranche.due_on,
        "holds": tranche.holds,
        "facts": tranche.facts,
        "released_by": tranche.released_by,
        "approved_by": tranche.approved_by,
        "policy_version": tranche.policy_version,
        "pending_change": tranche.pending_change,
    }


def _set_holds(uow: UnitOfWork, grant: OfGrant, tranche: Tranche, holds: Holds, actor: str, clock: Clock) -> bool:
    """Replace an unreleased tranche's holds: held (with the reasons) while any remains, scheduled when none does."""
    if tranche.status not in UNRELEASED or (holds == tranche.holds and (tranche.status == S.HELD) == bool(holds)):
        return False
    before, lifted, at = snapshot(tranche), held_reasons(tranche), clock()
    tranche.holds, tranche.updated_at = holds, at
    if holds:
        move_tranche(tranche, E.HOLD)
        uow.emit(
            TrancheHeld(
                grant_id=grant.grant_id,
                tranche_id=tranche.tranche_id,
                number=tranche.number,
                reasons=held_reasons(tranche),
                held_at=at,
            ),
            subject=grant.grant_id,
        )
    else:
        move_tranche(tranche, E.RESUME)
        uow.emit(
            TrancheResumed(
                grant_id=grant.grant_id,
                tranche_id=tranche.tranche_id,
                number=tranche.number,
                lifted_reasons=lifted,
                resumed_by=actor,
                resumed_at=at,
            ),
            subject=grant.grant_id,
        )
    uow.audit(
        actor=actor,
        action="tranche.held" if holds else "tranche.resumed",
        entity_type="tranche",
        entity_id=tranche.tranche_id,
        before=before,
        after=snapshot(tranche),
    )
    return True


def add_hold(
    uow: UnitOfWork,
    grant: OfGrant,
    tranche: Tranche,
    kind: str,
    reasons: str | list[str],
    actor: str,
    clock: Clock = system_clock,
) -> bool:
    """Hold an unreleased tranche for `reasons` (replacing earlier reasons of the same kind); True if changed."""
    given = [reasons] if isinstance(reasons, str) else reasons
    if [h["reason"] for h in tranche.holds if h["kind"] == kind] == given and tranche.status == S.HELD:
        return False  # held for exactly these reasons already
    holds = [h for h in tranche.holds if h["kind"] != kind] + [{"kind": kind, "reason": r} for r in given]
    return _set_holds(uow, grant, tranche, holds, actor, clock)


def lift_hold(
    uow: UnitOfWork,
    grant: Grant,
    tranche: Tranche,
    kind: str,
    actor: str,
    policy: ReleasePolicy,
    clock: Clock = system_clock,
) -> bool:
    """Lift the holds of `kind`; with none left the tranche is scheduled again and released if it may be."""
    if not any(h["kind"] == kind for h in tranche.holds):
        return False
    holds = [h for h in tranche.holds if h["kind"] != kind]
    unmet = unmet_facts(tranche)
    if unmet and tranche.due_on <= today(clock):  # still held, now for its conditions: one change, not two
        holds = [h for h in holds if h["kind"] != HOLD_CONDITIONS] + [
            {"kind": HOLD_CONDITIONS, "reason": r} for r in unmet
        ]
    _set_holds(uow, grant, tranche, holds, actor, clock)
    review(uow, grant, tranche, actor=actor, policy=policy, clock=clock)
    return True


def unmet_facts(tranche: Tranche) -> list[str]:
    """The tranche's unmet conditions other than partnership compliance (which holds tranches on its own)."""
    conditions = [c for c in tranche.conditions if c != PARTNERSHIP_COMPLIANT]
    return evaluate(conditions, tranche.facts)


def review(uow: UnitOfWork, grant: Grant, tranche: Tranche, *, actor: str, policy: ReleasePolicy, clock: Clock) -> None:
    """Hold an unreleased tranche that is due with conditions unmet (with the reasons), else release it if it may."""
    if tranche.status not in UNRELEASED:
        return
    unmet = unmet_facts(tranche)
    held_for_conditions = any(h["kind"] == HOLD_CONDITIONS for h in tranche.holds)
    if unmet and (held_for_conditions or tranche.due_on <= today(clock)):
        add_hold(uow, grant, tranche, HOLD_CONDITIONS, unmet, actor, clock)
        return
    if held_for_conditions:
        _set_holds(uow, grant, tranche, [h for h in tranche.holds if h["kind"] != HOLD_CONDITIONS], actor, clock)
    try_release(uow, grant, tranche, releaser=actor, policy=policy, clock=clock)


def previous_of(uow: UnitOfWork, tranche: Tranche) -> tuple[int, str] | None:
    """The number and status of the tranche before this one (cancelled ones aside), if there is one."""
    row = uow.session.execute(
        select(Tranche.number, Tranche.status)
        .where(
            Tranche.grant_id == tranche.grant_id,
            Tranche.number < tranche.number,
            Tranche.status != TRANCHE_CANCELLED,
        )
        .order_by(Tranche.number.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def waits_of(uow: UnitOfWork, tranche: Tranche, policy: ReleasePolicy, clock: Clock) -> list[Wait]:
    """What a tranche waits for besides its conditions: its release window and the tranche before it."""
    return release_waits(policy, due_on=tranche.due_on, today=today(clock), previous=previous_of(uow, tranche))


def try_release(
    uow: UnitOfWork,
    grant: Grant,
    tranche: Tranche,
    *,
    releaser: str,
    policy: ReleasePolicy,
    clock: Clock = system_clock,
) -> bool:
    """Release a scheduled tranche whose conditions are met and whose time has come; else it waits (False)."""
    if tranche.status != S.SCHEDULED:
        return False
    facts = {**tranche.facts, PARTNERSHIP_COMPLIANT: partnership_compliant(uow.session, grant.partnership_id)}
    if evaluate(tranche.conditions, facts) or waits_of(uow, tranche, policy, clock):
        return False  # the due loop or the missing condition's arrival tries again
    release_now(
        uow,
        grant,
        tranche,
        releaser=releaser,
        threshold=policy.release_threshold(tranche.amount_pence),
        policy_version=policy.version,
        clock=clock,
    )
    return True


def release_now(
    uow: UnitOfWork,
    grant: Grant,
    tranche: Tranche,
    *,
    releaser: str,
    threshold: int,
    policy_version: str,
    clock: Clock,
    change: dict[str, Any] | None = None,
) -> None:
    """Release a tranche (first time, or again after a return) with a new instruction; maker-checker above it.

    `change` is what the approver approves besides the payment (a new payee); it needs a second person always.
    """
    before = snapshot(tranche)
    tranche.released_by, tranche.released_at, tranche.threshold_pence = releaser, clock(), threshold
    tranche.approved_by, tranche.approved_at, tranche.updated_at = None, None, tranche.released_at
    tranche.policy_version, tranche.pending_change = policy_version, change
    if tranche.amount_pence > threshold or change is not None:
        move_tranche(tranche, E.RELEASE_FOR_APPROVAL)
        create_instruction(uow.session, grant, tranche, AWAITING_APPROVAL, tranche.released_at)
    else:
        move_tranche(tranche, E.RELEASE)
        create_instruction(uow.session, grant, tranche, CREATED, tranche.released_at)
        emit_released(uow, grant, tranche)
    uow.audit(
        actor=releaser,
        action="tranche.released",
        entity_type="tranche",
        entity_id=tranche.tranche_id,
        before=before,
        after=snapshot(tranche),
    )


def emit_released(uow: UnitOfWork, grant: Grant, tranche: Tranche) -> None:
    """Announce that a tranche will be paid (after its approval, where one is needed)."""
    released_at = tranche.approved_at or tranche.released_at
    assert released_at is not None, "a tranche is announced only once released"
    uow.emit(
        TrancheReleased(
            grant_id=grant.grant_id,
            tranche_id=tranche.tranche_id,
            number=tranche.number,
            amount_pence=tranche.amount_pence,
            released_by=tranche.released_by or AUTO_RELEASER,
            approved_by=tranche.approved_by,
            released_at=released_at,
        ),
        subject=grant.grant_id,
    )


def approve(uow: UnitOfWork, tranche_id: str, approver: Principal, clock: Clock = system_clock) -> Tranche:
    """Approve a tranche awaiting approval; its releaser may not approve it (maker-checker)."""
    grant, tranche = load_tranche(uow, tranche_id)
    if tranche.status != S.AWAITING_APPROVAL:
        raise NotAwaitingApproval(f"Tranche {tranche_id} is {tranche.status}.")
    try:
        check_approver(tranche.released_by or "", approver.subject, tranche.amount_pence, tranche.threshold_pence or 0)
    except TrancheStateError as error:
        raise ApproverIsReleaser(str(error)) from error
    if same_person(tranche.released_by, approver):  # a payee change needs a second person whatever the threshold
        raise ApproverIsReleaser("The person who asked for this payment cannot also approve it.")
    instruction = uow.session.scalars(
        select(PaymentInstruction).where(
            PaymentInstruction.tranche_id == tranche_id, PaymentInstruction.status == AWAITING_APPROVAL
        )
    ).one()
    before = snapshot(tranche)
    move_instruction_row(instruction, InstructionEvent.APPROVE)
    move_tranche(tranche, E.APPROVE)
    tranche.approved_by, tranche.approved_at = approver.subject, clock()
    tranche.updated_at = tranche.approved_at
    apply_payee_change(uow, grant, tranche, approver)
    emit_released(uow, grant, tranche)
    uow.audit(
        actor=approver.subject,
        action="tranche.approved",
        entity_type="tranche",
        entity_id=tranche_id,
        before=before,
        after=snapshot(tranche),
    )
    return tranche


def apply_payee_change(uow: UnitOfWork, grant: Grant, tranche: Tranche, approver: Principal) -> None:
    """On approval, pay to the new account the releaser asked for (the grant's payee changes only now)."""
    payee = (tranche.pending_change or {}).get("payee")
    if not payee:
        return
    grant.payee_name, grant.payee_sort_code, grant.payee_account_number = (
        payee["after"]["name"],
        payee["after"]["sort_code"],
        payee["after"]["account_number"],
    )
    uow.audit(
        actor=approver.subject,
        action="grant.payee-changed",
        entity_type="grant",
        entity_id=grant.grant_id,
        before={**payee["before"], "requested_by": tranche.released_by},
        after={**payee["after"], "approved_by": approver.subject, "policy_version": tranche.policy_version},
    )
