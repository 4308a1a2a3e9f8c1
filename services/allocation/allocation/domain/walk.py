"""The award walk over ranked applications: floors, caps, then the budget, with cumulative sums."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.domain.arrays import BoolArray, Int64Array
from allocation.domain.policy import Policy
from allocation.domain.result import Constraint, Int8Array, Outcome


@dataclass(frozen=True, slots=True)
class Walk:
    """Decisions for the eligible applications, in rank order (MIN/MAX_AWARD are left to the caller)."""

    awarded: Int64Array
    outcome: Int8Array
    constraint: Int8Array
    budget_left: Int64Array


def _within(amount: Int64Array, limit: int) -> tuple[int, int]:
    """How many leading amounts fit within limit, and how much of it they leave."""
    spent = np.cumsum(amount)
    fit = int(np.searchsorted(spent, limit, side="right"))
    return fit, limit - (int(spent[fit - 1]) if fit else 0)


def _in_region(candidate: BoolArray, region: Int64Array | None, names: tuple[str, ...], name: str) -> Int64Array:
    """Rank positions of the candidates in the named region (none if the region is unknown)."""
    if region is None or name not in names:
        return np.zeros(0, dtype=np.int64)
    rows: Int64Array = np.flatnonzero(candidate & (region == names.index(name)))
    return rows


def walk(
    award: Int64Array, neighbourhood: Int64Array, region: Int64Array | None, names: tuple[str, ...], policy: Policy
) -> Walk:
    """Decide every ranked application; the sum of awards never exceeds the available budget."""
    m = len(award)
    if m * policy.max_award_pence >= 2**62:
        raise ValueError("too many applications for exact int64 sums at this maximum award")
    outcome = np.full(m, Outcome.AWARDED, dtype=np.int8)
    constraint = np.full(m, Constraint.NONE, dtype=np.int8)
    candidate = np.ones(m, dtype=np.bool_)
    if policy.one_award_per_neighbourhood and m > 1:
        # Applications of one neighbourhood share every ranking key but the id, so they are adjacent.
        np.not_equal(neighbourhood[1:], neighbourhood[:-1], out=candidate[1:])
        outcome[~candidate] = Outcome.DUPLICATE_NEIGHBOURHOOD
        constraint[~candidate] = Constraint.ONE_PER_NEIGHBOURHOOD
    amount = np.where(candidate, award, 0)

    floored = np.zeros(0, dtype=np.int64)
    for name, floor in sorted(policy.region_floors.items()):
        rows = _in_region(candidate, region, names, name)
        floored = np.concatenate([floored, rows[: _within(amount[rows], floor)[0]]])
    floored.sort()
    constraint[floored] = Constraint.REGION_FLOOR
    floor_amounts = amount[floored]

    capped = np.zeros(0, dtype=np.int64)
    for name, cap in sorted(policy.region_caps.items()):
        rows = _in_region(candidate, region, names, name)
        fit, room = _within(amount[rows], cap)
        if fit < len(rows) and policy.partial_awards and room >= policy.min_award_pence:
            amount[rows[fit]] = room
            outcome[rows[fit]] = Outcome.AWARDED_PARTIAL
            constraint[rows[fit]] = Constraint.REGION_CAP
            fit += 1
        capped = np.concatenate([capped, rows[fit:]])
    amount[capped] = 0

    main = amount
    main[floored] = 0
    pool = policy.available_pence - int(floor_amounts.sum())
    stop, left = _within(main, pool)
    if stop < m:
        # The first application that does not fit ends the walk: later ones are declined whatever they ask.
        later = candidate[stop + 1 :].copy()
        later[floored[floored > stop] - stop - 1] = False
        outcome[stop + 1 :][later] = Outcome.NOT_FUNDED_BUDGET
        constraint[stop + 1 :][later] = Constraint.BUDGET_SPENT
        main[stop + 1 :] = 0
        if policy.partial_awards and left >= policy.min_award_pence:
            main[stop] = left
            outcome[stop] = Outcome.AWARDED_PARTIAL
            constraint[stop] = Constraint.BUDGET
        else:
            main[stop] = 0
            outcome[stop] = Outcome.NOT_FUNDED_BUDGET
            constraint[stop] = Constraint.BUDGET if left else Constraint.BUDGET_SPENT
        capped = capped[capped < stop]
    outcome[capped] = Outcome.NOT_FUNDED_REGION_CAP
    constraint[capped] = Constraint.REGION_CAP

    budget_left = pool - np.cumsum(main)
    budget_left[floored] = policy.available_pence - np.cumsum(floor_amounts)
    main[floored] = floor_amounts
    return Walk(main, outcome, constraint, budget_left)
