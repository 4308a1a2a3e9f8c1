"""How results are shown over HTTP: plain JSON-safe dicts matching the output models of `routes/schemas.py`."""

from typing import Any

from allocation.adapters.orm import AssessedApplication, Decision, Partnership, Run
from allocation.adapters.pool import as_pool_application
from allocation.adapters.records import decision_view, round_view, run_summary_view, vintage_view
from allocation.domain.diff import Change, RunDiff
from grants_shared.clock import iso

__all__ = [
    "application_decision_view",
    "decision_view",
    "diff_view",
    "page",
    "pool_item_view",
    "round_view",
    "run_summary_view",
    "vintage_view",
]


def application_decision_view(decision: Decision, run: Run) -> dict[str, Any]:
    """An application's committed decision as ApplicationDecisionOut."""
    return {
        **decision_view(decision),
        "run_id": run.id,
        "round_id": run.round_id,
        "decided_at": iso(decision.decided_at),
    }


def page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a list, as Page."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def _change(change: Change) -> dict[str, Any]:
    return {
        "application_id": change.application_id,
        "awarded_a_pence": change.awarded_a,
        "awarded_b_pence": change.awarded_b,
        "delta_pence": change.delta,
    }


def diff_view(a: str, b: str, diff: RunDiff) -> dict[str, Any]:
    """The engine's diff as DiffOut: every figure is run b minus run a, in pence."""
    return {
        "a": a,
        "b": b,
        "total_a_pence": diff.total_a,
        "total_b_pence": diff.total_b,
        "delta_pence": diff.total_b - diff.total_a,
        "moved_pence": diff.moved_pence,
        "changes": len(diff.changes),
        "gainers": [_change(c) for c in diff.gainers],
        "losers": [_change(c) for c in diff.losers],
        "by_region_pence": diff.by_region,
        "by_imd_decile_pence": {str(decile): delta for decile, delta in diff.by_imd_decile.items()},
    }


def pool_item_view(row: AssessedApplication, partnership: Partnership | None) -> dict[str, Any]:
    """An application of the pool as a run would see it (PoolItemOut keeps the fields it shows)."""
    return as_pool_application(row, partnership).as_json()
