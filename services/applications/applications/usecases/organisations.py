"""Use cases of organisations: register one, change its details or due diligence."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import Organisation
from applications.adapters.snapshot import row_dict
from applications.read import queries
from applications.usecases.access import conflict, may_read, not_found
from applications.usecases.commands import OrganisationCreate, OrganisationUpdate
from grants_shared.auth import Principal
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork


def create_organisation(uow: UnitOfWork, cmd: OrganisationCreate, actor: Principal) -> Organisation:
    """Register an organisation; its org_id is unique across the fund."""
    taken = uow.session.scalars(select(Organisation.id).where(Organisation.org_id == cmd.org_id)).first()
    if taken is not None:
        raise conflict(f"organisation {cmd.org_id} is already registered as {taken}", "organisation-exists")
    now = datetime.now(UTC)
    org = Organisation(
        id=new_id(),
        name=cmd.name,
        org_id=cmd.org_id,
        fund_holding=cmd.fund_holding,
        due_diligence=cmd.due_diligence,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(org)
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="organisation.created",
        entity_type="organisation",
        entity_id=org.id,
        after=row_dict(org),
    )
    return org


def update_organisation(
    uow: UnitOfWork, organisation_id: str, cmd: OrganisationUpdate, actor: Principal
) -> Organisation:
    """Change an organisation's name, fund-holding status or due diligence."""
    org = queries.organisation(uow.session, organisation_id)
    if org is None:
        raise not_found("organisation", organisation_id)
    before = row_dict(org)
    for field in cmd.model_fields_set:
        setattr(org, field, getattr(cmd, field))
    org.updated_at = datetime.now(UTC)
    uow.session.flush()
    uow.audit(
        actor=actor.subject,
        action="organisation.updated",
        entity_type="organisation",
        entity_id=org.id,
        before=before,
        after=row_dict(org),
    )
    return org


def visible_organisation(session: Session, organisation_id: str, actor: Principal) -> Organisation:
    """An organisation the caller may read (404 otherwise)."""
    org = queries.organisation(session, organisation_id)
    if org is None or not may_read(actor, org.id):
        raise not_found("organisation", organisation_id)
    return org
