"""Outcomes reported in accepted impact reports, in total and by region and by IMD decile."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, ImpactReport, ReportIndicator
from reporting.domain.indicators import INDICATORS


def _grouped(session: Session, key: Any) -> dict[str, dict[str, int]]:
    rows = session.execute(
        select(key, ReportIndicator.indicator, func.coalesce(func.sum(ReportIndicator.value), 0))
        .join(ImpactReport, ImpactReport.id == ReportIndicator.report_id)
        .join(Grant, Grant.grant_id == ImpactReport.grant_id)
        .where(ImpactReport.status == "accepted")
        .group_by(key, ReportIndicator.indicator)
    )
    grouped: dict[str, dict[str, int]] = {}
    for group, indicator, value in rows:
        name = "unknown" if group is None else str(group)
        grouped.setdefault(name, dict.fromkeys(INDICATORS, 0))[indicator] = int(value)
    return dict(sorted(grouped.items()))


def outcome_totals(session: Session) -> dict[str, Any]:
    """Sums of every indicator over accepted reports, overall, by region and by IMD decile."""
    accepted = session.execute(
        select(func.count()).select_from(ImpactReport).where(ImpactReport.status == "accepted")
    ).scalar_one()
    by_region = _grouped(session, Grant.region_code)
    totals = dict.fromkeys(INDICATORS, 0)
    for values in by_region.values():
        for name, value in values.items():
            totals[name] += value
    return {
        "accepted_reports": int(accepted),
        "totals": totals,
        "by_region": by_region,
        "by_decile": _grouped(session, Grant.imd_decile),
    }
