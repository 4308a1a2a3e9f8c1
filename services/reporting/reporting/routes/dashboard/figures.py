"""The dashboard's own figures beyond the fund position, read in one snapshot (also served as JSON)."""

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from reporting.read.dashboard_lists import as_json, held_tranches, reports_due
from reporting.read.dashboard_population import population_or_none
from reporting.read.dashboard_share import share_against_population
from reporting.read.position import least_first, totals


def dashboard_figures(session: Session, today: date, reference: Path | None) -> dict[str, Any]:
    """Least first against population, held tranches, and reports due and overdue, with the lists behind them."""
    held = as_json(held_tranches(session))
    reports = as_json(reports_due(session, today))
    overdue = [r for r in reports if r["overdue"]]
    least = least_first(session, totals(session).committed_pence)
    return {
        "as_of": today.isoformat(),
        "share_against_population": share_against_population(least, population_or_none(reference)),
        "held_tranches": len(held),
        "held_tranches_pence": sum(h["amount_pence"] for h in held),
        "reports_due": len(reports) - len(overdue),
        "reports_overdue": len(overdue),
        "lists": {
            "held-tranches": held,
            "reports-due": [r for r in reports if not r["overdue"]],
            "reports-overdue": overdue,
        },
    }
