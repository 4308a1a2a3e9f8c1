"""Properties every run must have, over generated registries, applications and policies."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import AllocationResult, ApplicationArrays, Constraint, NeighbourhoodArrays, Outcome, allocate
from allocation.domain.hashing import decisions_digest, inputs_hash
from allocation.domain.rationale import rationale_for
from allocation.domain.rationale_batch import rationales

from .builders import Scenario, scenarios

COLUMNS = ("rank", "need_bp", "award_pence", "awarded_pence", "outcome", "constraint", "budget_left_pence")
AWARDED = (Outcome.AWARDED, Outcome.AWARDED_PARTIAL)
PROPERTY = settings(deadline=None)  # timing is not under test; a loaded machine must not fail a property


def decide(s: Scenario) -> AllocationResult:
    """Run the engine on a scenario."""
    return allocate(s.applications, s.neighbourhoods, s.policy)


@PROPERTY
@given(scenarios())
def test_budget_less_reserve_is_never_exceeded(s: Scenario) -> None:
    result = decide(s)
    assert result.total_awarded_pence <= s.policy.available_pence
    assert (result.budget_left_pence >= 0).all()


@PROPERTY
@given(scenarios())
def test_awards_stay_in_range_and_partial_only_when_allowed(s: Scenario) -> None:
    result, p = decide(s), s.policy
    for outcome, awarded, whole in zip(result.outcome, result.awarded_pence, result.award_pence, strict=True):
        if outcome == Outcome.AWARDED:
            assert awarded == whole and p.min_award_pence <= awarded <= p.max_award_pence
        elif outcome == Outcome.AWARDED_PARTIAL:
            assert p.partial_awards and p.min_award_pence <= awarded < whole
        else:
            assert awarded == 0


@PROPERTY
@given(scenarios())
def test_region_caps_are_honoured_and_floors_never_overspent(s: Scenario) -> None:
    result = decide(s)
    names = s.neighbourhoods.region_names
    for name, cap in s.policy.region_caps.items():
        assert result.awarded_pence[result.region == names.index(name)].sum() <= cap
    floored = result.constraint == Constraint.REGION_FLOOR
    for name, floor in s.policy.region_floors.items():
        assert result.awarded_pence[floored & (result.region == names.index(name))].sum() <= floor


@PROPERTY
@given(scenarios())
def test_no_needier_application_is_declined_for_a_less_needy_one_without_a_named_reason(s: Scenario) -> None:
    result = decide(s)
    texts = rationales(result)
    ranked = [int(i) for i in result.order]
    for position, i in enumerate(ranked):
        outcome = result.outcome[i]
        later_awards = [j for j in ranked[position + 1 :] if result.outcome[j] in AWARDED]
        if outcome == Outcome.NOT_FUNDED_BUDGET:
            assert "budget" in texts[i]
            assert all(result.constraint[j] == Constraint.REGION_FLOOR for j in later_awards)
            assert all("floor reserved for" in texts[j] for j in later_awards)
        elif outcome == Outcome.NOT_FUNDED_REGION_CAP:
            assert "cap for" in texts[i]
            assert all(result.region[j] != result.region[i] for j in later_awards)
        elif outcome == Outcome.DUPLICATE_NEIGHBOURHOOD:
            assert "one award per neighbourhood" in texts[i]
            nb = s.applications.neighbourhood
            assert any(nb[k] == nb[i] for k in ranked[:position])
    for i in np.flatnonzero(result.outcome == Outcome.INELIGIBLE).tolist():
        assert texts[i].startswith("Not eligible") and result.rank[i] == 0


def _permuted(apps: ApplicationArrays, perm: list[int]) -> ApplicationArrays:
    """The same applications arriving in another order."""
    return ApplicationArrays(apps.application_id[perm], apps.neighbourhood[perm], apps.requested_pence[perm])


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_arrival_order(s: Scenario, rnd: random.Random) -> None:
    perm = list(range(len(s.applications)))
    rnd.shuffle(perm)
    first, second = decide(s), allocate(_permuted(s.applications, perm), s.neighbourhoods, s.policy)
    for column in COLUMNS:
        assert getattr(second, column).tolist() == getattr(first, column)[perm].tolist(), column
    assert decisions_digest(second) == decisions_digest(first)
    assert inputs_hash(_permuted(s.applications, perm), s.neighbourhoods, s.policy) == inputs_hash(
        s.applications, s.neighbourhoods, s.policy
    )
    assert rationales(second) == [rationales(first)[p] for p in perm]


@PROPERTY
@given(scenarios(), st.randoms(use_true_random=False))
def test_registry_row_order_and_region_numbering_do_not_matter(s: Scenario, rnd: random.Random) -> None:
    nbs = s.neighbourhoods
    rows = list(range(len(nbs)))
    rnd.shuffle(rows)
    names = list(nbs.region_names)
    rnd.shuffle(names)
    renumber = np.array([names.index(n) for n in nbs.region_names])
    shuffled = NeighbourhoodArrays(
        nbs.code[rows],
        nbs.imd_rank[rows],
        nbs.imd_decile[rows],
        nbs.cni_score[rows],
        nbs.left_behind[rows],
        renumber[nbs.region[rows]],
        tuple(names),
    )
    apps = s.applications
    moved = ApplicationArrays(apps.application_id, np.argsort(rows)[apps.neighbourhood], apps.requested_pence)
    assert inputs_hash(moved, shuffled, s.policy) == inputs_hash(apps, nbs, s.policy)
    assert decisions_digest(allocate(moved, shuffled, s.policy)) == decisions_digest(decide(s))


@PROPERTY
@given(scenarios())
def test_same_inputs_same_bytes(s: Scenario) -> None:
    copy = ApplicationArrays(
        s.applications.application_id.copy(), s.applications.neighbourhood.copy(), s.applications.requested_pence.copy()
    )
    first, second = decide(s), allocate(copy, s.neighbourhoods, s.policy)
    assert decisions_digest(first) == decisions_digest(second)
    assert rationales(first) == rationales(second)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_fast_rationales_equal_the_reference_sentence_by_sentence(s: Scenario) -> None:
    result = decide(s)
    assert rationales(result) == [rationale_for(result, i) for i in range(len(result))]
