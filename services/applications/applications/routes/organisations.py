"""Routes of organisations: operators register them; applicants see their own."""

from fastapi import APIRouter, Request

from applications.routes.common import (
    PROBLEMS,
    WRITE_PROBLEMS,
    IdempotencyKey,
    Operator,
    PathId,
    Reader,
)
from applications.routes.schemas.outputs import OrganisationOut
from applications.routes.views import json_body, organisation_out
from applications.usecases.commands import OrganisationCreate, OrganisationUpdate
from applications.usecases.organisations import create_organisation, update_organisation, visible_organisation
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.query import StrictQuery
from grants_shared.uow import UnitOfWork

router = APIRouter(tags=["organisations"], responses=PROBLEMS, dependencies=StrictQuery)


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationOut,
    responses=WRITE_PROBLEMS,
    summary="Register a fund-holding organisation",
)
def post_organisation(
    body: OrganisationCreate, request: Request, sessions: Sessions, actor: Operator, key: IdempotencyKey = None
) -> object:
    """Register an organisation (operator); org_id is 360Giving style, e.g. GB-CHC-1234567."""
    return idempotent_post(
        request,
        sessions,
        actor,
        key,
        body,
        lambda uow: (201, json_body(organisation_out(create_organisation(uow, body, actor)))),
    )


@router.patch("/organisations/{organisation_id}", responses=WRITE_PROBLEMS, summary="Change an organisation")
def patch_organisation(
    organisation_id: PathId, body: OrganisationUpdate, sessions: Sessions, actor: Operator
) -> OrganisationOut:
    """Change name, fund-holding status or due diligence (operator)."""
    with UnitOfWork(sessions) as uow:
        out = organisation_out(update_organisation(uow, organisation_id, body, actor))
        uow.commit()
    return out


@router.get("/organisations/{organisation_id}", summary="One organisation")
def get_organisation(organisation_id: PathId, actor: Reader, session: ReadSession) -> OrganisationOut:
    """An organisation: operators and assessors see any, applicants only their own (404 otherwise)."""
    return organisation_out(visible_organisation(session, organisation_id, actor))
