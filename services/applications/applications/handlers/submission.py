"""Submitting an application: freeze the version, assess eligibility, announce both in one transaction."""

from datetime import UTC, datetime

from applications.adapters import queries
from applications.adapters.orm import Application, ApplicationVersion, Assessment, Neighbourhood, RegistryVintage
from applications.adapters.snapshot import row_dict
from applications.domain.lifecycle import Status, submit_refusal
from applications.domain.rules import ApplicationFacts, NeighbourhoodFacts, application_outcomes, is_eligible
from applications.handlers.access import conflict
from applications.handlers.applications import changeable_application
from applications.registry_view import neighbourhood_need
from applications.views import membership
from grants_shared.auth import Principal
from grants_shared.events import ApplicationAssessed, ApplicationSubmitted, RuleOutcome
from grants_shared.uow import UnitOfWork

CONTENT = (
    "partnership_id",
    "organisation_id",
    "neighbourhood_code",
    "requested_pence",
    "duration_months",
    "themes",
    "summary",
)


def submit_application(uow: UnitOfWork, application_id: str, actor: Principal) -> Application:
    """Submit a draft: it becomes version n+1, is assessed against the rules in force, eligible or not."""
    session = uow.session
    app = changeable_application(uow, application_id, actor)
    if (refusal := submit_refusal(app.status)) is not None:
        raise conflict(refusal)
    # The ward row is locked so two submissions for one neighbourhood are assessed one after the other.
    ward = queries.neighbourhood_in_force(session, app.neighbourhood_code, lock=True)
    vintage = queries.vintage_in_force(session)
    if ward is None or vintage is None:
        detail = f"{app.neighbourhood_code} is not a ward of the registry in force"
        raise conflict(detail, "neighbourhood-not-in-registry")
    before, now = row_dict(app), datetime.now(UTC)
    app.version += 1
    app.status, app.submitted_at, app.updated_at = Status.SUBMITTED.value, now, now
    content = {k: getattr(app, k) for k in CONTENT}
    session.add(
        ApplicationVersion(
            application_id=app.id, version=app.version, content=content, submitted_by=actor.subject, submitted_at=now
        )
    )
    announced = {k: v for k, v in content.items() if k != "summary"}
    submitted = ApplicationSubmitted(application_id=app.id, version=app.version, submitted_at=now, **announced)
    uow.emit(submitted, subject=app.id)
    uow.audit(
        actor=actor.subject,
        action="application.submitted",
        entity_type="application",
        entity_id=app.id,
        before=before,
        after=row_dict(app),
    )
    _assess(uow, app, ward, vintage, now, actor)
    return app


def _assess(
    uow: UnitOfWork, app: Application, ward: Neighbourhood, vintage: RegistryVintage, now: datetime, actor: Principal
) -> None:
    session = uow.session
    rules = queries.rules_in_force(session)
    org = queries.organisation(session, app.organisation_id)
    facts = ApplicationFacts(
        membership=membership(session, app.partnership_id),
        requested_pence=app.requested_pence,
        duration_months=app.duration_months,
        due_diligence=org.due_diligence if org else "unknown",
        other_live_applications=tuple(queries.other_live_applications(session, app.neighbourhood_code, app.id)),
        neighbourhood=NeighbourhoodFacts(
            code=ward.code,
            vintage=vintage.name,
            vintage_has_flag=vintage.has_left_behind_flag,
            left_behind=ward.left_behind,
            imd_decile=ward.imd_decile,
        ),
    )
    outcomes: list[RuleOutcome] = application_outcomes(rules, facts)
    eligible = is_eligible(outcomes)
    need = neighbourhood_need(ward, vintage)
    before = row_dict(app)
    app.status = (Status.ELIGIBLE if eligible else Status.INELIGIBLE).value
    session.add(
        Assessment(
            application_id=app.id,
            version=app.version,
            eligible=eligible,
            outcomes=[o.model_dump() for o in outcomes],
            rules_version=rules.version,
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
            rules_version=rules.version,
            requested_pence=app.requested_pence,
            duration_months=app.duration_months,
            neighbourhood=need,
            assessed_at=now,
        ),
        subject=app.id,
    )
    after = {**row_dict(app), "rules_version": rules.version, "outcomes": [o.model_dump() for o in outcomes]}
    uow.audit(
        actor=actor.subject,
        action="application.assessed",
        entity_type="application",
        entity_id=app.id,
        before=before,
        after=after,
    )
