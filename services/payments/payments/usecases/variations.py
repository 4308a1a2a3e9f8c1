"""Variations of a grant: re-profile or close early. Every variation and every closure needs a second person."""

from dataclasses import dataclass

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock
from grants_shared.ids import new_id
from grants_shared.people import same_person
from grants_shared.uow import UnitOfWork
from payments.adapters.lifecycle import move_variation
from payments.adapters.orm import Grant
from payments.adapters.orm_variations import Variation
from payments.adapters.records import variation_record
from payments.domain.grant_state import VariationEvent
from payments.domain.release_rules import ReleasePolicy
from payments.domain.schedule import ANNUAL, SEMI_ANNUAL, PatternKind, ScheduleError, SchedulePattern, front_loaded
from payments.domain.statuses import CLOSURE, REPROFILE, VARIATION_PENDING
from payments.usecases.budgets import require_headroom
from payments.usecases.closure import apply_closure
from payments.usecases.errors import (
    ApproverIsRequester,
    BadPattern,
    EmptyVariation,
    VariationNotFound,
    VariationNotPending,
    VariationPending,
)
from payments.usecases.locking import load_grant, require_active
from payments.usecases.reprofiling import apply_reprofile, plan_reprofile


@dataclass(frozen=True)
class VariationRequest:
    """What a finance officer asks for: a new total and/or pattern for the remaining tranches, or a closure."""

    kind: str
    reason: str
    new_total_pence: int | None = None
    pattern: str | None = None
    first_tranche_bps: int | None = None


def pattern_of(name: str | None, bps: int | None) -> SchedulePattern | None:
    """The schedule pattern a variation names (`BadPattern` when its basis points do not fit it)."""
    if name is None:
        if bps is not None:
            raise BadPattern(title="first_tranche_bps goes with the front_loaded pattern only")
        return None
    if name == PatternKind.FRONT_LOADED:
        if bps is None:
            raise BadPattern(title="The front_loaded pattern needs first_tranche_bps")
        try:
            return front_loaded(bps)
        except ScheduleError as error:
            raise BadPattern(title=str(error)) from error
    if bps is not None:
        raise BadPattern(title=f"The {name} pattern takes no first_tranche_bps")
    return {PatternKind.SEMI_ANNUAL: SEMI_ANNUAL, PatternKind.ANNUAL: ANNUAL}[PatternKind(name)]


def request(uow: UnitOfWork, grant_id: str, officer: Principal, ask: VariationRequest, *, clock: Clock) -> Variation:
    """Record a variation; it waits for a finance approver other than the requester (one that changes only the
    pattern too: it moves money between tranches)."""
    grant = load_grant(uow, grant_id)
    require_active(grant)
    pattern = pattern_of(ask.pattern, ask.first_tranche_bps)
    if ask.kind == REPROFILE:
        if ask.new_total_pence is None and pattern is None:
            raise EmptyVariation()
        # Refuse now what could not apply (it is checked again when approved: the grant may move meanwhile).
        plan_reprofile(uow, grant, ask.new_total_pence or grant.amount_pence, pattern)
        if (ask.new_total_pence or 0) > grant.amount_pence:
            require_headroom(uow.session, grant.round_id, (ask.new_total_pence or 0) - grant.amount_pence)
    pending = uow.session.scalars(
        select(Variation.variation_id).where(Variation.grant_id == grant_id, Variation.status == VARIATION_PENDING)
    ).first()
    if pending is not None:
        raise VariationPending(f"Approve or reject variation {pending} first.")
    variation = Variation(
        variation_id=new_id(),
        grant_id=grant_id,
        kind=ask.kind,
        status=VARIATION_PENDING,
        reason=ask.reason,
        requested_by=officer.subject,
        requested_at=clock(),
        new_total_pence=ask.new_total_pence,
        pattern=ask.pattern,
        first_tranche_bps=ask.first_tranche_bps,
        previous_total_pence=grant.amount_pence,
    )
    uow.session.add(variation)
    uow.session.flush()
    uow.audit(
        actor=officer.subject,
        action="variation.requested",
        entity_type="grant",
        entity_id=grant_id,
        after=variation_record(variation),
    )
    return variation  # every variation waits for a second person: a new pattern moves money between tranches too


def decide(
    uow: UnitOfWork,
    grant_id: str,
    variation_id: str,
    approver: Principal,
    *,
    approve: bool,
    policy: ReleasePolicy,
    clock: Clock,
) -> Variation:
    """Approve (apply) or reject a pending variation; the requester can do neither to their own (maker-checker)."""
    grant = load_grant(uow, grant_id)
    variation = uow.session.get(Variation, variation_id, with_for_update=True)
    if variation is None or variation.grant_id != grant_id:
        raise VariationNotFound(f"No variation {variation_id!r} of this grant.")
    if variation.status != VARIATION_PENDING:
        raise VariationNotPending(f"Variation {variation_id} is {variation.status}.")
    if same_person(variation.requested_by, approver):
        raise ApproverIsRequester("A second finance approver must approve or reject it.")
    if not approve:
        move_variation(variation, VariationEvent.REJECT)
        variation.decided_by, variation.decided_at = approver.subject, clock()
        uow.audit(
            actor=approver.subject,
            action="variation.rejected",
            entity_type="grant",
            entity_id=grant_id,
            after=variation_record(variation),
        )
        return variation
    require_active(grant)
    pattern = pattern_of(variation.pattern, variation.first_tranche_bps)
    _apply(uow, grant, variation, pattern, decided_by=approver.subject, policy=policy, clock=clock)
    return variation


def _apply(
    uow: UnitOfWork,
    grant: Grant,
    variation: Variation,
    pattern: SchedulePattern | None,
    *,
    decided_by: str,
    policy: ReleasePolicy,
    clock: Clock,
) -> None:
    variation.previous_total_pence = grant.amount_pence
    if variation.kind == CLOSURE:
        outcome = apply_closure(uow, grant, variation, approved_by=decided_by, clock=clock)
    else:
        outcome = apply_reprofile(uow, grant, variation, pattern, approved_by=decided_by, policy=policy, clock=clock)
    move_variation(variation, VariationEvent.APPLY)
    variation.outcome = outcome
    variation.decided_by, variation.decided_at = decided_by, clock()
    uow.audit(
        actor=variation.decided_by,
        action="variation.applied",
        entity_type="grant",
        entity_id=grant.grant_id,
        after=variation_record(variation),
    )
