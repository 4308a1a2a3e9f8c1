"""Reads of the fund: its pools with what they have committed, and a stress test of current commitments (no writes)."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.demonstration_store import demonstration_round_ids
from allocation.adapters.fund_store import pool_committed
from allocation.adapters.orm import AssessedApplication, Award
from allocation.adapters.orm_pools import MAIN_POOL, FundPool
from grants_shared.clock import now
from grants_shared.drawdown import against_plan, by_year, financial_year, load_plan, tranches
from grants_shared.errors import Invalid

MOST_GRANTS_SHOWN = 1000


def pools_view(session: Session) -> list[dict[str, Any]]:
    """Every pool (the main one even before first use) with its total, what is committed and what is left."""
    pools = {p.id: (p.name, p.total_pence) for p in session.scalars(select(FundPool).order_by(FundPool.id))}
    pools.setdefault(MAIN_POOL, ("Main pool", load_plan().endowment_pence))
    views = []
    for pool_id, (name, total) in sorted(pools.items()):
        committed = pool_committed(session, pool_id)
        views.append(
            {
                "id": pool_id,
                "name": name,
                "total_pence": total,
                "committed_pence": committed,
                "left_pence": total - committed,
            }
        )
    return views


def _grant_years(session: Session) -> list[tuple[str, str, dict[str, int]]]:
    """Every committed grant (demonstrations left out) with what it will be paid in each financial year."""
    rows = session.execute(
        select(
            Award.grant_id,
            Award.application_id,
            Award.amount_pence,
            Award.awarded_at,
            AssessedApplication.duration_months,
        )
        .join(AssessedApplication, AssessedApplication.application_id == Award.application_id)
        .where(Award.round_id.not_in(demonstration_round_ids()))
        .order_by(Award.awarded_at, Award.grant_id)
    )
    return [(g, a, by_year(tranches(amount, months, at.date()))) for g, a, amount, at, months in rows]


def stress_view(session: Session, fall_bps: int, cut_from: str | None, cut_bps: int) -> dict[str, Any]:
    """Current commitments against the plan after a shock: the years over it and the grants paid in those years."""
    plan = load_plan()
    try:
        shocked = plan.shocked(fall_bps, cut_from, cut_bps)
    except ValueError as error:  # cut_from is not a financial year
        raise Invalid(str(error), code="invalid-year", title="Not a financial year") from error
    grants = _grant_years(session)
    owed: dict[str, int] = {}
    for _, _, years in grants:
        for year, pence in years.items():
            owed[year] = owed.get(year, 0) + pence
    rows = against_plan(shocked, owed)
    at_risk = {str(r["year"]) for r in rows if r["over"]}
    exposed = [
        {
            "grant_id": g,
            "application_id": a,
            "at_risk_pence": sum(p for y, p in years.items() if y in at_risk),
            "years": sorted(set(years) & at_risk),
        }
        for g, a, years in grants
        if at_risk & set(years)
    ]
    return {
        "plan_version": plan.version,
        "shock": {"endowment_fall_bps": fall_bps, "cut_from": cut_from, "cut_bps": cut_bps},
        "endowment_pence": shocked.endowment_pence,
        "years": rows,
        "years_at_risk": sorted(at_risk),
        "grants_at_risk": len(exposed),
        "grants": exposed[:MOST_GRANTS_SHOWN],
        "as_of_year": financial_year(now().date()),
    }
