"""Recording allocation decisions so applicants see the outcome of their application."""

from sqlalchemy import select

from applications.adapters.orm import Decision
from applications.adapters.snapshot import row_dict
from applications.read import queries
from applications.usecases.history import record_award
from grants_shared.delivery import NotReady
from grants_shared.events import AllocationDecided
from grants_shared.uow import UnitOfWork


def record_decision(uow: UnitOfWork, decided: AllocationDecided, *, event_id: str) -> bool:
    """Store a run's decision about an application once; False when this run's decision is already held."""
    session = uow.session
    if queries.application(session, decided.application_id) is None:
        raise NotReady(f"application {decided.application_id} is not known here yet")
    held = session.scalars(
        select(Decision).where(Decision.application_id == decided.application_id, Decision.run_id == decided.run_id)
    ).first()
    if held is not None:
        return False
    decision = Decision(
        application_id=decided.application_id,
        run_id=decided.run_id,
        round_id=decided.round_id,
        outcome=decided.outcome,
        awarded=decided.awarded,
        awarded_pence=decided.awarded_pence,
        rank=decided.rank,
        ranked_of=decided.ranked_of,
        need_score=decided.need_score,
        binding_constraint=decided.binding_constraint,
        rationale=decided.rationale,
        inputs_hash=decided.inputs_hash,
        decided_at=decided.decided_at,
        event_id=event_id,
    )
    session.add(decision)
    session.flush()
    app = queries.application(session, decided.application_id)
    if decided.awarded and app is not None:
        record_award(uow, app, decided.awarded_pence, decided.decided_at)
    uow.audit(
        actor="allocation",
        action="application.decided",
        entity_type="application",
        entity_id=decided.application_id,
        after=row_dict(decision),
    )
    return True
