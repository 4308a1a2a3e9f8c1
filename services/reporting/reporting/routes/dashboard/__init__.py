"""The operator dashboard page (open in development, operator token required in production)."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from grants_shared.http.app import CachedReads
from grants_shared.http.headers import CSP
from grants_shared.http.problems import problem_responses
from grants_shared.http.query import ISO_DATE, StrictQuery
from reporting.config import Settings
from reporting.read.health import own_group, pipeline_health
from reporting.read.outcomes import outcome_totals
from reporting.read.pipeline import applications_by_status, due_tranches
from reporting.read.position import fund_position
from reporting.read.reconciliation import open_differences_list, recently_resolved
from reporting.routes.dashboard import lists
from reporting.routes.dashboard.access import Viewer, dashboard_viewer
from reporting.routes.dashboard.figures import dashboard_figures
from reporting.routes.dashboard.obligations import obligations_chart
from reporting.routes.dashboard.page import POLICY, STYLE, DashboardData, render
from reporting.routes.freshness import read_model_answer

# 401 and 403 in production only; unknown or repeated query parameters are refused here too (StrictQuery).
router = APIRouter(tags=["dashboard"], responses=problem_responses(401, 403, 422, 429, 503), dependencies=StrictQuery)
router.include_router(lists.router)
__all__ = ["POLICY", "STYLE", "dashboard_viewer", "router"]


@router.get("/dashboard", response_class=HTMLResponse, summary="Operator dashboard (HTML)")
async def dashboard(
    request: Request,
    _: Viewer,
    reads: CachedReads,
    as_of: Annotated[date | None, Query(description="YYYY-MM-DD. Default: today (UTC)."), ISO_DATE] = None,
) -> HTMLResponse:
    """Fund position, least first against population, tranches due and held, reports due, reconciliation, outcomes,
    pipeline health; every figure links to the list behind it.

    The page is built at most once per GRANTS_READ_CACHE_TTL_S, and again as soon as a new event is applied;
    every section says how old its figures are.
    """
    today = as_of or datetime.now(UTC).date()
    page = await read_model_answer(
        request, reads, ("dashboard", today), lambda session, _block: _page(request, session, today).encode()
    )
    return HTMLResponse(page, headers={CSP: POLICY})


def _page(request: Request, session: Session, today: date) -> str:
    settings: Settings = request.app.state.settings
    # One read-only snapshot: the sections agree with each other, and the page never holds a writer up.
    position = fund_position(session, today)
    due = due_tranches(session, today, settings.dashboard_rows)
    applications = applications_by_status(session)
    outcomes = outcome_totals(session)
    differences = open_differences_list(session, settings.dashboard_rows)
    resolved = recently_resolved(session, 10)
    health = pipeline_health(settings.redis_url, request.app.state.engine)
    data = DashboardData(
        position,
        due,
        applications,
        outcomes,
        health,
        differences,
        resolved,
        own_group(health, request.app.state.engine),
        dashboard_figures(session, today, settings.reference_data_dir),
        extra_sections=(obligations_chart(session),),
    )
    return render(data, settings.dashboard_refresh_s)
