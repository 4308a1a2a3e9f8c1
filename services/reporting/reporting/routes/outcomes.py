"""Outcome routes: the indicator catalogue, a grant's outcome plan and outcomes, report schedules, fund outcomes."""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request

from grants_shared.auth import Principal, Role, require
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from grants_shared.uow import UnitOfWork
from reporting.adapters.catalogue import catalogue
from reporting.domain.outcome_plan import PlanLine
from reporting.read.access import EVERYONE, STAFF
from reporting.read.grants import visible_grant
from reporting.read.outcomes import fund_outcomes_by_domain, grant_outcomes, plan_of
from reporting.read.schedule import report_schedule
from reporting.routes.outcome_schemas import PlanIn, PlanLineOut, PlanOut, ReportScheduleOut, scheduled_out
from reporting.usecases.outcome_plans import set_outcome_plan

router = APIRouter(tags=["outcomes"], responses=API_PROBLEMS, dependencies=StrictQuery)
Reader = Annotated[Principal, Depends(require(*EVERYONE))]
Staff = Annotated[Principal, Depends(require(*STAFF))]
Planner = Annotated[Principal, Depends(require(Role.APPLICANT, Role.ASSESSOR, Role.OPERATOR))]
GrantId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/indicators", summary="The outcome indicator catalogue", response_model=dict[str, Any])
def indicators(_: Reader) -> dict[str, Any]:
    """Every indicator a grant may plan and report on, with the catalogue's version."""
    return catalogue().model_dump(mode="json")


@router.put("/grants/{grant_id}/outcome-plan", response_model=PlanOut, summary="Set a grant's outcome plan")
def put_plan(grant_id: GrantId, body: PlanIn, principal: Planner, sessions: Sessions) -> PlanOut:
    """Choose the grant's indicators with a baseline and a target for each (replaces the plan it had)."""
    lines = [PlanLine(**line.model_dump()) for line in body.indicators]
    with UnitOfWork(sessions) as uow:
        rows = set_outcome_plan(grant_id, lines, principal, uow)
        answer = PlanOut(grant_id=grant_id, indicators=[PlanLineOut.model_validate(row) for row in rows])
        uow.commit()
    return answer


@router.get("/grants/{grant_id}/outcome-plan", response_model=PlanOut, summary="A grant's outcome plan")
def get_plan(grant_id: GrantId, principal: Reader, session: ReadSession) -> PlanOut:
    """The grant's plan (empty when none is set)."""
    grant = visible_grant(session, grant_id, principal)
    return PlanOut(
        grant_id=grant.grant_id, indicators=[PlanLineOut.model_validate(r) for r in plan_of(session, grant_id)]
    )


@router.get("/grants/{grant_id}/outcomes", response_model=dict[str, Any], summary="A grant's outcomes")
def outcomes(grant_id: GrantId, principal: Reader, session: ReadSession) -> dict[str, Any]:
    """The ward's deprivation at award, and per planned indicator its baseline, target, results and progress."""
    return grant_outcomes(session, visible_grant(session, grant_id, principal))


@router.get("/grants/{grant_id}/report-schedule", response_model=ReportScheduleOut, summary="A grant's reports due")
def schedule(request: Request, grant_id: GrantId, principal: Reader, session: ReadSession) -> ReportScheduleOut:
    """One report per tranche period with its due date and status."""
    grant, today = visible_grant(session, grant_id, principal), _today()
    owed = report_schedule(session, today, request.app.state.settings.report_reminder_days, [grant])
    return ReportScheduleOut(grant_id=grant.grant_id, as_of=today, reports=[scheduled_out(r) for r in owed])


@router.get("/fund/outcomes", response_model=dict[str, Any], summary="The fund's outcomes by domain")
def fund_outcomes(_: Staff, session: ReadSession) -> dict[str, Any]:
    """Accepted results by outcome domain: totals of counts and hours, means of scores and percentages."""
    return fund_outcomes_by_domain(session)


def _today() -> date:
    return datetime.now(UTC).date()
