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


@dataclass(frozen=True)
class TypeSchedule:
    """How a grant type is paid: the usual pattern, or at most `max_tranches` spread over a short grant."""

    grant_type: str
    max_tranches: int | None  # None: the pattern's tranches over the whole duration
    min_duration_months: int
    max_duration_months: int
    split_from_months: int  # a grant at least this long is paid in two tranches, a shorter one in one


SCHEDULE_RULES: dict[str, TypeSchedule] = {
    "main": TypeSchedule("main", None, MIN_DURATION_MONTHS, MAX_DURATION_MONTHS, MIN_DURATION_MONTHS),
    # A starter grant (getting-started money, 6-18 months): one tranche, or two when it runs a year or more.
    "starter": TypeSchedule("starter", 2, 6, 18, 12),
}
"""The schedule rule of each grant type, as data."""


def schedule_for(
    grant_type: str, award_pence: int, duration_months: int, start: date, pattern: SchedulePattern = SEMI_ANNUAL
) -> list[TrancheDue]:
    """The tranches of a new grant by its type's rule; a main grant (or an unknown type) by `pattern`."""
    rule = SCHEDULE_RULES.get(grant_type)
    if rule is None or rule.max_tranches is None:
        return build_schedule(award_pence, duration_months, start, pattern)
    _check_positive_int(award_pence, "award_pence")
    if not rule.min_duration_months <= duration_months <= rule.max_duration_months:
        raise ScheduleError(
            f"a {grant_type} grant runs {rule.min_duration_months}..{rule.max_duration_months} months,"
            f" got {duration_months}"
        )
    count = min(rule.max_tranches, 2 if duration_months >= rule.split_from_months else 1)
    # The second tranche falls half-way through the grant, after the partnership has reported on the first.
    step = duration_months // 2
    amounts = _spread(award_pence, count)
    return [
        TrancheDue(number, add_months(start, (number - 1) * step), amount)
        for number, amount in enumerate(amounts, start=1)
    ]
