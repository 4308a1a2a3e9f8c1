"""Read the pool of a run from the projections: assessed, not withdrawn, not already awarded."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.orm import AssessedApplication, Award, Neighbourhood, Partnership, Withdrawal
from allocation.inputs import PoolApplication, RunInputs


def _failures(outcomes: list[dict[str, Any]]) -> tuple[str, ...]:
    """The failed rules as 'rule: detail' texts, in the order given."""
    return tuple(f"{o.get('rule')}: {o.get('detail')}" for o in outcomes if not o.get("passed", True))


def pool_rows(session: Session) -> list[tuple[AssessedApplication, Partnership | None]]:
    """Every assessed application not withdrawn and not awarded by a committed run, with its partnership."""
    query = (
        select(AssessedApplication, Partnership)
        .outerjoin(Withdrawal, Withdrawal.application_id == AssessedApplication.application_id)
        .outerjoin(Award, Award.application_id == AssessedApplication.application_id)
        .outerjoin(Partnership, Partnership.partnership_id == AssessedApplication.partnership_id)
        .where(Withdrawal.application_id.is_(None), Award.application_id.is_(None))
        .order_by(AssessedApplication.application_id)
    )
    return [(row, partnership) for row, partnership in session.execute(query)]


def _as_pool_application(row: AssessedApplication, partnership: Partnership | None) -> PoolApplication:
    # A partnership not heard of since the assessment is as the assessment found it: compliant.
    compliant = partnership is None or partnership.compliant
    return PoolApplication(
        application_id=row.application_id, organisation_id=row.organisation_id, partnership_id=row.partnership_id,
        neighbourhood_code=row.neighbourhood_code, requested_pence=row.requested_pence,
        duration_months=row.duration_months, assessed_eligible=row.eligible,
        assessment_failures=_failures(row.outcomes),
        partnership_compliant=compliant,
        partnership_failures=() if compliant or partnership is None else _failures(partnership.outcomes),
    )


def load_inputs(session: Session, policy: dict[str, Any]) -> RunInputs:
    """The inputs of a run now: the policy, the registry of every neighbourhood seen, and the pool."""
    applications = tuple(_as_pool_application(row, partnership) for row, partnership in pool_rows(session))
    neighbourhoods = tuple(n.snapshot for n in session.scalars(select(Neighbourhood).order_by(Neighbourhood.code)))
    return RunInputs(policy, neighbourhoods, applications)
