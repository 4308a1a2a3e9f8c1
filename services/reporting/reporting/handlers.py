"""Use cases of impact reports: submit, accept, request changes. Each runs in the caller's unit of work."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grants_shared.auth import Principal, Role
from grants_shared.events import ReportAccepted, ReportChangesRequested, ReportSubmitted
from grants_shared.http.problems import Problem
from grants_shared.ids import new_id
from grants_shared.uow import UnitOfWork
from reporting.access import can_see, not_found
from reporting.adapters.orm import Grant, ImpactReport, ReportIndicator
from reporting.domain.status import live_key
from reporting.projections import timeline
from reporting.queries.reports import visible_report
from reporting.schemas import ReportOut


@dataclass(frozen=True)
class SubmitReport:
    """A partnership's impact report for one period of its grant."""

    grant_id: str
    period_number: int
    outcomes: dict[str, int]
    narrative: str


def view(report: ImpactReport) -> dict[str, Any]:
    """The report as the API shows it (JSON-safe)."""
    return ReportOut.model_validate(report).model_dump(mode="json")


def submit_report(command: SubmitReport, principal: Principal, uow: UnitOfWork) -> ImpactReport:
    """Record a report for a grant the caller may report on; one live report per grant and period."""
    session = uow.session
    grant = session.get(Grant, command.grant_id)
    if grant is None or not (principal.has(Role.OPERATOR) or can_see(principal, grant.organisation_id)):
        raise not_found("grant", command.grant_id)
    key = live_key(grant.grant_id, command.period_number)
    if session.execute(select(ImpactReport.id).where(ImpactReport.live_key == key)).first():
        raise _already_reported(command)
    now = datetime.now(UTC)
    report = ImpactReport(
        id=new_id(), grant_id=grant.grant_id, organisation_id=grant.organisation_id,
        period_number=command.period_number, outcomes=command.outcomes, narrative=command.narrative,
        status="submitted", live_key=key, submitted_by=principal.subject, submitted_at=now,
    )
    try:
        with session.begin_nested():  # a concurrent twin that got past the check above loses here, cleanly
            session.add(report)
            session.flush()
    except IntegrityError as error:
        raise _already_reported(command) from error
    session.add_all(ReportIndicator(report_id=report.id, indicator=k, value=v) for k, v in command.outcomes.items())
    event = ReportSubmitted(report_id=report.id, grant_id=grant.grant_id, period_number=command.period_number,
                            submitted_by=principal.subject, submitted_at=now)
    timeline.record(session, uow.emit(event, subject=grant.grant_id))
    uow.audit(actor=principal.subject, action="report.submitted", entity_type="impact_report",
              entity_id=report.id, after=view(report))
    return report


def accept_report(report_id: str, principal: Principal, uow: UnitOfWork) -> ImpactReport:
    """Accept a submitted report; payments may then release the next tranche."""
    report, before = _reviewable(report_id, principal, uow)
    now = datetime.now(UTC)
    report.status, report.reviewed_by, report.reviewed_at = "accepted", principal.subject, now
    event = ReportAccepted(report_id=report.id, grant_id=report.grant_id, period_number=report.period_number,
                           accepted_by=principal.subject, accepted_at=now)
    return _reviewed(report, before, event, principal, uow)


def request_changes(report_id: str, reasons: list[str], principal: Principal, uow: UnitOfWork) -> ImpactReport:
    """Send a submitted report back with reasons; the partnership may then submit the period again."""
    report, before = _reviewable(report_id, principal, uow)
    now = datetime.now(UTC)
    report.status, report.reviewed_by, report.reviewed_at = "changes_requested", principal.subject, now
    report.live_key, report.change_reasons = None, list(reasons)  # the period is open to a new report again
    event = ReportChangesRequested(report_id=report.id, grant_id=report.grant_id, period_number=report.period_number,
                                   reasons=list(reasons), requested_by=principal.subject, requested_at=now)
    return _reviewed(report, before, event, principal, uow)


def _reviewable(report_id: str, principal: Principal, uow: UnitOfWork) -> tuple[ImpactReport, dict[str, Any]]:
    report = visible_report(uow.session, report_id, principal)
    if report.status != "submitted":
        raise Problem(409, "report-not-submitted", "Only a submitted report can be reviewed",
                      f"Report {report_id} is {report.status}.", status_now=report.status)
    if report.submitted_by == principal.subject:
        raise Problem(403, "own-report", "You may not review a report you submitted")
    return report, view(report)


def _reviewed(
    report: ImpactReport, before: dict[str, Any], event: ReportAccepted | ReportChangesRequested,
    principal: Principal, uow: UnitOfWork,
) -> ImpactReport:
    uow.session.flush()
    timeline.record(uow.session, uow.emit(event, subject=report.grant_id))
    uow.audit(actor=principal.subject, action=f"report.{report.status}", entity_type="impact_report",
              entity_id=report.id, before=before, after=view(report))
    return report


def _already_reported(command: SubmitReport) -> Problem:
    return Problem(409, "report-exists", "A live report exists for this period",
                   f"Grant {command.grant_id} already has a submitted or accepted report for period "
                   f"{command.period_number}.")
