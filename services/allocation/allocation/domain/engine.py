"""Least-first allocation: rank eligible applications by need with one sort, then walk the budget."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from allocation.domain.arrays import ApplicationArrays, BytesArray, Int64Array, NeighbourhoodArrays
from allocation.domain.need import eligible_neighbourhoods, need_scores_bp
from allocation.domain.policy import Policy
from allocation.domain.result import AllocationResult, Constraint, Int8Array, Outcome
from allocation.domain.walk import walk

UInt64Array = npt.NDArray[np.uint64]


def neighbourhood_positions(neighbourhoods: NeighbourhoodArrays, need_bp: Int64Array) -> Int64Array:
    """Each neighbourhood's place in need order: need desc, IMD rank asc, code asc (codes are unique)."""
    order = np.lexsort((neighbourhoods.code, neighbourhoods.imd_rank, -need_bp))
    positions = np.empty(len(neighbourhoods), dtype=np.int64)
    positions[order] = np.arange(len(neighbourhoods))
    return positions


def _varying_bytes(ids: BytesArray) -> npt.NDArray[np.uint8]:
    """The ids as a byte matrix without the columns every id shares: comparing the rest orders them the same."""
    matrix = np.ascontiguousarray(ids).view(np.uint8).reshape(len(ids), ids.dtype.itemsize)
    if len(ids) < 2:
        return matrix[:, :0]
    varying: npt.NDArray[np.uint8] = matrix[:, np.flatnonzero((matrix != matrix[0]).any(axis=0))]
    return varying


def _big_endian_words(matrix: npt.NDArray[np.uint8]) -> list[UInt64Array]:
    """Rows of bytes as unsigned 8-byte words, most significant first (left-padded with zero bytes)."""
    width = -(-matrix.shape[1] // 8) * 8
    padded = np.zeros((matrix.shape[0], max(width, 8)), dtype=np.uint8)
    padded[:, padded.shape[1] - matrix.shape[1]:] = matrix
    words = padded.view(">u8")
    return [words[:, k].astype(np.uint64) for k in range(words.shape[1])]


def ranking_keys(ids: BytesArray, place: Int64Array, places: int) -> tuple[UInt64Array, ...]:
    """Integer keys for np.lexsort (least significant first) ordering rows by (place, id) exactly.

    When the bytes in which ids differ fit beside the place in 64 bits, one packed key does it;
    otherwise the id bytes become big-endian words and the place comes last (most significant).
    """
    varying = _varying_bytes(ids)
    place_bits = max(int(places - 1).bit_length(), 1)
    words = _big_endian_words(varying)
    if 8 * varying.shape[1] + place_bits <= 64:
        return (place.astype(np.uint64) << np.uint64(8 * varying.shape[1]) | words[0],)
    return (*reversed(words), place.astype(np.uint64))


def rank_order(applications: ApplicationArrays, neighbourhoods: NeighbourhoodArrays, need_bp: Int64Array,
               rows: Int64Array) -> tuple[Int64Array, Int64Array]:
    """The given rows in rank order (need desc, IMD rank asc, code asc, application id asc), and their neighbourhoods.

    One np.lexsort over the applications. The three neighbourhood keys are folded into the
    neighbourhood's position (ranked over the few thousand neighbourhoods) and the ids into integer
    words; together they keep the order of the keys they stand for exactly.
    """
    everyone = len(rows) == len(applications)  # rows is then 0..n-1: skip the copies
    nb = applications.neighbourhood if everyone else applications.neighbourhood[rows]
    ids = applications.application_id if everyone else applications.application_id[rows]
    place = neighbourhood_positions(neighbourhoods, need_bp)[nb]
    keys = ranking_keys(ids, place, len(neighbourhoods))
    positions = np.lexsort(keys)
    # Rows tie on every key only if they share a neighbourhood and an id; such rows end up adjacent.
    tied = np.ones(max(len(positions) - 1, 0), dtype=np.bool_)
    for key in keys:
        ranked_key = key[positions]
        tied &= ranked_key[1:] == ranked_key[:-1]
    if tied.any():
        raise ValueError("application ids must be unique")
    ranked: Int64Array = positions if everyone else rows[positions]
    return ranked, nb[positions]


def _name_clamps(constraint: Int8Array, rows: Int64Array, requested: Int64Array, policy: Policy) -> None:
    """Mark full awards whose amount the policy's minimum or maximum set."""
    plain = rows[constraint[rows] == Constraint.NONE]
    constraint[plain[requested[plain] < policy.min_award_pence]] = Constraint.MIN_AWARD
    constraint[plain[requested[plain] > policy.max_award_pence]] = Constraint.MAX_AWARD


def allocate(applications: ApplicationArrays, neighbourhoods: NeighbourhoodArrays,
             policy: Policy) -> AllocationResult:
    """Decide every application under the policy; integer pence throughout, never over budget."""
    n = len(applications)
    nb = applications.neighbourhood
    if n and (nb.min() < 0 or nb.max() >= len(neighbourhoods)):
        raise ValueError("an application names a neighbourhood row that does not exist")
    need_nb = need_scores_bp(neighbourhoods, policy)
    eligible = eligible_neighbourhoods(neighbourhoods, policy)[nb]
    rows = np.arange(n, dtype=np.int64) if eligible.all() else np.flatnonzero(eligible)
    ranked, nb_ranked = rank_order(applications, neighbourhoods, need_nb, rows)

    requested = applications.requested_pence
    award = np.clip(requested, policy.min_award_pence, policy.max_award_pence)
    regional = bool(policy.region_caps or policy.region_floors)
    region = neighbourhoods.region[nb_ranked] if regional else None
    decided = walk(award[ranked], nb_ranked, region, neighbourhoods.region_names, policy)

    rank = np.zeros(n, dtype=np.int64)
    rank[ranked] = np.arange(1, len(ranked) + 1)
    awarded = np.zeros(n, dtype=np.int64)
    paid = np.flatnonzero(decided.awarded)
    awarded[ranked[paid]] = decided.awarded[paid]
    outcome = np.full(n, Outcome.INELIGIBLE, dtype=np.int8)
    outcome[ranked] = decided.outcome
    constraint = np.full(n, Constraint.ELIGIBILITY, dtype=np.int8)
    constraint[ranked] = decided.constraint
    _name_clamps(constraint, ranked[paid], requested, policy)
    budget_left = np.full(n, policy.available_pence, dtype=np.int64)
    budget_left[ranked] = decided.budget_left
    return AllocationResult(
        applications=applications, neighbourhoods=neighbourhoods, policy=policy, order=ranked, rank=rank,
        need_bp=need_nb[nb], award_pence=award, awarded_pence=awarded, outcome=outcome,
        constraint=constraint, budget_left_pence=budget_left,
    )
