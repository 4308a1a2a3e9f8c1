"""Use case of a grant's outcome plan: set (replace) it. Runs in the caller's unit of work."""

from grants_shared.auth import Principal, Role
from grants_shared.clock import Clock, iso, system_clock
from grants_shared.uow import UnitOfWork
from reporting.adapters.catalogue import catalogue
from reporting.adapters.orm import Grant
from reporting.adapters.orm_outcomes import PlannedIndicator
from reporting.domain.outcome_plan import PlanLine, check_plan
from reporting.read.access import GrantNotFound, can_see, unseen
from reporting.read.outcomes import plan_of


def set_outcome_plan(
    grant_id: str, lines: list[PlanLine], principal: Principal, uow: UnitOfWork, clock: Clock = system_clock
) -> list[PlannedIndicator]:
    """Replace the grant's plan with `lines`, checked against the catalogue in force (the grant's org or staff)."""
    session = uow.session
    grant = session.get(Grant, grant_id)
    if grant is None or not (principal.has(Role.OPERATOR, Role.ASSESSOR) or can_see(principal, grant.organisation_id)):
        raise GrantNotFound(unseen("grant", grant_id))
    in_force = catalogue()
    check_plan(in_force, lines)
    replaced = plan_of(session, grant_id)
    before = [_audited(row) for row in replaced]
    for row in replaced:
        session.delete(row)
    session.flush()
    now = clock()
    rows = [
        PlannedIndicator(
            grant_id=grant_id,
            indicator=line.indicator,
            baseline_value=line.baseline_value,
            baseline_on=line.baseline_on,
            target_value=line.target_value,
            target_by=line.target_by,
            catalogue_version=in_force.version,
            set_by=principal.subject,
            set_at=now,
        )
        for line in lines
    ]
    session.add_all(rows)
    session.flush()
    uow.audit(
        actor=principal.subject,
        action="outcome_plan.set",
        entity_type="grant",
        entity_id=grant_id,
        before={"indicators": before},
        after={"indicators": [_audited(row) for row in rows], "set_at": iso(now)},
    )
    return rows


def _audited(row: PlannedIndicator) -> dict[str, object]:
    return {
        "indicator": row.indicator,
        "baseline_value": row.baseline_value,
        "baseline_on": row.baseline_on.isoformat(),
        "target_value": row.target_value,
        "target_by": row.target_by.isoformat(),
        "catalogue_version": row.catalogue_version,
    }
