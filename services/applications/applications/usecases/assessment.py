"""Assessing applications against the rules in force: at submission, and again when their partnership changes."""

from datetime import datetime

from sqlalchemy import func, select

from applications.adapters.orm import Application, Assessment, Neighbourhood, RegistryVintage
from applications.adapters.snapshot import row_dict
from applications.domain import lifecycle
from applications.domain.rules import (
    ApplicationFacts,
    NeighbourhoodFacts,
    application_outcomes,
    is_eligible,
    rules_for,
)
from applications.read import queries
from applications.read.lists import ward_lsoas
from applications.read.need import neighbourhood_need
from grants_shared.events import ApplicationAssessed, RuleOutcome
from grants_shared.uow import UnitOfWork

SUBMITTED, PARTNERSHIP_CHANGED = "submitted", "partnership_changed"


def evaluate(uow: UnitOfWork, app: Application, ward: Neighbourhood, vintage: RegistryVintage) -> list[RuleOutcome]:
    """Every rule's outcome for `app` on the facts as they stand now."""
    session = uow.session
    org = queries.organisation(session, app.organisation_id)
    facts = ApplicationFacts(
        membership=queries.membership(session, app.partnership_id),
        requested_pence=app.requested_pence,
        duration_months=app.duration_months,
        due_diligence=org.due_diligence if org else "unknown",
        other_live_applications=tuple(
            queries.other_live_applications(session, app.neighbourhood_code, app.id, grant_type=app.grant_type)
        ),
        neighbourhood=NeighbourhoodFacts(
            code=ward.code,
            vintage=vintage.name,
            vintage_has_flag=vintage.has_left_behind_flag,
            left_behind=ward.left_behind,
            imd_decile=ward.imd_decile,
        ),
    )
    return application_outcomes(rules_for(queries.rules_in_force(session), app.grant_type), facts)


def record(
    uow: UnitOfWork,
    app: Application,
    outcomes: list[RuleOutcome],
    place: tuple[Neighbourhood, RegistryVintage],
    *,
    now: datetime,
    actor: str,
    trigger: str,
) -> None:
    """Store an assessment, set the status from it, emit ApplicationAssessed and audit, in the caller's transaction."""
    session, (ward, vintage) = uow.session, place
    rules = rules_for(queries.rules_in_force(session), app.grant_type)
    rules_version, eligible = rules.version, is_eligible(outcomes)
    need = neighbourhood_need(ward, vintage, ward_lsoas(session, vintage.id, ward.code))
    before = row_dict(app)
    lifecycle.assess(app, eligible)
    app.updated_at = now
    held = select(func.coalesce(func.max(Assessment.seq), 0)).where(
        Assessment.application_id == app.id, Assessment.version == app.version
    )
    session.add(
        Assessment(
            application_id=app.id,
            version=app.version,
            seq=int(session.scalar(held) or 0) + 1,
            trigger=trigger,
            eligible=eligible,
            outcomes=[o.model_dump() for o in outcomes],
            rules_version=rules_version,
            neighbourhood=need.model_dump(mode="json"),
            assessed_at=now,
        )
    )
    session.flush()
    uow.emit(
        ApplicationAssessed(
            application_id=app.id,
            organisation_id=app.organisation_id,
            partnership_id=app.partnership_id,
            eligible=eligible,
            outcomes=outcomes,
            rules_version=rules_version,
            requested_pence=app.requested_pence,
            duration_months=app.duration_months,
            neighbourhood=need,
            assessed_at=now,
            grant_type=app.grant_type,
        ),
        subject=app.id,
    )
    action = "application.assessed" if trigger == SUBMITTED else "application.reassessed"
    after = {**row_dict(app), "rules_version": rules_version, "outcomes": [o.model_dump() for o in outcomes]}
    uow.audit(actor=actor, action=action, entity_type="application", entity_id=app.id, before=before, after=after)


def reassess_partnership(
    uow: UnitOfWork, partnership_id: str, neighbourhood_code: str, *, now: datetime, actor: str
) -> list[str]:
    """Re-assess the partnership's assessed applications whose rule results its change altered; their ids."""
    session = uow.session
    apps = queries.assessed_applications(session, partnership_id)
    # The ward is locked after the applications: the order submission takes (partnership, application, ward).
    ward = queries.neighbourhood_in_force(session, neighbourhood_code, lock=True) if apps else None
    vintage = queries.vintage_in_force(session)
    if ward is None or vintage is None:
        return []
    changed = []
    for app in apps:
        decision = queries.latest_decision(session, app.id)
        if decision is not None and decision.awarded:
            continue  # a grant is running: payments holds its tranches on PartnershipChanged instead
        outcomes = evaluate(uow, app, ward, vintage)
        latest = queries.latest_assessment(session, app.id)
        if latest is not None and _results(latest.outcomes) == [(o.rule, o.passed) for o in outcomes]:
            continue
        record(uow, app, outcomes, (ward, vintage), now=now, actor=actor, trigger=PARTNERSHIP_CHANGED)
        changed.append(app.id)
    return changed


def _results(stored: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(o["rule"], o["passed"]) for o in stored]
