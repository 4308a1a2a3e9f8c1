"""The events of a committed run: one AllocationDecided per decision, one GrantAwarded per award."""

from allocation.adapters.orm import Run
from allocation.domain.computing import Computed
from allocation.domain.inputs import RunInputs
from grants_shared.events import AllocationDecided, GrantAwarded
from grants_shared.ids import stable_id
from grants_shared.uow import UnitOfWork


def publish_commit(
    uow: UnitOfWork,
    run: Run,
    inputs: RunInputs,
    computed: Computed,
    grants: dict[str, str],
    grant_type: str = "main",
    demonstration: bool = False,
) -> None:
    """Write the run's events to the outbox, in the run's transaction; event ids are stable per run."""
    applications = {a.application_id: a for a in inputs.applications}
    neighbourhoods = {n["code"]: n for n in inputs.neighbourhoods}
    for row in computed.decisions:
        uow.emit(
            AllocationDecided(
                run_id=run.id,
                round_id=run.round_id,
                application_id=row.application_id,
                neighbourhood_code=row.neighbourhood_code,
                outcome=row.outcome,
                awarded=row.awarded,
                awarded_pence=row.awarded_pence,
                rank=row.rank,
                ranked_of=row.ranked_of,
                need_score=row.need_score,
                binding_constraint=row.binding_constraint,
                rationale=row.rationale,
                inputs_hash=run.inputs_hash,
                decided_at=run.created_at,
            ),
            subject=row.application_id,
            event_id=stable_id("allocation-decided", run.id, row.application_id),
        )
    for row in computed.decisions:
        if not row.awarded:
            continue
        app, need = applications[row.application_id], neighbourhoods[row.neighbourhood_code]
        grant_id = grants[row.application_id]
        uow.emit(
            GrantAwarded(
                grant_id=grant_id,
                round_id=run.round_id,
                run_id=run.id,
                application_id=row.application_id,
                organisation_id=app.organisation_id,
                partnership_id=app.partnership_id,
                neighbourhood_code=row.neighbourhood_code,
                region_code=str(need.get("region_code", "")),
                imd_decile=need.get("imd_decile"),
                amount_pence=row.awarded_pence,
                duration_months=app.duration_months,
                awarded_at=run.created_at,
                grant_type=grant_type,
                demonstration=demonstration,
            ),
            subject=grant_id,
            event_id=stable_id("grant-awarded", grant_id),
        )
