"""The lists behind the dashboard's figures, as HTML pages and JSON, and the dashboard's own figures as JSON."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from grants_shared.http.app import CachedReads
from grants_shared.http.headers import CSP
from grants_shared.http.problems import problem_responses
from grants_shared.http.query import ISO_DATE, StrictQuery
from grants_shared.money import format_gbp
from reporting.read.dashboard_lists import as_json
from reporting.read.pipeline import due_tranches
from reporting.routes.dashboard.access import Viewer
from reporting.routes.dashboard.figures import dashboard_figures
from reporting.routes.dashboard.page import POLICY, STYLE
from reporting.routes.dashboard.sections import table
from reporting.routes.freshness import read_model_answer
from reporting.routes.fund import json_bytes

router = APIRouter(tags=["dashboard"], responses=problem_responses(401, 403, 422, 429, 503), dependencies=StrictQuery)
ALL_ROWS = 100_000  # a list shows every row (the fund has a few thousand tranches at most)
AsOf = Annotated[date | None, Query(description="YYYY-MM-DD. Default: today (UTC)."), ISO_DATE]


class ListName(StrEnum):
    """The lists a dashboard figure links to."""

    HELD_TRANCHES = "held-tranches"
    REPORTS_DUE = "reports-due"
    REPORTS_OVERDUE = "reports-overdue"
    TRANCHES_DUE = "tranches-due"
    TRANCHES_OVERDUE = "tranches-overdue"


class Format(StrEnum):
    """How a list is answered."""

    HTML = "html"
    JSON = "json"


TITLES = {
    ListName.HELD_TRANCHES: "Tranches held, and why",
    ListName.REPORTS_DUE: "Reports due in the next 30 days",
    ListName.REPORTS_OVERDUE: "Reports overdue",
    ListName.TRANCHES_DUE: "Tranches due and unpaid",
    ListName.TRANCHES_OVERDUE: "Tranches overdue",
}


@router.get("/dashboard/figures", summary="The dashboard's own figures (JSON)", response_model=dict[str, Any])
async def figures(request: Request, _: Viewer, reads: CachedReads, as_of: AsOf = None) -> Response:
    """Least first against population, held tranches, reports due and overdue, with the lists behind them."""
    today = as_of or datetime.now(UTC).date()
    body = await read_model_answer(
        request, reads, ("dashboard/figures", today), lambda s, _b: json_bytes(_figures(request, s, today))
    )
    return Response(body, media_type="application/json")


@router.get(
    "/dashboard/lists/{name}",
    response_class=HTMLResponse,
    summary="The list behind a dashboard figure (HTML or JSON)",
    responses={200: {"content": {"application/json": {}}}},
)
async def dashboard_list(
    request: Request, name: ListName, _: Viewer, reads: CachedReads, as_of: AsOf = None, format: Format = Format.HTML
) -> Response:
    """Every row behind the figure: `format=json` for the rows as JSON."""
    today = as_of or datetime.now(UTC).date()
    rows = await read_model_answer(
        request, reads, ("dashboard/list", name, today), lambda s, _b: _rows(request, s, name, today)
    )
    if format is Format.JSON:
        return Response(
            json_bytes({"list": name.value, "as_of": today.isoformat(), "rows": rows}), media_type="application/json"
        )
    return HTMLResponse(_page(name, today, rows), headers={CSP: POLICY})


def _figures(request: Request, session: Session, today: date) -> dict[str, Any]:
    return dashboard_figures(session, today, request.app.state.settings.reference_data_dir)


def _rows(request: Request, session: Session, name: ListName, today: date) -> list[dict[str, Any]]:
    if name in (ListName.TRANCHES_DUE, ListName.TRANCHES_OVERDUE):
        due = as_json(due_tranches(session, today, ALL_ROWS))
        return [t for t in due if t["overdue"]] if name is ListName.TRANCHES_OVERDUE else due
    rows: list[dict[str, Any]] = _figures(request, session, today)["lists"][name.value]
    return rows


def _cell(value: Any, key: str) -> str:
    if key.endswith("_pence") and isinstance(value, int):
        return format_gbp(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _page(name: ListName, today: date, rows: list[dict[str, Any]]) -> str:
    keys = list(rows[0]) if rows else []
    header = [k.removesuffix("_pence").replace("_", " ").capitalize() for k in keys]
    body = table(header, [[_cell(r[k], k) for k in keys] for r in rows], f"{TITLES[name]} as of {today.isoformat()}")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{TITLES[name]}: operator dashboard</title>'
        f'<style>{STYLE}</style></head><body><main id="main"><h1>{TITLES[name]}</h1>'
        f'<p><a href="/dashboard">Back to the dashboard</a> · {len(rows)} rows · '
        f'<a href="?format=json">as JSON</a></p>{body}</main></body></html>'
    )
