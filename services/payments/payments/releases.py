"""Tranche release and holds: conditions as data, holds with reasons, approval above the threshold."""

from typing import Any

from sqlalchemy.orm import Session

from grants_shared.events import TrancheHeld, TrancheReleased
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, Partnership, Tranche
from payments.domain.release_conditions import PARTNERSHIP_COMPLIANT, ReleaseConditions, evaluate
from payments.domain.tranche_state import TrancheStatus
from payments.instructions import create_instruction
from payments.statuses import AWAITING_APPROVAL, CREATED
from payments.times import now

S = TrancheStatus
AUTO_RELEASER = "payments:auto-release"


def conditions_for(number: int) -> list[str]:
    """A tranche's release conditions; partnership compliance is checked again before every tranche."""
    required = list(ReleaseConditions.for_tranche(number).required)
    return required if PARTNERSHIP_COMPLIANT in required else [*required, PARTNERSHIP_COMPLIANT]


def held_reasons(tranche: Tranche) -> list[str]:
    """The reasons a tranche is held, in the order the holds were put on."""
    return [hold["reason"] for hold in tranche.holds]


def snapshot(tranche: Tranche) -> dict[str, Any]:
    """The audit view of a tranche."""
    return {"status": tranche.status, "holds": tranche.holds, "facts": tranche.facts,
            "released_by": tranche.released_by, "approved_by": tranche.approved_by}  # fmt: skip


def partnership_compliant(session: Session, partnership_id: str) -> bool:
    """The newest known compliance; unknown counts as compliant (it was checked when the award was made)."""
    known = session.get(Partnership, partnership_id)
    return True if known is None else known.compliant


def add_hold(uow: UnitOfWork, grant: Grant, tranche: Tranche, kind: str, reason: str, actor: str) -> bool:
    """Hold an unreleased tranche for `reason` (one hold per kind); True when something changed."""
    holds = [h for h in tranche.holds if h["kind"] != kind] + [{"kind": kind, "reason": reason}]
    if holds == tranche.holds and tranche.status == S.HELD:
        return False
    before = snapshot(tranche)
    tranche.holds, tranche.status, tranche.updated_at = holds, str(S.HELD), now()
    uow.emit(
        TrancheHeld(grant_id=grant.grant_id, tranche_id=tranche.tranche_id, number=tranche.number,
                    reasons=held_reasons(tranche), held_at=tranche.updated_at),
        subject=grant.grant_id,
    )  # fmt: skip
    uow.audit(actor=actor, action="tranche.held", entity_type="tranche", entity_id=tranche.tranche_id,
              before=before, after=snapshot(tranche))  # fmt: skip
    return True


def lift_hold(uow: UnitOfWork, grant: Grant, tranche: Tranche, kind: str, actor: str, threshold: int) -> bool:
    """Lift a hold of `kind`; with no hold left the tranche is scheduled again and released if it may be."""
    if not any(h["kind"] == kind for h in tranche.holds):
        return False
    before = snapshot(tranche)
    tranche.holds = [h for h in tranche.holds if h["kind"] != kind]
    if not tranche.holds:
        tranche.status = str(S.SCHEDULED)
    tranche.updated_at = now()
    uow.audit(actor=actor, action="tranche.hold-lifted", entity_type="tranche", entity_id=tranche.tranche_id,
              before=before, after=snapshot(tranche))  # fmt: skip
    try_release(uow, grant, tranche, releaser=actor, threshold=threshold)
    return True


def try_release(uow: UnitOfWork, grant: Grant, tranche: Tranche, *, releaser: str, threshold: int) -> bool:
    """Release a scheduled tranche whose conditions are all met; above the threshold it awaits approval."""
    if tranche.status != S.SCHEDULED:
        return False
    facts = {**tranche.facts, PARTNERSHIP_COMPLIANT: partnership_compliant(uow.session, grant.partnership_id)}
    if evaluate(tranche.conditions, facts):
        return False
    before = snapshot(tranche)
    tranche.released_by, tranche.released_at, tranche.threshold_pence = releaser, now(), threshold
    tranche.updated_at = tranche.released_at
    if tranche.amount_pence > threshold:
        tranche.status = str(S.AWAITING_APPROVAL)
        create_instruction(uow.session, grant, tranche, AWAITING_APPROVAL)
    else:
        tranche.status = str(S.RELEASED)
        create_instruction(uow.session, grant, tranche, CREATED)
        emit_released(uow, grant, tranche)
    uow.audit(actor=releaser, action="tranche.released", entity_type="tranche", entity_id=tranche.tranche_id,
              before=before, after=snapshot(tranche))  # fmt: skip
    return True


def emit_released(uow: UnitOfWork, grant: Grant, tranche: Tranche) -> None:
    """Announce that a tranche will be paid (after its approval, where one is needed)."""
    released_at = tranche.approved_at or tranche.released_at or now()
    uow.emit(
        TrancheReleased(grant_id=grant.grant_id, tranche_id=tranche.tranche_id, number=tranche.number,
                        amount_pence=tranche.amount_pence, released_by=tranche.released_by or AUTO_RELEASER,
                        approved_by=tranche.approved_by, released_at=released_at),
        subject=grant.grant_id,
    )  # fmt: skip
