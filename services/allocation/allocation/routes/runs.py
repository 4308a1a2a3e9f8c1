"""Routes of allocation runs: read, page decisions, verify, diff, and an application's decision."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from allocation import usecases
from allocation.read import queries
from allocation.read.views import application_decision_view, decision_view, diff_view, page, run_summary_view
from allocation.routes.common import READERS, Limit, Offset, Reader, RunId
from allocation.routes.schemas import ApplicationDecisionOut, DecisionOut, DiffOut, Page, RunSummaryOut, VerifyOut
from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["runs"], responses=API_PROBLEMS, dependencies=StrictQuery)
RunRef = Annotated[str, Query(min_length=1, max_length=100, description="A run id.")]
DecisionReader = Annotated[Principal, Depends(require(*READERS, Role.APPLICANT))]


@router.get("/runs/diff", response_model=DiffOut, summary="Compare two runs decision by decision")
def diff(a: RunRef, b: RunRef, _: Reader, session: ReadSession) -> dict[str, Any]:
    """What changed between run a and run b: outcomes, amounts, ranks, totals."""
    return diff_view(a, b, usecases.diff_runs(session, a, b))


@router.get("/runs/{run_id}", response_model=RunSummaryOut, summary="Read a run")
def get_run(run_id: RunId, _: Reader, session: ReadSession) -> dict[str, Any]:
    """A run's hashes and totals (its decisions are paged at /runs/{run_id}/decisions)."""
    return run_summary_view(queries.get_run(session, run_id))


@router.get("/runs/{run_id}/decisions", response_model=Page[DecisionOut], summary="Page a run's decisions")
def list_decisions(
    run_id: RunId, _: Reader, session: ReadSession, limit: Limit = 50, offset: Offset = 0
) -> dict[str, Any]:
    """A run's decisions in rank order, unranked ones last."""
    rows = queries.list_decisions(session, run_id, limit, offset)
    return page([decision_view(d) for d in rows.items], rows.total, limit, offset)


@router.post("/runs/{run_id}/verify", response_model=VerifyOut, summary="Verify a run")
def verify(run_id: RunId, _: Reader, sessions: Sessions) -> dict[str, Any]:
    """Recompute the run from its stored inputs and compare; writes nothing."""
    with sessions() as session:
        return asdict(usecases.verify_run(session, run_id))


@router.get(
    "/applications/{application_id}/decision",
    response_model=ApplicationDecisionOut,
    summary="Why an application was or was not funded",
)
def application_decision(
    application_id: Annotated[str, Path(min_length=1, max_length=100)], principal: DecisionReader, session: ReadSession
) -> dict[str, Any]:
    """The latest committed decision on an application, with its rationale (applicants: their own only)."""
    return application_decision_view(*queries.latest_decision(session, application_id, principal))
