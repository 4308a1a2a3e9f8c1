"""Diff two runs with the engine's diff, each recomputed from its stored inputs."""

from sqlalchemy.orm import Session

from allocation.adapters.lookup import find_run
from allocation.domain.diff import RunDiff
from allocation.domain.diff import diff_runs as engine_diff
from allocation.domain.result import AllocationResult
from allocation.usecases.verification import recompute, stored_inputs
from grants_shared.errors import Conflict


def _result(session: Session, run_id: str) -> AllocationResult:
    find_run(session, run_id)
    recomputed = recompute(stored_inputs(session, run_id))
    if recomputed is None:
        raise Conflict(
            f"Run {run_id} fails verification; it cannot be diffed.",
            code="run-inputs-unreadable",
            title="The run's stored inputs cannot be recomputed",
        )
    return recomputed.result


def diff_runs(session: Session, a: str, b: str) -> RunDiff:
    """Who gains and who loses from run a to run b, and where the money moves."""
    return engine_diff(_result(session, a), _result(session, b))
