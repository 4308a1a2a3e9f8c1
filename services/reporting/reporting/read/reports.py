"""Reading impact reports, scoped to what the caller may see."""

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from grants_shared.auth import Principal
from reporting.adapters.orm import ImpactReport
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
