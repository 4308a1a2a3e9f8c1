"""Routes of the capacity-building path: a partnership's adviser, and a neighbourhood's history towards its award."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from applications.adapters.orm import NeighbourhoodStep, PartnershipAdviser
from applications.routes.common import PROBLEMS, WRITE_PROBLEMS, IdempotencyKey, PathId
from applications.routes.views import json_body
from applications.usecases.access import not_found
from applications.usecases.advisers import assign_adviser, current_adviser
from applications.usecases.commands import AdviserAssign
from applications.usecases.history import STARTER_TO_MAIN, history
from grants_shared.auth import Principal, Role, require
from grants_shared.clock import as_utc
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.query import StrictQuery
from grants_shared.uow import UnitOfWork

router = APIRouter(tags=["capacity building"], responses=PROBLEMS, dependencies=StrictQuery)
Staff = Annotated[Principal, Depends(require(Role.OPERATOR, Role.ASSESSOR))]


class AdviserOut(BaseModel):
    """A partnership's adviser (a named person: operators and assessors only)."""

    partnership_id: str
    adviser_id: str
    name: str
    assigned_at: datetime
    assigned_by: str


class StepOut(BaseModel):
    """One recorded step of a neighbourhood's history."""

    step: str
    at: datetime
    grant_type: str | None
    partnership_id: str
    application_id: str | None
    adviser_id: str | None
    amount_pence: int | None
    detail: str


class HistoryOut(BaseModel):
    """A neighbourhood's history, oldest first, and whether it moved from a starter grant to a main application."""

    neighbourhood_code: str
    moved_from_starter_to_main: bool
    steps: list[StepOut]


def _adviser_out(a: PartnershipAdviser) -> AdviserOut:
    return AdviserOut(
        partnership_id=a.partnership_id,
        adviser_id=a.adviser_id,
        name=a.name,
        assigned_at=as_utc(a.assigned_at),
        assigned_by=a.assigned_by,
    )


def _step_out(s: NeighbourhoodStep) -> StepOut:
    return StepOut(
        step=s.step,
        at=as_utc(s.at),
        grant_type=s.grant_type,
        partnership_id=s.partnership_id,
        application_id=s.application_id,
        adviser_id=s.adviser_id,
        amount_pence=s.amount_pence,
        detail=s.detail,
    )


@router.post(
    "/partnerships/{partnership_id}/adviser",
    response_model=AdviserOut,
    responses=WRITE_PROBLEMS,
    summary="Assign an adviser",
)
def post_adviser(
    partnership_id: PathId,
    body: AdviserAssign,
    request: Request,
    sessions: Sessions,
    actor: Staff,
    key: IdempotencyKey = None,
) -> object:
    """Assign a named adviser to a partnership (operators and assessors); the history records the adviser's id."""

    def work(uow: UnitOfWork) -> tuple[int, dict[str, object]]:
        return 200, json_body(_adviser_out(assign_adviser(uow, partnership_id, body, actor)))

    return idempotent_post(request, sessions, actor, key, body, work)


@router.get("/partnerships/{partnership_id}/adviser", summary="A partnership's adviser")
def get_adviser(partnership_id: PathId, _: Staff, session: ReadSession) -> AdviserOut:
    """The partnership's current adviser (404 when none is assigned)."""
    adviser = current_adviser(session, partnership_id)
    if adviser is None:
        raise not_found("adviser of partnership", partnership_id)
    return _adviser_out(adviser)


@router.get("/neighbourhoods/{code}/history", summary="A neighbourhood's history towards its award")
def get_history(code: PathId, _: Staff, session: ReadSession) -> HistoryOut:
    """Advisers, applications, awards and the step from a starter grant to a main application, oldest first."""
    steps = history(session, code)
    return HistoryOut(
        neighbourhood_code=code,
        moved_from_starter_to_main=any(s.step == STARTER_TO_MAIN for s in steps),
        steps=[_step_out(s) for s in steps],
    )
