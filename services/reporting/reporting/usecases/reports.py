"""Use cases of impact reports: submit, accept, request changes. Each runs in the caller's unit of work.

They raise `grants_shared.errors` refusals and return the stored report; the routes build the answers.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from grants_shared.auth import Principal, Role
from grants_shared.clock import Clock, as_utc, iso, system_clock
from grants_shared.errors import Conflict, Forbidden
from grants_shared.events import ReportAccepted, ReportChangesRequested, ReportSubmitted
from grants_shared.ids import new_id
from grants_shared.people import same_person
from grants_shared.uow import UnitOfWork
from reporting.adapters import timeline
from reporting.adapters.catalogue import catalogue
from reporting.adapters.orm import Grant, ImpactReport, ReportIndicator
from reporting.adapters.orm_outcomes import ReportVersion
from reporting.domain import report_lifecycle
from reporting.domain.outcome_plan import checked_results
from reporting.domain.periods import check_reportable
from reporting.domain.status import live_key
from reporting.read.access import GrantNotFound, can_see, unseen
from reporting.read.outcomes import planned_codes
from reporting.read.reports import next_version, version_of, visible_report
from reporting.read.schedule import tranche_due
from reporting.usecases.commands import SubmitReport


class ReportExists(Conflict):
    """A live (submitted or accepted) report exists for the grant and period (409)."""

    default_code = "report-exists"
    default_title = "A live report exists for this period"


class OwnReport(Forbidden):
    """An assessor may not review a report it submitted (403)."""

    default_code = "own-report"
    default_title = "You may not review a report you submitted"


def audited(report: ImpactReport) -> dict[str, Any]:
    """The report as the audit log keeps it (JSON-safe)."""
    return {
        "id": report.id,
        "grant_id": report.grant_id,
        "organisation_id": report.organisation_id,
        "period_number": report.period_number,
        "outcomes": dict(report.outcomes),
        "narrative": report.narrative,
        "status": report.status,
        "submitted_by": report.submitted_by,
        "submitted_at": _iso(report.submitted_at),
        "reviewed_by": report.reviewed_by,
        "reviewed_at": _iso(report.reviewed_at),
        "change_reasons": list(report.change_reasons) if report.change_reasons is not None else None,
        "version": _version(report),
    }


def submit_report(
    command: SubmitReport, principal: Principal, uow: UnitOfWork, clock: Clock = system_clock
) -> ImpactReport:
    """Record a report on a begun period of a grant the caller may report on; one live report per grant and period."""
    session = uow.session
    grant = session.get(Grant, command.grant_id)
    if grant is None or not (principal.has(Role.OPERATOR) or can_see(principal, grant.organisation_id)):
        raise GrantNotFound(unseen("grant", command.grant_id))
    now, number = clock(), command.period_number
    due_on = tranche_due(session, grant.grant_id, number)
    check_reportable(grant.grant_id, number, as_utc(grant.awarded_at).date(), due_on, as_utc(now).date())
    results = checked_results(catalogue(), planned_codes(session, grant.grant_id), command.outcomes)
    key = live_key(grant.grant_id, command.period_number)
    if session.execute(select(ImpactReport.id).where(ImpactReport.live_key == key)).first():
        raise _already_reported(command)
    report = ImpactReport(
        id=new_id(),
        grant_id=grant.grant_id,
        organisation_id=grant.organisation_id,
        period_number=command.period_number,
        outcomes=results,
        narrative=command.narrative,
        live_key=key,
        submitted_by=principal.subject,
        submitted_at=now,
    )
    report_lifecycle.start(report)
    try:
        with session.begin_nested():  # a concurrent twin that got past the check above loses here, cleanly
            session.add(report)
            session.flush()
    except IntegrityError as error:
        raise _already_reported(command) from error
    version = next_version(session, grant.grant_id, number)
    session.add(ReportVersion(report_id=report.id, grant_id=grant.grant_id, period_number=number, version=version))
    session.add_all(ReportIndicator(report_id=report.id, indicator=k, value=v) for k, v in results.items())
    event = ReportSubmitted(
        report_id=report.id,
        grant_id=grant.grant_id,
        period_number=command.period_number,
        submitted_by=principal.subject,
        submitted_at=now,
        version=version,
    )
    timeline.record(session, uow.emit(event, subject=grant.grant_id))
    uow.audit(
        actor=principal.subject,
        action="report.submitted",
        entity_type="impact_report",
        entity_id=report.id,
        after=audited(report),
    )
    return report


def accept_report(report_id: str, principal: Principal, uow: UnitOfWork, clock: Clock = system_clock) -> ImpactReport:
    """Accept a submitted report; payments may then release the next tranche."""
    report, before = _reviewable(report_id, principal, uow)
    now = clock()
    report_lifecycle.accept(report)
    report.reviewed_by, report.reviewed_at = principal.subject, now
    event = ReportAccepted(
        report_id=report.id,
        grant_id=report.grant_id,
        period_number=report.period_number,
        accepted_by=principal.subject,
        accepted_at=now,
        version=version_of(uow.session, report.id),
    )
    return _reviewed(report, before, event, principal, uow)


def request_changes(
    report_id: str, reasons: list[str], principal: Principal, uow: UnitOfWork, clock: Clock = system_clock
) -> ImpactReport:
    """Send a submitted report back with reasons; the partnership may then submit the period again."""
    report, before = _reviewable(report_id, principal, uow)
    now = clock()
    report_lifecycle.request_changes(report)
    report.reviewed_by, report.reviewed_at = principal.subject, now
    report.live_key, report.change_reasons = None, list(reasons)  # the period is open to a new report again
    event = ReportChangesRequested(
        report_id=report.id,
        grant_id=report.grant_id,
        period_number=report.period_number,
        reasons=list(reasons),
        requested_by=principal.subject,
        requested_at=now,
    )
    return _reviewed(report, before, event, principal, uow)


def _reviewable(report_id: str, principal: Principal, uow: UnitOfWork) -> tuple[ImpactReport, dict[str, Any]]:
    report = visible_report(uow.session, report_id, principal)
    report_lifecycle.check_reviewable(report)
    if same_person(report.submitted_by, principal):
        raise OwnReport()
    return report, audited(report)


def _reviewed(
    report: ImpactReport,
    before: dict[str, Any],
    event: ReportAccepted | ReportChangesRequested,
    principal: Principal,
    uow: UnitOfWork,
) -> ImpactReport:
    uow.session.flush()
    timeline.record(uow.session, uow.emit(event, subject=report.grant_id))
    uow.audit(
        actor=principal.subject,
        action=f"report.{report.status}",
        entity_type="impact_report",
        entity_id=report.id,
        before=before,
        after=audited(report),
    )
    return report


def _already_reported(command: SubmitReport) -> ReportExists:
    return ReportExists(
        f"Grant {command.grant_id} already has a submitted or accepted report for period {command.period_number}."
    )


def _version(report: ImpactReport) -> int | None:
    session = object_session(report)
    return None if session is None else version_of(session, report.id)


def _iso(moment: Any) -> str | None:
    return None if moment is None else iso(moment)
