"""Grant and tranche reads: staff see every grant, an applicant only its own organisation's."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import ReadSession
from payments.adapters.orm import Grant, Tranche
from payments.read.queries import grant_views, page_of_grants, tranche_answer
from payments.routes.common import (
    PROBLEMS,
    STAFF,
    Limit,
    Offset,
    StrictQuery,
    check_can_see,
    organisation_scope,
    policy_of,
)
from payments.routes.schemas.grants import GrantOut, GrantPage, TrancheOut
from payments.usecases.errors import TrancheNotFound

router = APIRouter(tags=["grants"], dependencies=StrictQuery)
Reader = Annotated[Principal, Depends(require(*STAFF, Role.APPLICANT))]
GrantId = Annotated[str, Path(min_length=1, max_length=100)]
TrancheId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/grants/{grant_id}", response_model=GrantOut, responses=PROBLEMS, summary="A grant with its tranches")
def get_grant(request: Request, grant_id: GrantId, principal: Reader, session: ReadSession) -> Any:
    """A grant, its schedule, what has been paid and why any tranche is held or waits."""
    grant = check_can_see(principal, session.get(Grant, grant_id), grant_id)
    return grant_views(session, [grant], policy_of(request))[0]


@router.get("/grants", response_model=GrantPage, responses=PROBLEMS, summary="Grants, newest award first")
def list_grants(
    request: Request,
    principal: Reader,
    session: ReadSession,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[Literal["active", "completed", "closed"] | None, Query()] = None,
) -> Any:
    """A page of grants (an applicant sees only its organisation's)."""
    return page_of_grants(
        session,
        organisation_id=organisation_scope(principal),
        status=status,
        limit=limit,
        offset=offset,
        policy=policy_of(request),
    )


@router.get("/tranches/{tranche_id}", response_model=TrancheOut, responses=PROBLEMS, summary="One tranche")
def get_tranche(request: Request, tranche_id: TrancheId, principal: Reader, session: ReadSession) -> Any:
    """A tranche, with its conditions, holds, what it waits for, what its approver decides on, releaser and approver."""
    tranche = session.get(Tranche, tranche_id)
    grant = session.get(Grant, tranche.grant_id) if tranche else None
    if tranche is None or grant is None:
        raise TrancheNotFound(f"No tranche {tranche_id!r}.")
    check_can_see(principal, grant, grant.grant_id)
    return tranche_answer(session, tranche, policy_of(request))
