"""The drawdown plan as a constraint of the walk: no year over the plan, the stopping decision says which year."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.domain import Constraint, Outcome, allocate, rationale_for, rationales
from allocation.domain.drawdown import PlanLimit, year_profile
from allocation_tests.domain.builders import applications, policy, registry
from grants_shared.drawdown import by_year, financial_year, headroom, tranches

START = date(2026, 12, 7)
YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2026, 2046)]


def _limit(room: dict[str, int], durations: list[int], start: date = START) -> PlanLimit:
    return PlanLimit.build(start, room, np.array(durations, dtype=np.int64))


def test_the_award_that_would_break_a_year_is_declined_and_says_which_year() -> None:
    apps = applications([("A", 0, 300), ("B", 1, 300), ("C", 2, 100)])
    room = dict.fromkeys(YEARS, 10_000) | {"2027-28": 250}
    result = allocate(apps, registry([1, 2, 3]), policy(), _limit(room, [24, 24, 24]))

    assert result.outcome.tolist() == [Outcome.AWARDED, Outcome.NOT_FUNDED_BUDGET, Outcome.NOT_FUNDED_BUDGET]
    assert result.constraint[1] == Constraint.DRAWDOWN_LIMIT
    assert result.constraint[2] == Constraint.DRAWDOWN_SPENT
    assert "its £3 award would exceed the 2027-28 drawdown limit." in rationale_for(result, 1)
    assert "2027-28 drawdown limit" in rationale_for(result, 2)
    assert rationales(result) == [rationale_for(result, i) for i in range(3)]


def test_a_plan_with_room_changes_nothing() -> None:
    apps = applications([("A", 0, 300), ("B", 1, 300), ("C", 2, 100)])
    plain = allocate(apps, registry([1, 2, 3]), policy())
    planned = allocate(apps, registry([1, 2, 3]), policy(), _limit(dict.fromkeys(YEARS, 700), [24, 24, 24]))
    assert planned.awarded_pence.tolist() == plain.awarded_pence.tolist()
    assert planned.plan_year is None


@given(
    amount=st.lists(st.integers(1, 10**9), min_size=1, max_size=20),
    duration=st.lists(st.integers(2, 40), min_size=20, max_size=20),
    start=st.dates(date(2026, 1, 1), date(2035, 12, 31)),
)
def test_year_profile_is_payments_schedule_rule(amount: list[int], duration: list[int], start: date) -> None:
    months = [6 * d for d in duration[: len(amount)]]
    limit = _limit(dict.fromkeys(YEARS, 0), months, start)
    profile = year_profile(np.array(amount, dtype=np.int64), limit.duration_months, limit)
    for row, (pence, length) in enumerate(zip(amount, months, strict=True)):
        expected = by_year(tranches(pence, length, start))
        assert {y: int(v) for y, v in zip(YEARS, profile[row], strict=True) if v} == {
            y: v for y, v in expected.items() if y in YEARS and v
        }


Grant = list[tuple[date, int]]
ROUND = st.tuples(
    st.lists(st.tuples(st.integers(100, 300), st.sampled_from([12, 24, 60, 120, 180])), min_size=1, max_size=12),
    st.integers(0, 800),  # days after the previous round
    st.lists(st.sampled_from(["vary", "close", "none"]), max_size=3),
)


def _obligations(grants: list[Grant]) -> dict[str, int]:
    return by_year(t for grant in grants for t in grant)


@settings(max_examples=60, deadline=None)
@given(
    rounds=st.lists(ROUND, min_size=1, max_size=6),
    plan=st.lists(st.integers(0, 900), min_size=20, max_size=20),
    pool_total=st.integers(500, 6000),
)
def test_no_sequence_of_rounds_variations_and_closures_breaks_the_plan_or_the_pool(
    rounds: list[tuple[list[tuple[int, int]], int, list[str]]], plan: list[int], pool_total: int
) -> None:
    limits = dict(zip(YEARS, plan, strict=True))
    grants: list[Grant] = []
    committed, day = 0, START
    for asks, gap, changes in rounds:
        day = date.fromordinal(day.toordinal() + gap)
        left = pool_total - committed
        if left < 100:
            break
        apps = applications([(f"A{i}", i, ask) for i, (ask, _) in enumerate(asks)])
        months = [m for _, m in asks]
        room = headroom_for(limits, grants)
        result = allocate(
            apps, registry(list(range(1, len(asks) + 1))), policy(budget_pence=left), _limit(room, months, day)
        )
        for i in np.flatnonzero(result.awarded_pence).tolist():
            grants.append(tranches(int(result.awarded_pence[i]), months[i], day))
        committed += result.total_awarded_pence
        for change in changes:  # variations lower what is left of a grant; closures cancel it
            if grants and change == "vary":
                grants[-1] = [(d, p // 2) for d, p in grants[-1]]
            elif grants and change == "close":
                grants.pop(0)
        assert committed <= pool_total
        owed = _obligations(grants)
        assert all(owed.get(y, 0) <= limits[y] for y in YEARS), (owed, limits)


def headroom_for(limits: dict[str, int], grants: list[Grant]) -> dict[str, int]:
    """The plan's headroom given the grants' remaining tranches (the shared rule the service uses)."""
    from grants_shared.drawdown import DrawdownPlan

    plan = DrawdownPlan(version="t", endowment_pence=0, years=limits)
    return headroom(plan, _obligations(grants))


def test_financial_years_run_april_to_march() -> None:
    assert financial_year(date(2031, 4, 1)) == "2031-32"
    assert financial_year(date(2032, 3, 31)) == "2031-32"
