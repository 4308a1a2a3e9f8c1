"""Reading impact reports, scoped to what the caller may see."""

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal
from reporting.adapters.orm import ImpactReport
from reporting.adapters.orm_outcomes import ReportVersion
from reporting.read.access import ReportNotFound, can_see, organisation_scope, unseen


def visible_report(session: Session, report_id: str, principal: Principal) -> ImpactReport:
    """The report, or 404 when it does not exist or belongs to another organisation."""
    report = session.get(ImpactReport, report_id)
    if report is None or not can_see(principal, report.organisation_id):
        raise ReportNotFound(unseen("report", report_id))
    return report


def list_reports(
    session: Session,
    principal: Principal,
    *,
    grant_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ImpactReport], int]:
    """One page of reports the caller may see, newest first, and how many there are in all."""
    query: Select[tuple[ImpactReport]] = select(ImpactReport)
    scope = organisation_scope(principal)
    if scope is not None:
        query = query.where(ImpactReport.organisation_id == scope)
    if grant_id is not None:
        query = query.where(ImpactReport.grant_id == grant_id)
    if status is not None:
        query = query.where(ImpactReport.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(ImpactReport.submitted_at.desc(), ImpactReport.id).limit(limit).offset(offset)
    return session.execute(page).scalars().all(), int(total)


def version_of(session: Session, report_id: str) -> int | None:
    """Which submission of its grant's period the report is (None for a report stored without a version)."""
    return session.scalar(select(ReportVersion.version).where(ReportVersion.report_id == report_id))


def versions_of(session: Session, report_ids: Sequence[str]) -> dict[str, int]:
    """The version of each report among `report_ids` that has one."""
    rows = session.execute(
        select(ReportVersion.report_id, ReportVersion.version).where(ReportVersion.report_id.in_(list(report_ids)))
    )
    return {report_id: int(version) for report_id, version in rows}


def next_version(session: Session, grant_id: str, period_number: int) -> int:
    """The version the next submission for the grant's period gets: one past the highest so far."""
    highest = session.scalar(
        select(func.max(ReportVersion.version)).where(
            ReportVersion.grant_id == grant_id, ReportVersion.period_number == period_number
        )
    )
    return int(highest or 0) + 1


def period_history(session: Session, report: ImpactReport) -> list[dict[str, object]]:
    """Every submission for the report's grant and period, oldest first: the report's version history."""
    rows = session.execute(
        select(ImpactReport, ReportVersion.version)
        .outerjoin(ReportVersion, ReportVersion.report_id == ImpactReport.id)
        .where(ImpactReport.grant_id == report.grant_id, ImpactReport.period_number == report.period_number)
        .order_by(ImpactReport.submitted_at, ImpactReport.id)
    ).all()
    return [
        {
            "version": version,
            "report_id": row.id,
            "status": row.status,
            "submitted_at": row.submitted_at,
            "submitted_by": row.submitted_by,
            "reviewed_at": row.reviewed_at,
            "change_reasons": row.change_reasons,
            "outcomes": dict(row.outcomes),
        }
        for row, version in rows
    ]
