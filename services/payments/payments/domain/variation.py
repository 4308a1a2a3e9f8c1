"""Variations: the remaining (unreleased) tranches re-profiled to a new total and/or a new pattern, in pence.

Rules: what is already released, paid or being paid is never touched; the remaining tranches are re-spread by
the schedule's own rounding rule (floor, remainder pennies to the earliest); a new pattern keeps the grant's end
date and needs the remaining tranches to be the tail of the schedule (nothing after them released yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from payments.domain.schedule import (
    BASIS_POINTS,
    PatternKind,
    ScheduleError,
    SchedulePattern,
    TrancheDue,
    add_months,
    reprofile,
    split_evenly,
)


class VariationError(ValueError):
    """A variation cannot be applied to the grant as it stands."""


@dataclass(frozen=True)
class Reprofiled:
    """The new remaining schedule, and which tranche numbers it drops or adds."""

    tranches: list[TrancheDue]
    removed: list[int]
    added: list[int]

    @property
    def total_pence(self) -> int:
        """What the remaining tranches now add up to."""
        return sum(t.amount_pence for t in self.tranches)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (schedule dates share their day, clamped at month end)."""
    return (end.year - start.year) * 12 + end.month - start.month


def reprofile_remaining(
    remaining: Sequence[TrancheDue],
    *,
    last_number: int,
    committed_pence: int,
    new_total_pence: int,
    pattern: SchedulePattern | None,
    ends_on: date,
) -> Reprofiled:
    """Spread `new_total_pence - committed_pence` over the remaining tranches, in a new pattern when given."""
    if not remaining:
        raise VariationError("no tranche is left to re-profile: every one is released, paid or cancelled")
    to_spread = new_total_pence - committed_pence
    if to_spread < 1 or (pattern is None and to_spread < len(remaining)):
        raise VariationError(
            f"a total of {new_total_pence}p leaves {to_spread}p for {len(remaining)} remaining tranches after the"
            f" {committed_pence}p already released: at least 1p each is needed"
        )
    try:
        if pattern is None:
            new = reprofile(list(remaining), to_spread)
        else:
            new = _in_pattern(remaining, last_number, to_spread, pattern, ends_on)
    except ScheduleError as error:
        raise VariationError(str(error)) from error
    old_numbers, new_numbers = {t.number for t in remaining}, {t.number for t in new}
    return Reprofiled(new, sorted(old_numbers - new_numbers), sorted(new_numbers - old_numbers))


def _in_pattern(
    remaining: Sequence[TrancheDue], last_number: int, to_spread: int, pattern: SchedulePattern, ends_on: date
) -> list[TrancheDue]:
    first = remaining[0]
    if [t.number for t in remaining] != list(range(first.number, last_number + 1)):
        raise VariationError("a new pattern needs the remaining tranches to be the tail of the schedule")
    span, period = months_between(first.due_on, ends_on), pattern.period_months
    if span <= 0 or span % period:
        raise VariationError(
            f"the {span} months from {first.due_on.isoformat()} to the grant's end ({ends_on.isoformat()}) are not"
            f" a whole number of {pattern.kind} periods ({period} months)"
        )
    count = span // period
    if pattern.kind is PatternKind.FRONT_LOADED:
        bps = pattern.first_tranche_bps or 0
        head = to_spread * bps // BASIS_POINTS
        if count < 2 or head < 1 or to_spread - head < count - 1:
            raise VariationError(f"{to_spread}p cannot be front-loaded ({bps} bps) over {count} tranches")
        amounts = [head, *split_evenly(to_spread - head, count - 1)]
    else:
        if to_spread < count:
            raise VariationError(f"{to_spread}p cannot be spread over {count} tranches of at least 1p each")
        amounts = split_evenly(to_spread, count)
    return [
        TrancheDue(first.number + index, add_months(first.due_on, index * period), amount)
        for index, amount in enumerate(amounts)
    ]
