"""Outcomes reported in impact reports: fund totals (by region, IMD decile and outcome domain) and per grant.

The read functions here are what the API routes and the dashboard call; each takes a session and returns plain data.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reporting.adapters.catalogue import catalogue
from reporting.adapters.orm import Grant, ImpactReport, ReportIndicator, TimelineEntry
from reporting.adapters.orm_outcomes import PlannedIndicator, ReportVersion
from reporting.domain.indicators import INDICATORS, Catalogue, Indicator
from reporting.domain.outcome_progress import progress_pct
from reporting.read.demonstration import REAL_GRANT, real_grant_id


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
        .where(ImpactReport.status == "accepted", ReportIndicator.indicator.in_(_additive(catalogue())), REAL_GRANT)
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
        select(func.count())
        .select_from(ImpactReport)
        .where(ImpactReport.status == "accepted", real_grant_id(ImpactReport.grant_id))
    ).scalar_one()
    sums = _sums(session)
    by_region = _fold(sums, by_decile=False)
    totals = dict.fromkeys(INDICATORS, 0)
    for values in by_region.values():
        for name, value in values.items():
            totals[name] = totals.get(name, 0) + value
    return {
        "accepted_reports": int(accepted),
        "totals": totals,
        "by_region": by_region,
        "by_decile": _fold(sums, by_decile=True),
    }


def _additive(in_force: Catalogue) -> list[str]:
    """The indicators whose results add up across periods and grants (counts and hours)."""
    return [i.code for i in in_force.indicators if i.aggregation == "sum"]


def plan_of(session: Session, grant_id: str) -> Sequence[PlannedIndicator]:
    """The grant's outcome plan, in indicator order (empty when it has none)."""
    query = select(PlannedIndicator).where(PlannedIndicator.grant_id == grant_id).order_by(PlannedIndicator.indicator)
    return session.execute(query).scalars().all()


def planned_codes(session: Session, grant_id: str) -> set[str] | None:
    """The codes of the grant's plan, or None when the grant has no plan."""
    codes = set(
        session.execute(select(PlannedIndicator.indicator).where(PlannedIndicator.grant_id == grant_id)).scalars()
    )
    return codes or None


def deprivation_at_award(session: Session, grant: Grant) -> dict[str, Any]:
    """The ward's need measures as its application's assessment recorded them (what the award was decided on)."""
    payload = session.execute(
        select(TimelineEntry.payload)
        .where(TimelineEntry.application_id == grant.application_id, TimelineEntry.event_type == "application-assessed")
        .order_by(TimelineEntry.occurred_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    need: dict[str, Any] = dict((payload or {}).get("neighbourhood") or {})
    return {
        "neighbourhood_code": grant.neighbourhood_code,
        "region_code": grant.region_code,
        "imd_decile": grant.imd_decile,
        **{key: need.get(key) for key in NEED_FIELDS},
        "domain_rank_means": need.get("domain_rank_means"),
        "iod2025_imd_score_mean": need.get("iod2025_imd_score_mean"),
        "iod2025_domain_score_means": need.get("iod2025_domain_score_means"),
    }


NEED_FIELDS = ("name", "population", "imd_mean_rank", "cni_score", "cni_rank", "left_behind", "vintage")


def _results(session: Session, grant_id: str) -> dict[str, list[dict[str, Any]]]:
    """Each indicator's results in the grant's live reports (submitted or accepted), by period."""
    rows = session.execute(
        select(
            ReportIndicator.indicator,
            ReportIndicator.value,
            ImpactReport.period_number,
            ImpactReport.status,
            ImpactReport.id,
            ReportVersion.version,
        )
        .join(ImpactReport, ImpactReport.id == ReportIndicator.report_id)
        .outerjoin(ReportVersion, ReportVersion.report_id == ImpactReport.id)
        .where(ImpactReport.grant_id == grant_id, ImpactReport.status.in_(("submitted", "accepted")))
        .order_by(ImpactReport.period_number)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for code, value, period, status, report_id, version in rows:
        found.setdefault(code, []).append(
            {"period_number": period, "value": int(value), "status": status, "report_id": report_id, "version": version}
        )
    return found


def grant_outcomes(session: Session, grant: Grant) -> dict[str, Any]:
    """The grant's starting point, and per planned indicator its baseline, target, results and progress."""
    in_force = catalogue()
    results = _results(session, grant.grant_id)
    plan = plan_of(session, grant.grant_id)
    lines = [_line(in_force.get(row.indicator), row, results.get(row.indicator, [])) for row in plan]
    unplanned = sorted(set(results) - {row.indicator for row in plan})
    return {
        "grant_id": grant.grant_id,
        "catalogue_version": in_force.version,
        "deprivation_at_award": deprivation_at_award(session, grant),
        "has_plan": bool(plan),
        "indicators": lines,
        "unplanned_results": {code: results[code] for code in unplanned},
    }


def _line(indicator: Indicator | None, row: PlannedIndicator, results: list[dict[str, Any]]) -> dict[str, Any]:
    accepted = [r["value"] for r in results if r["status"] == "accepted"]
    latest = accepted[-1] if accepted else None
    return {
        "code": row.indicator,
        "name": indicator.name if indicator else row.indicator,
        "unit": indicator.unit if indicator else None,
        "domain": indicator.domain.value if indicator else None,
        "higher_is_better": indicator.higher_is_better if indicator else None,
        "catalogue_version": row.catalogue_version,
        "baseline": {"value": row.baseline_value, "on": row.baseline_on.isoformat()},
        "target": {"value": row.target_value, "by": row.target_by.isoformat()},
        "results": results,
        "latest_accepted": latest,
        "accepted_total": sum(accepted) if indicator and indicator.aggregation == "sum" else None,
        "progress_pct": progress_pct(row.baseline_value, row.target_value, latest),
    }


def fund_outcomes_by_domain(session: Session) -> dict[str, Any]:
    """The fund's accepted results by outcome domain: totals of additive indicators, means of the others."""
    in_force = catalogue()
    rows = session.execute(
        select(
            ReportIndicator.indicator,
            func.coalesce(func.sum(ReportIndicator.value), 0),
            func.count(),
            func.count(func.distinct(ImpactReport.grant_id)),
        )
        .join(ImpactReport, ImpactReport.id == ReportIndicator.report_id)
        .where(ImpactReport.status == "accepted", real_grant_id(ImpactReport.grant_id))
        .group_by(ReportIndicator.indicator)
    ).all()
    found = {code: (int(total), int(results), int(grants)) for code, total, results, grants in rows}
    domains: dict[str, dict[str, Any]] = {}
    for indicator in in_force.indicators:
        total, results, grants = found.get(indicator.code, (0, 0, 0))
        figure: dict[str, Any] = {"name": indicator.name, "unit": indicator.unit, "results": results, "grants": grants}
        if indicator.aggregation == "sum":
            figure["total"] = total
        else:
            figure["mean"] = round(total / results, 1) if results else None
        domains.setdefault(indicator.domain.value, {})[indicator.code] = figure
    accepted = session.execute(
        select(func.count())
        .select_from(ImpactReport)
        .where(ImpactReport.status == "accepted", real_grant_id(ImpactReport.grant_id))
    ).scalar_one()
    return {"catalogue_version": in_force.version, "accepted_reports": int(accepted), "domains": domains}
