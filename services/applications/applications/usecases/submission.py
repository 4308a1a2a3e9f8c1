"""Submitting an application: freeze the version, assess eligibility, announce both in one transaction."""

from datetime import UTC, datetime

from applications.adapters.orm import Application, ApplicationVersion, Organisation
from applications.adapters.snapshot import row_dict
from applications.domain import lifecycle
from applications.domain.lifecycle import MoveRefused
from applications.read import queries
from applications.usecases.access import conflict, may_change, not_found
from applications.usecases.applications import changeable_application
from applications.usecases.assessment import SUBMITTED, evaluate, record
from applications.usecases.grant_types import partnership_changed, partnership_track
from applications.usecases.history import record_submission
from grants_shared.auth import Principal
from grants_shared.events import ApplicationSubmitted
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
    _lock_partnership(uow, application_id, actor)
    app = changeable_application(uow, application_id, actor)
    before = row_dict(app)
    track_before = partnership_track(session, app.partnership_id)
    try:
        lifecycle.submit(app)
    except MoveRefused as refused:
        raise conflict(str(refused)) from refused
    # The ward row is locked so two submissions for one neighbourhood are assessed one after the other.
    ward = queries.neighbourhood_in_force(session, app.neighbourhood_code, lock=True)
    vintage = queries.vintage_in_force(session)
    if ward is None or vintage is None:
        detail = f"{app.neighbourhood_code} is not a ward of the registry in force"
        raise conflict(detail, "neighbourhood-not-in-registry")
    now = datetime.now(UTC)
    app.version += 1
    app.submitted_at, app.updated_at = now, now
    content = {k: getattr(app, k) for k in CONTENT}
    session.add(
        ApplicationVersion(
            application_id=app.id, version=app.version, content=content, submitted_by=actor.subject, submitted_at=now
        )
    )
    announced = {k: v for k, v in content.items() if k != "summary"}
    org = session.get(Organisation, app.organisation_id)
    named = {"organisation_org_id": org.org_id, "organisation_name": org.name} if org is not None else {}
    submitted = ApplicationSubmitted(
        application_id=app.id, version=app.version, submitted_at=now, grant_type=app.grant_type, **announced, **named
    )
    uow.emit(submitted, subject=app.id)
    uow.audit(
        actor=actor.subject,
        action="application.submitted",
        entity_type="application",
        entity_id=app.id,
        before=before,
        after=row_dict(app),
    )
    outcomes = evaluate(uow, app, ward, vintage)
    record(uow, app, outcomes, (ward, vintage), now=now, actor=actor.subject, trigger=SUBMITTED)
    record_submission(uow, app, now)
    if app.grant_type != track_before:  # the partnership is now judged by the rules of the grant it applies for
        partnership = queries.partnership(session, app.partnership_id)
        if partnership is not None:
            uow.emit(partnership_changed(session, partnership, now), subject=partnership.id)
    return app


def _lock_partnership(uow: UnitOfWork, application_id: str, actor: Principal) -> None:
    # Partnership before application: the order a membership change takes them in, so the two cannot deadlock,
    # and a membership change either sees this application submitted or is seen by its assessment.
    found = queries.application(uow.session, application_id)
    if found is None or not may_change(actor, found.organisation_id):
        raise not_found("application", application_id)
    queries.partnership(uow.session, found.partnership_id, lock=True)
