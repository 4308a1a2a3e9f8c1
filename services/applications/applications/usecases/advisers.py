"""Assigning a named adviser to a partnership that is forming (the fund's capacity-building practice)."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.adapters.orm import PartnershipAdviser
from applications.adapters.snapshot import row_dict
from applications.read import queries
from applications.usecases.access import not_found
from applications.usecases.commands import AdviserAssign
from applications.usecases.history import ADVISER_ASSIGNED, record_step
from grants_shared.auth import Principal
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork


def assign_adviser(uow: UnitOfWork, partnership_id: str, cmd: AdviserAssign, actor: Principal) -> PartnershipAdviser:
    """Assign an adviser (ending the current one's assignment); recorded on the neighbourhood's history by id only."""
    p = queries.partnership(uow.session, partnership_id, lock=True)
    if p is None:
        raise not_found("partnership", partnership_id)
    now = datetime.now(UTC)
    current = current_adviser(uow.session, partnership_id)
    if current is not None:
        current.ended_at = now
    adviser = PartnershipAdviser(
        id=new_id(),
        partnership_id=p.id,
        adviser_id=cmd.adviser_id or new_id(),
        name=cmd.name,
        assigned_at=now,
        assigned_by=actor.subject,
        ended_at=None,
    )
    uow.session.add(adviser)
    uow.session.flush()
    detail = f"adviser {adviser.adviser_id} assigned to partnership {p.id}"
    record_step(uow, ADVISER_ASSIGNED, p.neighbourhood_code, p.id, now, adviser_id=adviser.adviser_id, detail=detail)
    uow.audit(
        actor=actor.subject,
        action="partnership.adviser_assigned",
        entity_type="partnership",
        entity_id=p.id,
        before=row_dict(current) if current is not None else None,
        after=row_dict(adviser),
    )
    return adviser


def current_adviser(session: Session, partnership_id: str) -> PartnershipAdviser | None:
    """The partnership's adviser now, if one is assigned."""
    query = select(PartnershipAdviser).where(
        PartnershipAdviser.partnership_id == partnership_id, PartnershipAdviser.ended_at.is_(None)
    )
    return session.scalars(query).first()
