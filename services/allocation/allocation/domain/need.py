"""The need index: a composite score from IMD and CNI percentiles, exact in integer basis points.

Formula (all integer arithmetic, so every machine gets the same numbers):

- IMD percentile, in basis points (0..10000) among the N neighbourhoods given:
  ``imd_bp = 10000 * L // (N - 1)`` where L counts neighbourhoods strictly less deprived (higher IMD rank).
  The most deprived scores 10000, the least 0; tied ranks share a percentile; N == 1 scores 10000.
- CNI percentile likewise among the Nc neighbourhoods that hold a CNI score (higher score = more need):
  ``cni_bp = 10000 * L // (Nc - 1)`` with L counting those with a strictly lower CNI score.
- Need score: ``need_bp = (imd_weight * imd_bp + cni_weight * cni_bp + 50) // 100`` (weights sum to 100,
  rounded half up); where the CNI is missing, ``need_bp = imd_bp`` (IMD alone).

The score is shown on a 0-100 scale to one decimal place: tenths = (need_bp + 5) // 10, half up.
Percentiles are taken over the whole registry given, not over the applicants, so a neighbourhood's
score does not depend on who else applied.
"""

from __future__ import annotations

import numpy as np

from allocation.domain.arrays import BoolArray, Int64Array, NeighbourhoodArrays
from allocation.domain.policy import Policy

FULL_BP = 10_000


def _percentile_bp(less_needy: Int64Array, count: int) -> Int64Array:
    """Share of the others that are less needy, in basis points, floored."""
    if count <= 1:
        return np.full(len(less_needy), FULL_BP, dtype=np.int64)
    result: Int64Array = (less_needy * FULL_BP) // (count - 1)
    return result


def imd_percentile_bp(imd_rank: Int64Array) -> Int64Array:
    """IMD percentile of each neighbourhood (10000 = most deprived of those given)."""
    ordered = np.sort(imd_rank)
    less_deprived = len(ordered) - np.searchsorted(ordered, imd_rank, side="right")
    return _percentile_bp(less_deprived.astype(np.int64), len(ordered))


def cni_percentile_bp(cni_score: np.ndarray, present: BoolArray) -> Int64Array:
    """CNI percentile of each neighbourhood that holds a score; 0 where missing."""
    held = cni_score[present]
    ordered = np.sort(held)
    result = np.zeros(len(cni_score), dtype=np.int64)
    lower = np.searchsorted(ordered, held, side="left").astype(np.int64)
    result[present] = _percentile_bp(lower, len(ordered))
    return result


def need_scores_bp(neighbourhoods: NeighbourhoodArrays, policy: Policy) -> Int64Array:
    """Need score of every neighbourhood in basis points of the 0-100 scale."""
    present = neighbourhoods.cni_present
    imd_bp = imd_percentile_bp(neighbourhoods.imd_rank)
    cni_bp = cni_percentile_bp(neighbourhoods.cni_score, present)
    blended = (policy.imd_weight * imd_bp + policy.cni_weight * cni_bp + 50) // 100
    scores: Int64Array = np.where(present, blended, imd_bp)
    return scores


def format_score(need_bp: int) -> str:
    """A need score as text to one decimal place, half up: 6134 -> '61.3'."""
    tenths = (need_bp + 5) // 10
    return f"{tenths // 10}.{tenths % 10}"


def eligible_neighbourhoods(neighbourhoods: NeighbourhoodArrays, policy: Policy) -> BoolArray:
    """Which neighbourhoods the policy's eligibility rule admits."""
    if policy.eligibility == "left_behind":
        return neighbourhoods.left_behind.copy()
    if policy.eligibility == "imd_decile_1_2":
        admitted: BoolArray = neighbourhoods.imd_decile <= 2
        return admitted
    return np.ones(len(neighbourhoods), dtype=np.bool_)
