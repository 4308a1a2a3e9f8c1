"""Tranche schedules: exact sums, the stated rounding rule, month arithmetic, validation, reprofiling."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.domain.schedule import (
    ANNUAL,
    SEMI_ANNUAL,
    PatternKind,
    ScheduleError,
    SchedulePattern,
    TrancheDue,
    add_months,
    build_schedule,
    front_loaded,
    reprofile,
    split_evenly,
)

starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
semi_annual_durations = st.integers(2, 40).map(lambda n: n * 6)


def months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def expected_even(total: int, parts: int) -> list[int]:
    """The stated rule, written independently: floor, then one extra penny to each of the earliest."""
    amounts = [total // parts] * parts
    for i in range(total - sum(amounts)):
        amounts[i] += 1
    return amounts


def test_one_and_a_half_million_over_ten_years_semi_annual() -> None:
    schedule = build_schedule(150_000_000, 120, date(2025, 4, 1))
    assert len(schedule) == 20
    assert {t.amount_pence for t in schedule} == {7_500_000}
    assert schedule[0] == TrancheDue(1, date(2025, 4, 1), 7_500_000)
    assert schedule[-1].due_on == date(2034, 10, 1)


def test_remainder_pennies_go_to_the_earliest_tranches() -> None:
    schedule = build_schedule(1_000_003, 24, date(2025, 1, 1))
    assert [t.amount_pence for t in schedule] == [250_001, 250_001, 250_001, 250_000]


def test_annual_pattern() -> None:
    schedule = build_schedule(1_000_000, 36, date(2025, 6, 15), ANNUAL)
    assert [(t.number, t.due_on, t.amount_pence) for t in schedule] == [
        (1, date(2025, 6, 15), 333_334),
        (2, date(2026, 6, 15), 333_333),
        (3, date(2027, 6, 15), 333_333),
    ]


def test_front_loaded_first_tranche_is_a_floor_of_basis_points() -> None:
    schedule = build_schedule(1_000_001, 24, date(2025, 1, 1), front_loaded(2000))
    assert schedule[0].amount_pence == 200_000  # floor(1_000_001 * 2000 / 10000)
    assert [t.amount_pence for t in schedule[1:]] == [266_667, 266_667, 266_667]
    assert sum(t.amount_pence for t in schedule) == 1_000_001


def test_month_end_clamping_is_computed_from_the_start_not_chained() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 12, 31), -10) == date(2024, 2, 29)
    schedule = build_schedule(1_200, 24, date(2024, 8, 31))
    assert [t.due_on for t in schedule] == [
        date(2024, 8, 31),
        date(2025, 2, 28),
        date(2025, 8, 31),
        date(2026, 2, 28),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 120, date(2025, 1, 1)), "award_pence must be a positive integer"),
        ((-5, 120, date(2025, 1, 1)), "award_pence must be a positive integer"),
        ((True, 120, date(2025, 1, 1)), "award_pence must be a positive integer"),
        ((1.5, 120, date(2025, 1, 1)), "award_pence must be a positive integer"),
        ((1_000, 6, date(2025, 1, 1)), "duration must be 12..240 months"),
        ((1_000, 246, date(2025, 1, 1)), "duration must be 12..240 months"),
        ((1_000, 27, date(2025, 1, 1)), "not a multiple"),
        ((1_000, 120, datetime(2025, 1, 1)), "must be a date"),
        ((3, 24, date(2025, 1, 1)), "cannot be spread over 4 tranches"),
        ((1_000, 120, date(9995, 1, 1)), "date out of range"),
    ],
)
def test_invalid_inputs_raise_schedule_error(args: tuple[object, object, object], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        build_schedule(*args)  # type: ignore[arg-type]


def test_annual_pattern_needs_whole_years() -> None:
    with pytest.raises(ScheduleError, match="not a multiple of the annual period"):
        build_schedule(1_000, 18, date(2025, 1, 1), ANNUAL)


@pytest.mark.parametrize("bps", [0, 10_000, -1, 12_000])
def test_front_loaded_share_must_be_a_proper_fraction(bps: int) -> None:
    with pytest.raises(ScheduleError, match="basis points"):
        front_loaded(bps)


def test_front_loaded_first_tranche_cannot_round_to_zero() -> None:
    with pytest.raises(ScheduleError, match="rounds to 0p"):
        build_schedule(4, 12, date(2025, 1, 1), front_loaded(1))


def test_malformed_patterns_are_refused() -> None:
    with pytest.raises(ScheduleError, match="needs first_tranche_bps"):
        build_schedule(1_000, 12, date(2025, 1, 1), SchedulePattern(PatternKind.FRONT_LOADED, 6))
    with pytest.raises(ScheduleError, match="takes no first_tranche_bps"):
        build_schedule(1_000, 12, date(2025, 1, 1), SchedulePattern(PatternKind.SEMI_ANNUAL, 6, 2000))


@given(
    award=st.integers(40, 10**13),
    duration=semi_annual_durations,
    start=starts,
    pattern=st.sampled_from([SEMI_ANNUAL, ANNUAL]),
)
def test_even_schedules_follow_the_stated_rule(
    award: int, duration: int, start: date, pattern: SchedulePattern
) -> None:
    if duration % pattern.period_months:
        with pytest.raises(ScheduleError):
            build_schedule(award, duration, start, pattern)
        return
    schedule = build_schedule(award, duration, start, pattern)
    amounts = [t.amount_pence for t in schedule]
    assert sum(amounts) == award
    assert amounts == expected_even(award, duration // pattern.period_months)
    assert max(amounts) - min(amounts) <= 1
    assert [t.number for t in schedule] == list(range(1, len(schedule) + 1))
    assert all(a.due_on < b.due_on for a, b in zip(schedule, schedule[1:], strict=False))
    for t in schedule:
        assert months_between(start, t.due_on) == (t.number - 1) * pattern.period_months
        assert t.due_on.day == min(start.day, calendar.monthrange(t.due_on.year, t.due_on.month)[1])


@given(award=st.integers(100, 10**13), duration=semi_annual_durations, start=starts, bps=st.integers(1, 9_999))
def test_front_loaded_schedules_sum_exactly(award: int, duration: int, start: date, bps: int) -> None:
    first = award * bps // 10_000
    if first < 1 or award - first < duration // 6 - 1:
        with pytest.raises(ScheduleError):
            build_schedule(award, duration, start, front_loaded(bps))
        return
    schedule = build_schedule(award, duration, start, front_loaded(bps))
    assert schedule[0].amount_pence == first
    assert sum(t.amount_pence for t in schedule) == award
    assert [t.amount_pence for t in schedule[1:]] == expected_even(award - first, len(schedule) - 1)
    assert all(a.due_on < b.due_on for a, b in zip(schedule, schedule[1:], strict=False))


@given(total=st.integers(0, 10**12), parts=st.integers(1, 500))
def test_split_evenly_is_the_stated_rule(total: int, parts: int) -> None:
    amounts = split_evenly(total, parts)
    assert sum(amounts) == total
    assert amounts == sorted(amounts, reverse=True)
    assert max(amounts) - min(amounts) <= 1


@given(
    award=st.integers(1_000, 10**12),
    paid=st.integers(0, 19),
    new_total=st.integers(1_000, 10**12),
    start=starts,
)
def test_reprofile_respreads_the_remainder_with_the_same_rule(
    award: int, paid: int, new_total: int, start: date
) -> None:
    remaining = build_schedule(award, 120, start)[paid:]
    varied = reprofile(remaining, new_total)
    assert sum(t.amount_pence for t in varied) == new_total
    assert [(t.number, t.due_on) for t in varied] == [(t.number, t.due_on) for t in remaining]
    assert [t.amount_pence for t in varied] == expected_even(new_total, len(remaining))


def test_reprofile_validation() -> None:
    schedule = build_schedule(1_000, 24, date(2025, 1, 1))
    with pytest.raises(ScheduleError, match="no remaining tranches"):
        reprofile([], 100)
    with pytest.raises(ScheduleError, match="positive integer"):
        reprofile(schedule, 0)
    with pytest.raises(ScheduleError, match="at least 1p"):
        reprofile(schedule, 3)
    with pytest.raises(ScheduleError, match="increasing"):
        reprofile(list(reversed(schedule)), 100)
