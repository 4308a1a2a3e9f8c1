"""All rationales of a run at once: shared tails are rendered vectorised, one-off ones per row."""

from __future__ import annotations

import numpy as np

from allocation.domain.arrays import Int64Array
from allocation.domain.rationale import (
    DUPLICATE_TAIL,
    budget_spent_tail,
    drawdown_spent_tail,
    ineligible_text,
    rationale_for,
    region_cap_tail,
)
from allocation.domain.result import AllocationResult, Constraint, Outcome
from allocation.domain.textblock import ObjectArray, render


def _fill_ineligible(result: AllocationResult, out: ObjectArray) -> None:
    """Ineligible rows share one sentence per IMD decile (the same str object, not copies)."""
    rows = np.flatnonzero(result.outcome == Outcome.INELIGIBLE)
    if len(rows) == 0:
        return
    by_decile = np.empty(11, dtype=object)
    by_decile[:] = [ineligible_text(result, d) for d in range(11)]
    out[rows] = by_decile[result.neighbourhoods.imd_decile[result.applications.neighbourhood[rows]]]


def _shared_tails(result: AllocationResult) -> tuple[Int64Array, list[str]]:
    """Tail id per input row (-1 where the tail is one-off or the row is ineligible) and the shared tails."""
    outcome, constraint = result.outcome, result.constraint
    tail_ids = np.full(len(result), -1, dtype=np.int64)
    tails = [DUPLICATE_TAIL]
    tail_ids[outcome == Outcome.DUPLICATE_NEIGHBOURHOOD] = 0
    capped = np.flatnonzero(outcome == Outcome.NOT_FUNDED_REGION_CAP)
    if len(capped):
        names = result.neighbourhoods.region_names
        tail_ids[capped] = len(tails) + result.neighbourhoods.region[result.applications.neighbourhood[capped]]
        tails += [region_cap_tail(result, name) if name in result.policy.region_caps else "" for name in names]
    spent = np.flatnonzero((outcome == Outcome.NOT_FUNDED_BUDGET) & (constraint == Constraint.BUDGET_SPENT))
    if len(spent):
        left = result.budget_left_pence[spent]
        if left.min() == left.max():  # the usual case: one amount left once the walk stopped
            values, which = left[:1], np.zeros(len(spent), dtype=np.int64)
        else:
            values, which = np.unique(left, return_inverse=True)
        tail_ids[spent] = len(tails) + which
        tails += [budget_spent_tail(result, int(v)) for v in values]
    stopped = np.flatnonzero(constraint == Constraint.DRAWDOWN_SPENT)
    if len(stopped):
        tail_ids[stopped] = len(tails)
        tails.append(drawdown_spent_tail(result))
    return tail_ids, tails


def rationales(result: AllocationResult) -> list[str]:
    """The rationale of every application, in input order; equal to rationale_for row by row."""
    out = np.empty(len(result), dtype=object)
    _fill_ineligible(result, out)
    tail_ids, tails = _shared_tails(result)
    # Working in input order keeps each rendered group's writes into out ascending (cache-friendly).
    rows = np.flatnonzero(tail_ids >= 0)
    render(out, rows, result.rank[rows], result.need_bp[rows], tail_ids[rows], tails, result.n_eligible)
    one_off = (tail_ids < 0) & (result.outcome != Outcome.INELIGIBLE)
    for row in np.flatnonzero(one_off).tolist():
        out[row] = rationale_for(result, row)
    texts: list[str] = out.tolist()
    return texts
