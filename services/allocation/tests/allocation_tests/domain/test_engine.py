"""The allocation engine, one rule at a time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import AllocationResult, Constraint, NeighbourhoodArrays, Outcome, allocate
from allocation.domain.ranking import rank_rows

from .builders import applications, policy, registry

A, P, B, CAP, DUP, INEL = (
    Outcome.AWARDED,
    Outcome.AWARDED_PARTIAL,
    Outcome.NOT_FUNDED_BUDGET,
    Outcome.NOT_FUNDED_REGION_CAP,
    Outcome.DUPLICATE_NEIGHBOURHOOD,
    Outcome.INELIGIBLE,
)


def run(rows: list[tuple[str, int, int]], nbs: NeighbourhoodArrays | None = None, **overrides: Any) -> AllocationResult:
    """Allocate the given (id, neighbourhood, requested) rows over five neighbourhoods by default."""
    return allocate(applications(rows), nbs if nbs is not None else registry([1, 2, 3, 4, 5]), policy(**overrides))


def one_each(requests: list[int]) -> list[tuple[str, int, int]]:
    """One application per neighbourhood, in need order: a on N0 (most deprived), b on N1, ..."""
    return [(chr(ord("a") + i), i, r) for i, r in enumerate(requests)]


def test_ranks_by_need_highest_first() -> None:
    result = run([("a", 4, 100), ("b", 0, 100), ("c", 2, 100)])
    assert result.rank.tolist() == [3, 1, 2]
    assert result.need_bp.tolist() == [0, 10000, 5000]
    assert result.order.tolist() == [1, 2, 0]


def test_equal_need_goes_to_the_lower_imd_rank() -> None:
    nbs = registry([1, 2, 3], cni=[10.0, 20.0, 30.0])  # the blend makes all three score exactly 50.00
    result = run([("a", 2, 100), ("b", 0, 100), ("c", 1, 100)], nbs)
    assert result.need_bp.tolist() == [5000, 5000, 5000]
    assert result.rank.tolist() == [3, 1, 2]


def test_equal_need_and_imd_rank_go_by_neighbourhood_code() -> None:
    result = run([("a", 0, 100), ("b", 1, 100)], registry([1, 1], codes=["B", "A"]))
    assert result.rank.tolist() == [2, 1]


def test_within_a_neighbourhood_the_application_id_breaks_the_tie() -> None:
    result = run([("b", 0, 100), ("a", 0, 100), ("c", 0, 100)], one_award_per_neighbourhood=False)
    assert result.rank.tolist() == [2, 1, 3]


def test_awards_are_requests_clamped_to_the_policy_range() -> None:
    result = run(one_each([50, 500, 200]), budget_pence=10_000)
    assert result.awarded_pence.tolist() == [100, 300, 200]
    assert result.constraint.tolist() == [Constraint.MIN_AWARD, Constraint.MAX_AWARD, Constraint.NONE]


def test_walk_stops_at_the_first_award_that_does_not_fit() -> None:
    result = run(one_each([300, 300, 300, 300, 100]))
    assert result.awarded_pence.tolist() == [300, 300, 300, 0, 0]
    assert result.outcome.tolist() == [A, A, A, B, B]
    assert result.constraint.tolist()[3:] == [Constraint.BUDGET, Constraint.BUDGET_SPENT]
    assert result.budget_left_pence.tolist() == [700, 400, 100, 100, 100]


def test_partial_award_takes_what_is_left_when_at_least_the_minimum() -> None:
    result = run(one_each([300, 300, 300, 300, 100]), partial_awards=True)
    assert result.awarded_pence.tolist() == [300, 300, 300, 100, 0]
    assert result.outcome.tolist() == [A, A, A, P, B]
    assert result.constraint.tolist()[3:] == [Constraint.BUDGET, Constraint.BUDGET_SPENT]
    assert result.budget_left_pence.tolist() == [700, 400, 100, 0, 0]


def test_no_partial_award_below_the_minimum() -> None:
    result = run(one_each([300, 300, 300, 300]), partial_awards=True, budget_pence=950)
    assert result.awarded_pence.tolist() == [300, 300, 300, 0]
    assert result.constraint[3] == Constraint.BUDGET


def test_an_exactly_spent_budget_declines_the_rest_as_spent() -> None:
    result = run(one_each([300, 300, 300, 300]), budget_pence=900)
    assert result.constraint.tolist()[3] == Constraint.BUDGET_SPENT
    assert result.budget_left_pence.tolist()[3] == 0


def test_the_reserve_is_never_spent() -> None:
    result = run(one_each([300, 300, 300]), budget_pence=1000, reserve_pence=400)
    assert result.total_awarded_pence == 600


def test_one_award_per_neighbourhood() -> None:
    rows = [("b", 0, 300), ("a", 0, 300), ("c", 1, 300)]
    result = run(rows)
    assert result.outcome.tolist() == [DUP, A, A]
    assert result.constraint[0] == Constraint.ONE_PER_NEIGHBOURHOOD
    assert result.rank.tolist() == [2, 1, 3]
    assert run(rows, one_award_per_neighbourhood=False).outcome.tolist() == [A, A, A]


def test_ineligible_applications_are_not_ranked() -> None:
    nbs = registry([1, 2, 3], left_behind=[True, False, True], decile=[1, 3, 2])
    result = run([("a", 0, 100), ("b", 1, 100), ("c", 2, 100)], nbs, eligibility="left_behind")
    assert result.outcome.tolist() == [A, INEL, A]
    assert result.constraint[1] == Constraint.ELIGIBILITY
    assert result.rank.tolist() == [1, 0, 2]
    assert result.n_eligible == 2
    assert result.budget_left_pence[1] == 1000
    assert run([("a", 0, 100), ("b", 1, 100), ("c", 2, 100)], nbs, eligibility="imd_decile_1_2").outcome[1] == INEL


def test_region_cap_declines_the_rest_of_that_region_only() -> None:
    nbs = registry([1, 2, 3, 4, 5], region=[0, 1, 0, 0, 1])
    result = run(one_each([300] * 5), nbs, budget_pence=3000, region_caps={"London": 500})
    assert result.outcome.tolist() == [A, A, CAP, CAP, A]
    assert result.constraint.tolist()[2:4] == [Constraint.REGION_CAP, Constraint.REGION_CAP]


def test_region_cap_cuts_an_award_when_partial_awards_are_allowed() -> None:
    nbs = registry([1, 2, 3, 4, 5], region=[0, 1, 0, 0, 1])
    result = run(one_each([300] * 5), nbs, budget_pence=3000, region_caps={"London": 500}, partial_awards=True)
    assert result.awarded_pence.tolist() == [300, 300, 200, 0, 300]
    assert result.outcome.tolist() == [A, A, P, CAP, A]
    assert result.constraint[2] == Constraint.REGION_CAP


def test_after_the_budget_stops_the_budget_is_the_reason_not_the_cap() -> None:
    nbs = registry([1, 2, 3, 4, 5], region=[0, 1, 0, 0, 1])
    result = run(one_each([300] * 5), nbs, budget_pence=500, region_caps={"London": 300})
    assert result.outcome.tolist() == [A, B, B, B, B]
    assert result.constraint.tolist()[1:] == [Constraint.BUDGET] + [Constraint.BUDGET_SPENT] * 3


def test_region_floor_funds_its_best_ranked_first() -> None:
    nbs = registry([1, 2, 3, 4], region=[0, 0, 0, 1])
    result = run(one_each([300] * 4), nbs, budget_pence=900, region_floors={"North East": 300})
    assert result.outcome.tolist() == [A, A, B, A]
    assert result.constraint[3] == Constraint.REGION_FLOOR
    assert result.budget_left_pence.tolist() == [300, 0, 0, 600]


def test_an_unused_floor_returns_to_the_shared_budget() -> None:
    nbs = registry([1, 2, 3, 4], region=[0, 0, 0, 1])
    result = run(one_each([300] * 4), nbs, budget_pence=900, region_floors={"North East": 250})
    assert result.outcome.tolist() == [A, A, A, B]


def test_duplicate_application_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        run([("a", 0, 100), ("a", 0, 200)])


def test_unknown_neighbourhood_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="neighbourhood"):
        run([("a", 7, 100)])


def test_no_applications_no_decisions() -> None:
    result = run([])
    assert len(result) == 0 and result.n_eligible == 0 and result.total_awarded_pence == 0


def test_outputs_are_integer_and_read_only() -> None:
    result = run(one_each([300, 300]))
    assert result.awarded_pence.dtype == np.int64 and result.budget_left_pence.dtype == np.int64
    with pytest.raises(ValueError):
        result.awarded_pence[0] = 1


ID_BYTES = st.binary(min_size=1, max_size=40).filter(lambda b: not b.endswith(b"\0"))


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(ID_BYTES, st.sampled_from([b"APP-1", b"APP-12", b"APP-2", b"AP"])), st.integers(0, 9000)),
        unique_by=lambda row: row[0],
    ),
    st.sampled_from([1, 9001, 2**20, 2**40]),
)
def test_rank_rows_orders_exactly_by_place_then_id_bytes(rows: list[tuple[bytes, int]], places: int) -> None:
    ids = np.array([r[0] for r in rows], dtype=np.bytes_) if rows else np.zeros(0, "S1")
    place = np.array([min(r[1], places - 1) for r in rows], dtype=np.int64)
    expected = sorted(range(len(rows)), key=lambda i: (int(place[i]), rows[i][0]))
    assert rank_rows(ids, place, places).tolist() == expected


def test_long_ids_that_tie_on_the_leading_word_are_ordered_by_the_rest() -> None:
    ids = np.array([b"x" * 30 + s for s in (b"c", b"a", b"b", b"a2")] + [b"y" * 31])
    assert rank_rows(ids, np.zeros(5, dtype=np.int64), 1).tolist() == [1, 3, 2, 0, 4]
    with pytest.raises(ValueError, match="unique"):
        rank_rows(np.array([b"x" * 30 + b"a", b"x" * 30 + b"a"]), np.zeros(2, dtype=np.int64), 1)
