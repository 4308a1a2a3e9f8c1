"""Routes of funding rounds: open, list, read, close, and run an allocation in one."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from allocation import usecases
from allocation.read import queries
from allocation.read.views import decision_view, page, round_view, run_summary_view
from allocation.routes.common import IdempotencyKey, Limit, Offset, Operator, Reader, RoundId
from allocation.routes.schemas import Page, RoundIn, RoundOut, RunIn, RunOut, RunSummaryOut
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["rounds"], responses=API_PROBLEMS, dependencies=StrictQuery)


def opening(body: RoundIn) -> usecases.OpenRound:
    """The use case's command for a round request."""
    terms = body.model_dump(include=set(usecases.rounds.POLICY_TERMS))
    return usecases.OpenRound(
        body.name,
        terms,
        grant_type=body.grant_type,
        pool_id=body.pool_id,
        scenario=body.scenario,
        demonstration=body.demonstration,
    )


def _run_answer(done: usecases.RunDone) -> dict[str, Any]:
    return {**run_summary_view(done.run), "decisions": [decision_view(d) for d in done.decisions]}


@router.post("/rounds", status_code=201, response_model=RoundOut, summary="Open a funding round")
def open_round(
    request: Request, body: RoundIn, principal: Operator, sessions: Sessions, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Open a round with its budget, award bounds, eligibility and need weights; emits RoundOpened."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        body,
        lambda uow: (201, round_view(usecases.open_round(uow, opening(body), principal.subject))),
    )


@router.get("/rounds", response_model=Page[RoundOut], summary="List rounds, newest first")
def list_rounds(_: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """One page of rounds."""
    rows = queries.list_rounds(session, limit, offset)
    return page([round_view(r) for r in rows.items], rows.total, limit, offset)


@router.get("/rounds/{round_id}", response_model=RoundOut, summary="Read a round")
def get_round(round_id: RoundId, _: Reader, session: ReadSession) -> dict[str, Any]:
    """One round with its policy."""
    return round_view(queries.get_round(session, round_id))


@router.get("/rounds/{round_id}/runs", response_model=Page[RunSummaryOut], summary="List a round's runs")
def list_runs(
    round_id: RoundId, _: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """One page of the round's runs (simulated and committed), newest first."""
    rows = queries.list_runs(session, round_id, limit, offset)
    return page([run_summary_view(r) for r in rows.items], rows.total, limit, offset)


@router.post("/rounds/{round_id}/close", response_model=RoundOut, summary="Close a round")
def close_round(
    request: Request, round_id: RoundId, principal: Operator, sessions: Sessions, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Close an open round; emits RoundClosed."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        None,
        lambda uow: (200, round_view(usecases.close_round(uow, round_id, principal.subject))),
    )


@router.post("/rounds/{round_id}/runs", status_code=201, response_model=RunOut, summary="Run an allocation")
def run_allocation(
    request: Request,
    round_id: RoundId,
    body: RunIn,
    principal: Operator,
    sessions: Sessions,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Simulate (nothing published) or commit (decisions and grants published) the round's allocation."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        body,
        lambda uow: (
            201,
            _run_answer(usecases.run_allocation(uow, round_id, body.mode, principal.subject, plan=body.plan)),
        ),
    )
