"""A grant's schedule as it stands (variations remove and add tranches, so its length is read, never stored), and
the report schedule it implies: one report per tranche period, with its due date and status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from grants_shared.clock import as_utc
from reporting.adapters.orm import Grant, ImpactReport, Tranche
from reporting.domain.periods import ReportPeriod, report_periods, report_status
from reporting.domain.status import OFF_SCHEDULE


def schedule_length(tranche: Any = Tranche) -> Any:
    """Per row of `tranche`: the highest tranche number of its grant still in the schedule (a scalar subquery)."""
    other = aliased(Tranche)
    highest = (
        select(func.max(other.number))
        .where(other.grant_id == tranche.grant_id, other.status.not_in(OFF_SCHEDULE))
        .scalar_subquery()
    )
    return func.coalesce(highest, tranche.of_tranches)


def tranche_due(session: Session, grant_id: str, number: int) -> date | None:
    """When tranche `number` of the grant falls due, or None when the schedule reporting knows has no such tranche."""
    due: date | None = session.scalar(
        select(func.min(Tranche.due_on)).where(
            Tranche.grant_id == grant_id, Tranche.number == number, Tranche.status.not_in(OFF_SCHEDULE)
        )
    )
    return due


@dataclass(frozen=True)
class ScheduledReport:
    """One report a grant owes: its period, due date and where it stands."""

    grant_id: str
    organisation_id: str
    period: ReportPeriod
    status: str
    report_id: str | None


def _tranche_dues(session: Session, grant_ids: list[str] | None) -> dict[str, dict[int, date]]:
    query = select(Tranche.grant_id, Tranche.number, func.min(Tranche.due_on)).where(
        Tranche.status.not_in(OFF_SCHEDULE)
    )
    if grant_ids is not None:
        query = query.where(Tranche.grant_id.in_(grant_ids))
    dues: dict[str, dict[int, date]] = {}
    for grant_id, number, due_on in session.execute(query.group_by(Tranche.grant_id, Tranche.number)):
        dues.setdefault(grant_id, {})[int(number)] = due_on
    return dues


def _live_reports(session: Session, grant_ids: list[str] | None) -> dict[tuple[str, int], tuple[str, str]]:
    query = select(ImpactReport.grant_id, ImpactReport.period_number, ImpactReport.status, ImpactReport.id).where(
        ImpactReport.live_key.is_not(None)
    )
    if grant_ids is not None:
        query = query.where(ImpactReport.grant_id.in_(grant_ids))
    return {(g, int(n)): (status, report_id) for g, n, status, report_id in session.execute(query)}


def report_schedule(
    session: Session, today: date, reminder_days: int, grants: Sequence[Grant] | None = None
) -> list[ScheduledReport]:
    """The reports of `grants` (default: every grant not closed early), each with its due date and status."""
    if grants is None:
        grants = session.execute(select(Grant).where(Grant.status != "closed")).scalars().all()
        ids = None
    else:
        ids = [g.grant_id for g in grants]
    dues, live = _tranche_dues(session, ids), _live_reports(session, ids)
    schedule = []
    for grant in grants:
        awarded_on = as_utc(grant.awarded_at).date()
        for period in report_periods(awarded_on, grant.duration_months, dues.get(grant.grant_id, {})):
            status, report_id = live.get((grant.grant_id, period.number), (None, None))
            schedule.append(
                ScheduledReport(
                    grant.grant_id,
                    grant.organisation_id,
                    period,
                    report_status(period, status, today, reminder_days),
                    report_id,
                )
            )
    return schedule


def reports_in(session: Session, today: date, reminder_days: int, status: str) -> list[ScheduledReport]:
    """Every grant's reports now in `status` (due or overdue), earliest due first."""
    found = [r for r in report_schedule(session, today, reminder_days) if r.status == status]
    return sorted(found, key=lambda r: (r.period.due_on, r.grant_id, r.period.number))
