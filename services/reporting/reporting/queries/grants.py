"""Reading projected grants and their tranches, scoped to what the caller may see."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal
from reporting.access import can_see, not_found
from reporting.adapters.orm import Grant, Tranche
from reporting.queries.schedule import schedule_length
from reporting.schemas import GrantOut, TrancheOut


def visible_grant(session: Session, grant_id: str, principal: Principal) -> Grant:
    """The projected grant, or 404 when it is unknown or belongs to another organisation."""
    grant = session.get(Grant, grant_id)
    if grant is None or not can_see(principal, grant.organisation_id):
        raise not_found("grant", grant_id)
    return grant


def grant_detail(session: Session, grant: Grant) -> GrantOut:
    """The grant with its tranches in order."""
    rows = session.execute(
        select(Tranche, schedule_length())
        .where(Tranche.grant_id == grant.grant_id)
        .order_by(Tranche.number, Tranche.status_rank)
    ).all()
    fields: dict[str, Any] = {name: getattr(grant, name) for name in GrantOut.model_fields if name != "tranches"}
    tranches = [TrancheOut.model_validate(t).model_copy(update={"of_tranches": int(of)}) for t, of in rows]
    return GrantOut(**fields, tranches=tranches)
