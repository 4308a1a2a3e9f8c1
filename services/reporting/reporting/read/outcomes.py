"""Outcomes reported in accepted impact reports, in total and by region and by IMD decile."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, ImpactReport, ReportIndicator
from reporting.domain.indicators import INDICATORS


def _sums(session: Session) -> list[tuple[str, str, str, int]]:
    """(region, decile, indicator, sum) over accepted reports: one pass, folded into each breakdown in Python."""
    rows = session.execute(
        select(
            Grant.region_code,
            Grant.imd_decile,
            ReportIndicator.indicator,
            func.coalesce(func.sum(ReportIndicator.value), 0),
        )
        .join(ImpactReport, ImpactReport.id == ReportIndicator.report_id)
        .join(Grant, Grant.grant_id == ImpactReport.grant_id)
        .where(ImpactReport.status == "accepted")
        .group_by(Grant.region_code, Grant.imd_decile, ReportIndicator.indicator)
    )
    return [(_name(region), _name(decile), indicator, int(value)) for region, decile, indicator, value in rows]


def _name(group: Any) -> str:
    return "unknown" if group is None else str(group)


def _fold(sums: list[tuple[str, str, str, int]], by_decile: bool) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = {}
    for region, decile, indicator, value in sums:
        values = grouped.setdefault(decile if by_decile else region, dict.fromkeys(INDICATORS, 0))
        values[indicator] = values.get(indicator, 0) + value
    return dict(sorted(grouped.items()))


def outcome_totals(session: Session) -> dict[str, Any]:
    """Sums of every indicator over accepted reports, overall, by region and by IMD decile."""
    accepted = session.execute(
        select(func.count()).select_from(ImpactReport).where(ImpactReport.status == "accepted")
    ).scalar_one()
    sums = _sums(session)
    by_region = _fold(sums, by_decile=False)
    totals = dict.fromkeys(INDICATORS, 0)
    for values in by_region.values():
        for name, value in values.items():
            totals[name] += value
    return {
        "accepted_reports": int(accepted),
        "totals": totals,
        "by_region": by_region,
        "by_decile": _fold(sums, by_decile=True),
    }
