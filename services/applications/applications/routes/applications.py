"""Routes of applications: draft, change, submit, withdraw, read."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic.json_schema import SkipJsonSchema

from applications.domain.lifecycle import Status
from applications.read.lists import applications_page
from applications.routes.common import (
    PROBLEMS,
    WRITE_PROBLEMS,
    Changer,
    IdempotencyKey,
    Limit,
    Offset,
    PathId,
    Reader,
)
from applications.routes.schemas.outputs import ApplicationOut, Page
from applications.routes.views import application_out, json_body
from applications.usecases.applications import (
    create_application,
    update_application,
    visible_application,
    withdraw_application,
)
from applications.usecases.commands import ApplicationCreate, ApplicationUpdate, Withdrawal
from applications.usecases.submission import submit_application
from grants_shared.auth import Role
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.query import StrictQuery
from grants_shared.uow import UnitOfWork

router = APIRouter(tags=["applications"], responses=PROBLEMS, dependencies=StrictQuery)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    responses=WRITE_PROBLEMS,
    summary="Draft an application",
)
def post_application(
    body: ApplicationCreate, request: Request, sessions: Sessions, actor: Changer, key: IdempotencyKey = None
) -> object:
    """Draft an application for a partnership of the caller's organisation (status draft, version 0)."""
    return idempotent_post(
        request,
        sessions,
        actor,
        key,
        body,
        lambda uow: (201, json_body(application_out(uow.session, create_application(uow, body, actor), new=True))),
    )


@router.patch("/applications/{application_id}", responses=WRITE_PROBLEMS, summary="Change a draft")
def patch_application(
    application_id: PathId, body: ApplicationUpdate, sessions: Sessions, actor: Changer
) -> ApplicationOut:
    """Change a draft's amount, duration, themes or summary (409 once submitted)."""
    with UnitOfWork(sessions) as uow:
        out = application_out(uow.session, update_application(uow, application_id, body, actor))
        uow.commit()
    return out


@router.post(
    "/applications/{application_id}/submit",
    response_model=ApplicationOut,
    responses=WRITE_PROBLEMS,
    summary="Submit and assess",
)
def post_submit(
    application_id: PathId, request: Request, sessions: Sessions, actor: Changer, key: IdempotencyKey = None
) -> object:
    """Submit a draft: it is frozen as version 1 and assessed; answers eligible or ineligible with reasons."""
    return idempotent_post(
        request,
        sessions,
        actor,
        key,
        None,
        lambda uow: (200, json_body(application_out(uow.session, submit_application(uow, application_id, actor)))),
    )


@router.post(
    "/applications/{application_id}/withdraw",
    response_model=ApplicationOut,
    responses=WRITE_PROBLEMS,
    summary="Withdraw",
)
def post_withdraw(
    application_id: PathId,
    body: Withdrawal,
    request: Request,
    sessions: Sessions,
    actor: Changer,
    key: IdempotencyKey = None,
) -> object:
    """Withdraw an application with a reason (409 when already withdrawn or awarded)."""

    def work(uow: UnitOfWork) -> tuple[int, dict[str, object]]:
        return 200, json_body(application_out(uow.session, withdraw_application(uow, application_id, body, actor)))

    return idempotent_post(request, sessions, actor, key, body, work)


@router.get("/applications/{application_id}", summary="One application")
def get_application(application_id: PathId, actor: Reader, session: ReadSession) -> ApplicationOut:
    """An application with its assessment and decision (applicants: their own organisation's only)."""
    return application_out(session, visible_application(session, application_id, actor))


@router.get("/applications", summary="Applications, newest first")
def list_applications(
    actor: Reader,
    session: ReadSession,
    status: Annotated[Status | SkipJsonSchema[None], Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ApplicationOut]:
    """Applications: applicants see their organisation's, operators and assessors see all."""
    organisation_id = None if actor.has(Role.OPERATOR, Role.ASSESSOR) else (actor.organisation_id or "")
    rows, total = applications_page(session, organisation_id, status, limit, offset)
    items = [application_out(session, a) for a in rows]
    return Page[ApplicationOut](items=items, total=total, limit=limit, offset=offset)
