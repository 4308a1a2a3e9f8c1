"""Least-first allocation domain: pure rules over column arrays, no I/O."""

from allocation.domain.arrays import ApplicationArrays, NeighbourhoodArrays
from allocation.domain.diff import Change, RunDiff, diff_runs
from allocation.domain.engine import allocate
from allocation.domain.hashing import decisions_digest, inputs_hash
from allocation.domain.need import format_score, need_scores_bp
from allocation.domain.policy import Policy
from allocation.domain.rationale import format_gbp, rationale_for
from allocation.domain.rationale_batch import rationales
from allocation.domain.result import AllocationResult, Constraint, Outcome

__all__ = [
    "AllocationResult",
    "ApplicationArrays",
    "Change",
    "Constraint",
    "NeighbourhoodArrays",
    "Outcome",
    "Policy",
    "RunDiff",
    "allocate",
    "decisions_digest",
    "diff_runs",
    "format_gbp",
    "format_score",
    "inputs_hash",
    "need_scores_bp",
    "rationale_for",
    "rationales",
]
