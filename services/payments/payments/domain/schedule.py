"""Tranche schedules: an award split into dated tranches that always sum exactly to the award, in pence."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

MIN_DURATION_MONTHS = 12
MAX_DURATION_MONTHS = 240
BASIS_POINTS = 10_000


class ScheduleError(ValueError):
    """A schedule cannot be built or reprofiled from the given inputs."""


class PatternKind(StrEnum):
    """The shape of a schedule."""

    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"
    FRONT_LOADED = "front_loaded"


@dataclass(frozen=True)
class SchedulePattern:
    """How an award is spread: a tranche every `period_months`, optionally a larger first tranche."""

    kind: PatternKind
    period_months: int
    first_tranche_bps: int | None = None


SEMI_ANNUAL = SchedulePattern(PatternKind.SEMI_ANNUAL, 6)
ANNUAL = SchedulePattern(PatternKind.ANNUAL, 12)


def front_loaded(first_tranche_bps: int) -> SchedulePattern:
    """Semi-annual, the first tranche `first_tranche_bps` basis points of the award (2000 = 20%)."""
    _check_bps(first_tranche_bps)
    return SchedulePattern(PatternKind.FRONT_LOADED, 6, first_tranche_bps)


@dataclass(frozen=True)
class TrancheDue:
    """One scheduled tranche: its 1-based number, the date it falls due and its amount in pence."""

    number: int
    due_on: date
    amount_pence: int


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    if not 1 <= year <= 9999:
        raise ScheduleError(f"date out of range: {day.isoformat()} plus {months} months")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def split_evenly(total_pence: int, parts: int) -> list[int]:
    """Split `total_pence` into `parts`: floor division, one remainder penny each to the earliest parts."""
    base, remainder = divmod(total_pence, parts)
    return [base + 1 if index < remainder else base for index in range(parts)]


def build_schedule(
    award_pence: int, duration_months: int, start: date, pattern: SchedulePattern = SEMI_ANNUAL
) -> list[TrancheDue]:
    """Split an award into tranches, tranche k due on `start` plus (k - 1) periods (month-end clamped).

    Rounding rule (exact): amounts are integer floor division of the pence to spread by the number of
    tranches; the remainder pennies go one each to the EARLIEST tranches. Front-loaded: the first tranche is
    floor(award * bps / 10000), and the rest of the award is spread over the remaining tranches by the same
    rule. So the tranches always sum exactly to the award, and within the even part no two differ by over 1p.
    """
    _check_positive_int(award_pence, "award_pence")
    if not isinstance(duration_months, int) or isinstance(duration_months, bool):
        raise ScheduleError(f"duration_months must be an integer, got {duration_months!r}")
    if not MIN_DURATION_MONTHS <= duration_months <= MAX_DURATION_MONTHS:
        raise ScheduleError(
            f"duration must be {MIN_DURATION_MONTHS}..{MAX_DURATION_MONTHS} months, got {duration_months}"
        )
    if isinstance(start, datetime) or not isinstance(start, date):
        raise ScheduleError(f"start must be a date (not a datetime), got {start!r}")
    period = pattern.period_months
    if period <= 0 or duration_months % period:
        raise ScheduleError(
            f"duration {duration_months} months is not a multiple of the {pattern.kind} period ({period} months)"
        )
    count = duration_months // period
    if pattern.kind is PatternKind.FRONT_LOADED:
        bps = pattern.first_tranche_bps
        if bps is None:
            raise ScheduleError("a front-loaded pattern needs first_tranche_bps")
        _check_bps(bps)
        first = award_pence * bps // BASIS_POINTS
        if first < 1:
            raise ScheduleError(f"first tranche of {bps} bps of {award_pence}p rounds to 0p")
        amounts = [first, *_spread(award_pence - first, count - 1)]
    elif pattern.first_tranche_bps is not None:
        raise ScheduleError(f"a {pattern.kind} pattern takes no first_tranche_bps")
    else:
        amounts = _spread(award_pence, count)
    return [
        TrancheDue(number, add_months(start, (number - 1) * period), amount)
        for number, amount in enumerate(amounts, start=1)
    ]


def reprofile(remaining: list[TrancheDue], new_total_pence: int) -> list[TrancheDue]:
    """Re-spread `new_total_pence` over the unpaid `remaining` tranches: same numbers, dates and rule."""
    if not remaining:
        raise ScheduleError("nothing to reprofile: no remaining tranches")
    _check_positive_int(new_total_pence, "new_total_pence")
    for earlier, later in zip(remaining, remaining[1:], strict=False):
        if later.number <= earlier.number or later.due_on <= earlier.due_on:
            raise ScheduleError("remaining tranches must be in strictly increasing number and due date order")
    amounts = _spread(new_total_pence, len(remaining))
    return [TrancheDue(t.number, t.due_on, amount) for t, amount in zip(remaining, amounts, strict=True)]


def _spread(total_pence: int, parts: int) -> list[int]:
    if total_pence < parts:
        raise ScheduleError(f"{total_pence}p cannot be spread over {parts} tranches of at least 1p each")
    return split_evenly(total_pence, parts)


def _check_positive_int(value: int, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ScheduleError(f"{name} must be a positive integer number of pence, got {value!r}")


def _check_bps(bps: int) -> None:
    if not isinstance(bps, int) or isinstance(bps, bool) or not 0 < bps < BASIS_POINTS:
        raise ScheduleError(f"first tranche share must be 1..9999 basis points, got {bps!r}")
