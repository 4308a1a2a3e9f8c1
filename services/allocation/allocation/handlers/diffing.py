"""Diff two runs with the engine's diff, each recomputed from its stored inputs."""

from typing import Any

from sqlalchemy.orm import Session

from allocation.domain.diff import Change, RunDiff
from allocation.domain.diff import diff_runs as engine_diff
from allocation.domain.result import AllocationResult
from allocation.handlers.queries import find_run
from allocation.handlers.verification import recompute, stored_inputs
from grants_shared.http.problems import Problem


def _result(session: Session, run_id: str) -> AllocationResult:
    find_run(session, run_id)
    recomputed = recompute(stored_inputs(session, run_id))
    if recomputed is None:
        raise Problem(409, "run-inputs-unreadable", "The run's stored inputs cannot be recomputed",
                      f"Run {run_id} fails verification; it cannot be diffed.")
    return recomputed.result


def _change(change: Change) -> dict[str, Any]:
    return {"application_id": change.application_id, "awarded_a_pence": change.awarded_a,
            "awarded_b_pence": change.awarded_b, "delta_pence": change.delta}


def diff_view(a: str, b: str, diff: RunDiff) -> dict[str, Any]:
    """The engine's diff as JSON: every figure is run b minus run a, in pence."""
    return {
        "a": a, "b": b, "total_a_pence": diff.total_a, "total_b_pence": diff.total_b,
        "delta_pence": diff.total_b - diff.total_a, "moved_pence": diff.moved_pence,
        "changes": len(diff.changes),
        "gainers": [_change(c) for c in diff.gainers], "losers": [_change(c) for c in diff.losers],
        "by_region_pence": diff.by_region,
        "by_imd_decile_pence": {str(decile): delta for decile, delta in diff.by_imd_decile.items()},
    }


def diff_runs(session: Session, a: str, b: str) -> dict[str, Any]:
    """Who gains and who loses from run a to run b, and where the money moves."""
    return diff_view(a, b, engine_diff(_result(session, a), _result(session, b)))
