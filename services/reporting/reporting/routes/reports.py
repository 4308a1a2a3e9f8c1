"""Impact report routes: submit, accept, request changes, read and list."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, object_session

from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from reporting.adapters.orm import ImpactReport
from reporting.read.access import EVERYONE, STAFF
from reporting.read.reports import list_reports, period_history, version_of, visible_report
from reporting.read.schedule import reports_in
from reporting.routes.outcome_schemas import DueReportsOut, ReportVersionOut, VersionedReportOut, scheduled_out
from reporting.routes.schemas import ChangesIn, ReportIn, ReportOut, ReportPage
from reporting.usecases.commands import SubmitReport
from reporting.usecases.reports import accept_report, request_changes, submit_report


def view(report: ImpactReport) -> dict[str, Any]:
    """The report as the API shows it, with its version and its period's history (JSON-safe)."""
    return versioned(object_session(report), report).model_dump(mode="json")


def versioned(session: Session | None, report: ImpactReport) -> VersionedReportOut:
    """The report with its version and every submission for its grant and period."""
    base = ReportOut.model_validate(report).model_dump()
    if session is None:
        return VersionedReportOut(**base, version=None, versions=[])
    history = [ReportVersionOut(**entry) for entry in period_history(session, report)]
    return VersionedReportOut(**base, version=version_of(session, report.id), versions=history)


router = APIRouter(tags=["reports"], responses=API_PROBLEMS, dependencies=StrictQuery)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
ReportId = Annotated[str, Path(min_length=1, max_length=100)]
Reader = Annotated[Principal, Depends(require(*EVERYONE))]
Assessor = Annotated[Principal, Depends(require(Role.ASSESSOR))]


@router.post("/reports", status_code=201, response_model=VersionedReportOut, summary="Submit an impact report")
def submit(
    request: Request,
    body: ReportIn,
    sessions: Sessions,
    principal: Annotated[Principal, Depends(require(Role.APPLICANT, Role.OPERATOR))],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Submit a report for a period of one of your organisation's grants (404 for any other grant)."""
    command = SubmitReport(
        grant_id=body.grant_id,
        period_number=body.period_number,
        outcomes=dict(body.outcomes),
        narrative=body.narrative,
    )
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        body,
        lambda uow: (201, view(submit_report(command, principal, uow))),
    )


@router.post("/reports/{report_id}/accept", response_model=VersionedReportOut, summary="Accept a submitted report")
def accept(
    request: Request,
    report_id: ReportId,
    sessions: Sessions,
    principal: Assessor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Accept a submitted report (409 when it is not submitted)."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        None,
        lambda uow: (200, view(accept_report(report_id, principal, uow))),
    )


@router.post("/reports/{report_id}/request-changes", response_model=VersionedReportOut, summary="Send a report back")
def changes(
    request: Request,
    report_id: ReportId,
    body: ChangesIn,
    sessions: Sessions,
    principal: Assessor,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Ask for changes to a submitted report, with reasons; the period may then be reported again."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        body,
        lambda uow: (200, view(request_changes(report_id, body.reasons, principal, uow))),
    )


@router.get("/reports/due", response_model=DueReportsOut, summary="Reports due soon or overdue")
def due(
    request: Request,
    _: Annotated[Principal, Depends(require(*STAFF))],
    session: ReadSession,
    status: Literal["due", "overdue"] = "due",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DueReportsOut:
    """Every grant's reports falling due within REPORTING_REPORT_REMINDER_DAYS (`due`) or past due (`overdue`)."""
    today = datetime.now(UTC).date()
    found = reports_in(session, today, request.app.state.settings.report_reminder_days, status)
    page = [scheduled_out(r) for r in found[offset : offset + limit]]
    return DueReportsOut(status=status, as_of=today, total=len(found), items=page)


@router.get("/reports/{report_id}", response_model=VersionedReportOut, summary="Read a report")
def read(report_id: ReportId, principal: Reader, session: ReadSession) -> VersionedReportOut:
    """One report you may see (404 otherwise), with its version and every version of its period."""
    return versioned(session, visible_report(session, report_id, principal))


@router.get("/reports", response_model=ReportPage, summary="List reports")
def index(
    principal: Reader,
    session: ReadSession,
    grant_id: Annotated[str | None, Query(max_length=100)] = None,
    status: Literal["submitted", "accepted", "changes_requested"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ReportPage:
    """Reports you may see, newest first, optionally of one grant or in one status."""
    items, total = list_reports(session, principal, grant_id=grant_id, status=status, limit=limit, offset=offset)
    return ReportPage(items=[ReportOut.model_validate(r) for r in items], total=total, limit=limit, offset=offset)
