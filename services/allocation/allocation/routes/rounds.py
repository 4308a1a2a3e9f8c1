"""Routes of funding rounds: open, list, read, close, and run an allocation in one."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from allocation import handlers
from allocation.routes.common import IdempotencyKey, Limit, Offset, Operator, Reader, RoundId, idempotent_post
from allocation.schemas import Page, RoundIn, RoundOut, RunIn, RunOut, RunSummaryOut
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["rounds"], responses=API_PROBLEMS, dependencies=StrictQuery)


@router.post("/rounds", status_code=201, response_model=RoundOut, summary="Open a funding round")
def open_round(body: RoundIn, principal: Operator, sessions: Sessions,
               idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Open a round with its budget, award bounds, eligibility and need weights; emits RoundOpened."""
    return idempotent_post(sessions, principal, "/rounds", idempotency_key, body.model_dump(mode="json"),
                           lambda uow: (201, handlers.open_round(uow, body, principal.subject)))


@router.get("/rounds", response_model=Page[RoundOut], summary="List rounds, newest first")
def list_rounds(_: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """One page of rounds."""
    return handlers.list_rounds(session, limit, offset)


@router.get("/rounds/{round_id}", response_model=RoundOut, summary="Read a round")
def get_round(round_id: RoundId, _: Reader, session: ReadSession) -> dict[str, Any]:
    """One round with its policy."""
    return handlers.get_round(session, round_id)


@router.get("/rounds/{round_id}/runs", response_model=Page[RunSummaryOut], summary="List a round's runs")
def list_runs(round_id: RoundId, _: Reader, session: ReadSession, limit: Limit = 50,
              offset: Offset = 0) -> dict[str, Any]:
    """One page of the round's runs (simulated and committed), newest first."""
    return handlers.list_runs(session, round_id, limit, offset)


@router.post("/rounds/{round_id}/close", response_model=RoundOut, summary="Close a round")
def close_round(round_id: RoundId, principal: Operator, sessions: Sessions,
                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Close an open round; emits RoundClosed."""
    return idempotent_post(sessions, principal, f"/rounds/{round_id}/close", idempotency_key, {},
                           lambda uow: (200, handlers.close_round(uow, round_id, principal.subject)))


@router.post("/rounds/{round_id}/runs", status_code=201, response_model=RunOut, summary="Run an allocation")
def run_allocation(round_id: RoundId, body: RunIn, principal: Operator, sessions: Sessions,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Simulate (nothing published) or commit (decisions and grants published) the round's allocation."""
    return idempotent_post(
        sessions, principal, f"/rounds/{round_id}/runs", idempotency_key, body.model_dump(mode="json"),
        lambda uow: (201, handlers.run_allocation(uow, round_id, body.mode, principal.subject)),
    )
