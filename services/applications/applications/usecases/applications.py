"""Use cases of applications: draft one, change the draft, withdraw."""

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from applications.adapters.orm import Application
from applications.adapters.snapshot import row_dict
from applications.domain import lifecycle
from applications.domain.lifecycle import MoveRefused, Status
from applications.read import queries
from applications.usecases.access import conflict, may_change, may_read, not_found
from applications.usecases.commands import ApplicationCreate, ApplicationUpdate, Withdrawal
from applications.usecases.grant_types import refuse_above_type_maximum
from grants_shared.auth import Principal
from grants_shared.events import ApplicationWithdrawn
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork

_INSERT_APPLICATION = insert(cast(Table, Application.__table__))


def create_application(uow: UnitOfWork, cmd: ApplicationCreate, actor: Principal) -> Application:
    """Draft an application for a partnership the caller may act for.

    The draft is written with one Core INSERT (no ORM flush) and returned as a transient object for the answer:
    the shorter the transaction, the sooner SQLite's single writer lock is free for the next request.
    """
    p = queries.partnership_home(uow.session, cmd.partnership_id)
    if p is None or not may_change(actor, p.organisation_id):
        raise not_found("partnership", cmd.partnership_id)
    refuse_above_type_maximum(uow.session, cmd.grant_type, cmd.requested_pence)
    now = datetime.now(UTC)
    app = Application(
        id=new_id(),
        organisation_id=p.organisation_id,
        partnership_id=p.id,
        neighbourhood_code=p.neighbourhood_code,
        status=Status.DRAFT.value,
        grant_type=cmd.grant_type,
        version=0,
        requested_pence=cmd.requested_pence,
        duration_months=cmd.duration_months,
        themes=[t.value for t in cmd.themes],
        summary=cmd.summary,
        created_by=actor.subject,
        created_at=now,
        updated_at=now,
    )
    row = row_dict(app)
    uow.session.execute(_INSERT_APPLICATION, row)
    uow.audit(actor=actor.subject, action="application.created", entity_type="application", entity_id=app.id, after=row)
    return app


def update_application(uow: UnitOfWork, application_id: str, cmd: ApplicationUpdate, actor: Principal) -> Application:
    """Change a draft; a submitted version is immutable (409)."""
    app = changeable_application(uow, application_id, actor)
    try:
        lifecycle.check_editable(app)
    except MoveRefused as refused:
        raise conflict(str(refused), "application-not-draft") from refused
    if cmd.requested_pence is not None:
        refuse_above_type_maximum(uow.session, app.grant_type, cmd.requested_pence)
    before = row_dict(app)
    for field in cmd.model_fields_set:
        value = getattr(cmd, field)
        setattr(app, field, [t.value for t in value] if field == "themes" else value)
    app.updated_at = datetime.now(UTC)
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="application.updated",
        entity_type="application",
        entity_id=app.id,
        before=before,
        after=row_dict(app),
    )
    return app


def withdraw_application(uow: UnitOfWork, application_id: str, cmd: Withdrawal, actor: Principal) -> Application:
    """Withdraw an application; allocation hears of it when it had been submitted."""
    app = changeable_application(uow, application_id, actor)
    decision = queries.latest_decision(uow.session, app.id)
    before = row_dict(app)
    try:
        lifecycle.withdraw(app, awarded=decision is not None and decision.awarded)
    except MoveRefused as refused:
        raise conflict(str(refused)) from refused
    now = datetime.now(UTC)
    app.withdrawn_at, app.withdrawal_reason, app.updated_at = now, cmd.reason, now
    uow.session.flush()
    if app.version > 0:  # a draft was never announced, so no consumer would know what is withdrawn
        uow.emit(ApplicationWithdrawn(application_id=app.id, reason=cmd.reason, withdrawn_at=now), subject=app.id)
    uow.audit(
        actor=actor.subject,
        action="application.withdrawn",
        entity_type="application",
        entity_id=app.id,
        before=before,
        after=row_dict(app),
    )
    return app


def visible_application(session: Session, application_id: str, actor: Principal) -> Application:
    """An application the caller may read (404 otherwise)."""
    app = queries.application(session, application_id)
    if app is None or not may_read(actor, app.organisation_id):
        raise not_found("application", application_id)
    return app


def changeable_application(uow: UnitOfWork, application_id: str, actor: Principal) -> Application:
    """An application the caller may change, locked for the change (404 otherwise)."""
    app = queries.application(uow.session, application_id, lock=True)
    if app is None or not may_change(actor, app.organisation_id):
        raise not_found("application", application_id)
    return app
