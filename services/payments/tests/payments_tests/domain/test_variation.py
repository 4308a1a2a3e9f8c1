"""Re-profiling the remaining tranches: exact pence, the same end date, only the tail moved by a new pattern."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.domain.schedule import ANNUAL, SEMI_ANNUAL, TrancheDue, add_months, build_schedule, front_loaded
from payments.domain.variation import VariationError, months_between, reprofile_remaining

START = date(2026, 1, 31)


def grant(award: int, months: int) -> tuple[list[TrancheDue], date]:
    """A semi-annual schedule and its end date."""
    return build_schedule(award, months, START, SEMI_ANNUAL), add_months(START, months)


def test_a_new_total_re_spreads_the_remaining_tranches_on_their_dates() -> None:
    schedule, ends = grant(1_200_000, 36)  # six tranches of 200,000p
    remaining = schedule[2:]
    plan = reprofile_remaining(
        remaining, last_number=6, committed_pence=400_000, new_total_pence=1_000_003, pattern=None, ends_on=ends
    )
    assert [t.amount_pence for t in plan.tranches] == [150_001, 150_001, 150_001, 150_000]
    assert [t.due_on for t in plan.tranches] == [t.due_on for t in remaining]
    assert (plan.removed, plan.added, plan.total_pence) == ([], [], 600_003)


def test_annual_keeps_the_end_date_and_drops_the_surplus_numbers() -> None:
    schedule, ends = grant(1_200_000, 36)
    plan = reprofile_remaining(
        schedule[2:], last_number=6, committed_pence=400_000, new_total_pence=1_200_000, pattern=ANNUAL, ends_on=ends
    )
    assert [(t.number, t.due_on, t.amount_pence) for t in plan.tranches] == [
        (3, date(2027, 1, 31), 400_000),
        (4, date(2028, 1, 31), 400_000),
    ]
    assert (plan.removed, plan.added) == ([5, 6], [])
    back = reprofile_remaining(
        plan.tranches,
        last_number=4,
        committed_pence=400_000,
        new_total_pence=1_200_000,
        pattern=SEMI_ANNUAL,
        ends_on=ends,
    )
    assert [t.number for t in back.tranches] == [3, 4, 5, 6] and back.added == [5, 6]
    assert [t.due_on for t in back.tranches] == [t.due_on for t in schedule[2:]]


def test_front_loaded_puts_the_share_on_the_next_tranche() -> None:
    schedule, ends = grant(1_000_000, 24)
    plan = reprofile_remaining(
        schedule[1:],
        last_number=4,
        committed_pence=250_000,
        new_total_pence=1_000_000,
        pattern=front_loaded(5000),
        ends_on=ends,
    )
    assert [t.amount_pence for t in plan.tranches] == [375_000, 187_500, 187_500]


@pytest.mark.parametrize(
    ("remaining", "committed", "total", "pattern", "message"),
    [
        (slice(6, 6), 1_200_000, 1_300_000, None, "no tranche is left"),
        (slice(2, 6), 400_000, 400_000, None, "leaves 0p"),
        (slice(2, 6), 400_000, 400_003, None, "at least 1p each"),
        (slice(3, 6), 600_000, 1_200_000, ANNUAL, "not a whole number of annual periods"),
        (slice(2, 5), 400_000, 1_200_000, ANNUAL, "tail of the schedule"),
        (slice(5, 6), 1_000_000, 1_200_000, front_loaded(2000), "cannot be front-loaded"),
    ],
)
def test_what_cannot_apply_is_refused(
    remaining: slice, committed: int, total: int, pattern: object, message: str
) -> None:
    schedule, ends = grant(1_200_000, 36)
    with pytest.raises(VariationError, match=message):
        reprofile_remaining(
            schedule[remaining],
            last_number=6,
            committed_pence=committed,
            new_total_pence=total,
            pattern=pattern,
            ends_on=ends,
        )  # type: ignore[arg-type]


@given(
    award=st.integers(10_000, 10**10),
    periods=st.integers(2, 30),
    released=st.integers(0, 29),
    total=st.integers(1, 10**10),
    annual=st.booleans(),
)
def test_the_whole_schedule_always_sums_to_the_new_total(
    award: int, periods: int, released: int, total: int, annual: bool
) -> None:
    schedule, ends = grant(award, 6 * periods)
    released = min(released, periods - 1)
    committed = sum(t.amount_pence for t in schedule[:released])
    try:
        plan = reprofile_remaining(
            schedule[released:],
            last_number=periods,
            committed_pence=committed,
            new_total_pence=total,
            pattern=ANNUAL if annual else None,
            ends_on=ends,
        )
    except VariationError:
        assert total - committed < periods - released or (annual and (periods - released) % 2)
        return
    assert committed + plan.total_pence == total
    assert all(t.amount_pence >= 1 for t in plan.tranches)
    assert max(t.amount_pence for t in plan.tranches) - min(t.amount_pence for t in plan.tranches) <= 1
    assert plan.tranches[0].due_on == schedule[released].due_on
    assert months_between(plan.tranches[-1].due_on, ends) == (12 if annual else 6)
