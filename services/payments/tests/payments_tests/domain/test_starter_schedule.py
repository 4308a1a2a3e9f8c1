"""The starter grant's schedule rule: one or two tranches that sum exactly to the award; main grants unchanged."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.domain.release_conditions import AGREEMENT_SIGNED, PLAN_ENDORSED, ReleaseConditions
from payments.domain.schedule import SEMI_ANNUAL, ScheduleError, build_schedule, schedule_for

START = date(2027, 1, 31)


def test_a_short_starter_grant_is_paid_in_one_tranche_at_the_award() -> None:
    assert [(t.number, t.due_on, t.amount_pence) for t in schedule_for("starter", 1_000_001, 6, START)] == [
        (1, START, 1_000_001)
    ]


def test_a_starter_grant_of_a_year_or_more_is_paid_in_two_the_second_half_way() -> None:
    twelve = schedule_for("starter", 2_500_001, 12, START)
    assert [(t.due_on, t.amount_pence) for t in twelve] == [(START, 1_250_001), (date(2027, 7, 31), 1_250_000)]
    eighteen = schedule_for("starter", 5_000_000, 18, START)
    assert [t.due_on for t in eighteen] == [START, date(2027, 10, 31)]


@pytest.mark.parametrize("months", [0, 5, 19, 120])
def test_a_starter_grant_outside_its_duration_is_refused(months: int) -> None:
    with pytest.raises(ScheduleError, match="starter grant runs 6..18 months"):
        schedule_for("starter", 2_500_000, months, START)


def test_a_main_grant_keeps_the_semi_annual_schedule() -> None:
    assert schedule_for("main", 150_000_000, 120, START) == build_schedule(150_000_000, 120, START, SEMI_ANNUAL)


@given(st.integers(min_value=2, max_value=10**9), st.integers(min_value=6, max_value=18))
def test_a_starter_schedule_always_sums_to_the_award_in_at_most_two_tranches(award: int, months: int) -> None:
    tranches = schedule_for("starter", award, months, START)
    assert sum(t.amount_pence for t in tranches) == award and 1 <= len(tranches) <= 2
    assert [t.number for t in tranches] == list(range(1, len(tranches) + 1))
    assert max(t.amount_pence for t in tranches) - min(t.amount_pence for t in tranches) <= 1


def test_a_starter_grants_first_tranche_waits_for_the_agreement_but_no_plan() -> None:
    assert ReleaseConditions.for_tranche(1, "starter").required == (AGREEMENT_SIGNED,)
    assert ReleaseConditions.for_tranche(1).required == (AGREEMENT_SIGNED, PLAN_ENDORSED)
    assert ReleaseConditions.for_tranche(2, "starter") == ReleaseConditions.for_tranche(2)
