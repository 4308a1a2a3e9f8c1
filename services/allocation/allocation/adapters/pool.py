"""Read the inputs of a run: the pool (assessed, not withdrawn, not already awarded) and the registry to score it.

The registry is every ward of the vintage in force when allocation holds it; a pool neighbourhood missing
from that vintage is scored from the snapshot its assessment carried. Until the vintage in force is held,
the registry is the newest snapshot of every neighbourhood seen in an assessment, and the run says so.
"""

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from allocation.adapters.orm import AssessedApplication, Award, Neighbourhood, Partnership, Withdrawal
from allocation.adapters.registry_store import held_wards, in_force
from allocation.adapters.starter import of_grant_type
from allocation.domain.inputs import PoolApplication, RunInputs
from allocation.domain.lifecycle import HELD
from allocation.domain.starter import MAIN


def _failures(outcomes: list[dict[str, Any]]) -> tuple[str, ...]:
    """The failed rules as 'rule: detail' texts, in the order given."""
    return tuple(f"{o.get('rule')}: {o.get('detail')}" for o in outcomes if not o.get("passed", True))


def pool_query(grant_type: str = MAIN) -> Select[tuple[AssessedApplication, Partnership]]:
    """Assessed applications of the grant type not withdrawn and not awarded, with their partnership, by id."""
    return (
        select(AssessedApplication, Partnership)
        .outerjoin(Withdrawal, Withdrawal.application_id == AssessedApplication.application_id)
        .outerjoin(Award, Award.application_id == AssessedApplication.application_id)
        .outerjoin(Partnership, Partnership.partnership_id == AssessedApplication.partnership_id)
        .where(Withdrawal.application_id.is_(None), Award.application_id.is_(None), of_grant_type(grant_type))
        .order_by(AssessedApplication.application_id)
    )


def pool_rows(session: Session, grant_type: str = MAIN) -> list[tuple[AssessedApplication, Partnership | None]]:
    """Every application of the pool with its partnership (None when never heard of since the assessment)."""
    return [(row, partnership) for row, partnership in session.execute(pool_query(grant_type))]


def as_pool_application(row: AssessedApplication, partnership: Partnership | None) -> PoolApplication:
    """An application of the pool as a run sees it."""
    # A partnership not heard of since the assessment is as the assessment found it: compliant.
    compliant = partnership is None or partnership.compliant
    return PoolApplication(
        application_id=row.application_id,
        organisation_id=row.organisation_id,
        partnership_id=row.partnership_id,
        neighbourhood_code=row.neighbourhood_code,
        requested_pence=row.requested_pence,
        duration_months=row.duration_months,
        assessed_eligible=row.eligible,
        assessment_failures=_failures(row.outcomes),
        partnership_compliant=compliant,
        partnership_failures=() if compliant or partnership is None else _failures(partnership.outcomes),
    )


Snapshot = dict[str, Any]


def _registry(session: Session, applications: tuple[PoolApplication, ...]) -> tuple[list[Snapshot], dict[str, Any]]:
    """The neighbourhoods to score against, and where they came from."""
    seen = select(Neighbourhood).order_by(Neighbourhood.code)
    vintage = in_force(session)
    if vintage is None or vintage.status != HELD:
        pending = {"pending_vintage": vintage.name, "pending_inputs_hash": vintage.inputs_hash} if vintage else {}
        snapshots = [n.snapshot for n in session.scalars(seen)]
        return snapshots, {"source": "applications_seen", "neighbourhoods": len(snapshots), **pending}
    wards = held_wards(session, vintage)
    codes = {w["code"] for w in wards}
    missing = {a.neighbourhood_code for a in applications} - codes
    extra = [n.snapshot for n in session.scalars(seen.where(Neighbourhood.code.in_(missing)))] if missing else []
    source = {
        "source": "registry",
        "vintage": vintage.name,
        "inputs_hash": vintage.inputs_hash,
        "wards": len(wards),
        "from_assessments": len(extra),
    }
    return [*wards, *extra], source


def load_inputs(session: Session, policy: dict[str, Any], grant_type: str = MAIN) -> RunInputs:
    """The inputs of a run now: the policy, the registry to score need against, and the pool of the grant type."""
    rows = pool_rows(session, grant_type)
    applications = tuple(as_pool_application(row, partnership) for row, partnership in rows)
    neighbourhoods, registry = _registry(session, applications)
    return RunInputs(policy, tuple(neighbourhoods), applications, registry)
