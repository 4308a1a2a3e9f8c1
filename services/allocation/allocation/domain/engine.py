"""Least-first allocation: rank eligible applications by need with one sort, then walk the budget."""

from __future__ import annotations

import numpy as np

from allocation.domain.arrays import ApplicationArrays, Int64Array, NeighbourhoodArrays
from allocation.domain.drawdown import PlanLimit, plan_stop
from allocation.domain.need import eligible_neighbourhoods, need_scores_bp
from allocation.domain.policy import Policy
from allocation.domain.ranking import neighbourhood_places, rank_rows
from allocation.domain.result import AllocationResult, Constraint, Int8Array, Outcome
from allocation.domain.walk import Walk, walk


def rank_order(
    applications: ApplicationArrays, neighbourhoods: NeighbourhoodArrays, need_bp: Int64Array, rows: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """The rows in rank order (need desc, IMD rank asc, code asc, application id asc), and their neighbourhoods."""
    everyone = len(rows) == len(applications)  # rows is then 0..n-1: skip the copies
    nb = applications.neighbourhood if everyone else applications.neighbourhood[rows]
    ids = applications.application_id if everyone else applications.application_id[rows]
    positions = rank_rows(ids, neighbourhood_places(neighbourhoods, need_bp)[nb], len(neighbourhoods))
    ranked: Int64Array = positions if everyone else rows[positions]
    return ranked, nb[positions]


def _name_clamps(constraint: Int8Array, rows: Int64Array, requested: Int64Array, policy: Policy) -> None:
    """Mark full awards whose amount the policy's minimum or maximum set."""
    plain = rows[constraint[rows] == Constraint.NONE]
    constraint[plain[requested[plain] < policy.min_award_pence]] = Constraint.MIN_AWARD
    constraint[plain[requested[plain] > policy.max_award_pence]] = Constraint.MAX_AWARD


def _apply_plan(decided: Walk, duration_months: Int64Array, plan: PlanLimit, available: int) -> str | None:
    """Stop the walk at the first award that takes a year over the plan; the year that stopped it, if one did."""
    found = plan_stop(decided.awarded, duration_months, plan)
    if found is None:
        return None
    stop, year = found
    hit = (decided.awarded[stop:] > 0) | (decided.outcome[stop:] == Outcome.NOT_FUNDED_BUDGET)
    spent_before = int(decided.awarded[:stop].sum())
    decided.awarded[stop:][hit] = 0
    decided.outcome[stop:][hit] = Outcome.NOT_FUNDED_BUDGET
    decided.constraint[stop:][hit] = Constraint.DRAWDOWN_SPENT
    decided.constraint[stop] = Constraint.DRAWDOWN_LIMIT
    decided.budget_left[stop:][hit] = available - spent_before
    return plan.years[year]


def allocate(
    applications: ApplicationArrays,
    neighbourhoods: NeighbourhoodArrays,
    policy: Policy,
    plan: PlanLimit | None = None,
) -> AllocationResult:
    """Decide every application under the policy (and the drawdown plan, when given); never over budget or plan."""
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
    plan_year = None
    if plan is not None:
        plan_year = _apply_plan(decided, plan.duration_months[ranked], plan, policy.available_pence)

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
        applications=applications,
        neighbourhoods=neighbourhoods,
        policy=policy,
        order=ranked,
        rank=rank,
        need_bp=need_nb[nb],
        award_pence=award,
        awarded_pence=awarded,
        outcome=outcome,
        constraint=constraint,
        budget_left_pence=budget_left,
        plan_year=plan_year,
    )
