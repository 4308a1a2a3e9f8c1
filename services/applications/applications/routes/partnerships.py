"""Routes of resident partnerships and their members."""

from fastapi import APIRouter, Request

from applications.routes.common import (
    PROBLEMS,
    WRITE_PROBLEMS,
    Changer,
    IdempotencyKey,
    PathId,
    Reader,
)
from applications.routes.schemas.outputs import PartnershipOut
from applications.routes.views import json_body, partnership_out
from applications.usecases.commands import MemberCreate, MemberLeave, PartnershipCreate
from applications.usecases.partnerships import add_member, create_partnership, member_leaves, visible_partnership
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.query import StrictQuery
from grants_shared.uow import UnitOfWork

router = APIRouter(tags=["partnerships"], responses=PROBLEMS, dependencies=StrictQuery)


@router.post(
    "/partnerships",
    status_code=201,
    response_model=PartnershipOut,
    responses=WRITE_PROBLEMS,
    summary="Form a resident partnership",
)
def post_partnership(
    body: PartnershipCreate, request: Request, sessions: Sessions, actor: Changer, key: IdempotencyKey = None
) -> object:
    """Form a partnership of a neighbourhood for the caller's organisation; says whether it complies."""

    def work(uow: UnitOfWork) -> tuple[int, dict[str, object]]:
        p = create_partnership(uow, body, actor)
        return 201, json_body(partnership_out(uow.session, p))

    return idempotent_post(request, sessions, actor, key, body, work)


@router.post(
    "/partnerships/{partnership_id}/members",
    response_model=PartnershipOut,
    responses=WRITE_PROBLEMS,
    summary="A member joins",
)
def post_member(
    partnership_id: PathId,
    body: MemberCreate,
    request: Request,
    sessions: Sessions,
    actor: Changer,
    key: IdempotencyKey = None,
) -> object:
    """Add a member; answers with the partnership and its compliance re-evaluated."""

    def work(uow: UnitOfWork) -> tuple[int, dict[str, object]]:
        p = add_member(uow, partnership_id, body, actor)
        return 200, json_body(partnership_out(uow.session, p))

    return idempotent_post(request, sessions, actor, key, body, work)


@router.post(
    "/partnerships/{partnership_id}/members/{member_id}/leave",
    response_model=PartnershipOut,
    responses=WRITE_PROBLEMS,
    summary="A member leaves",
)
def post_member_leave(
    partnership_id: PathId,
    member_id: PathId,
    body: MemberLeave,
    request: Request,
    sessions: Sessions,
    actor: Changer,
    key: IdempotencyKey = None,
) -> object:
    """Record that a member left; answers with the partnership and its compliance re-evaluated."""

    def work(uow: UnitOfWork) -> tuple[int, dict[str, object]]:
        p = member_leaves(uow, partnership_id, member_id, body, actor)
        return 200, json_body(partnership_out(uow.session, p))

    return idempotent_post(request, sessions, actor, key, body, work)


@router.get("/partnerships/{partnership_id}", summary="One partnership")
def get_partnership(partnership_id: PathId, actor: Reader, session: ReadSession) -> PartnershipOut:
    """A partnership with members and compliance (applicants: their own organisation's only)."""
    return partnership_out(session, visible_partnership(session, partnership_id, actor))
