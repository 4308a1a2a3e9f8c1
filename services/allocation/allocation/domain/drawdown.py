"""The drawdown plan as a constraint of the walk: no committed run pushes a financial year's obligations over the plan.

Each award is spread the way payments will schedule it (semi-annual tranches from the award date, remainder pennies
first), so the obligations it adds to every financial year are known before it is made. Walking in rank order, the
first award that would take any year past its headroom stops the walk, as the budget does: it and every later
application are declined, never skipped over for a cheaper, less needy one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from allocation.domain.arrays import Int64Array
from grants_shared.drawdown import TRANCHE_PERIOD_MONTHS, add_months, financial_year

MAX_TRANCHES = 40  # 240 months, the longest schedule payments builds


@dataclass(frozen=True, slots=True, eq=False)
class PlanLimit:
    """The years the plan limits, what each can still take, and the schedule facts of every input application."""

    years: tuple[str, ...]
    headroom: Int64Array
    tranche_year: Int64Array  # the year index (or -1: not limited) of tranche k of an award made on the start date
    duration_months: Int64Array  # per input application row

    @classmethod
    def build(cls, start: date, headroom: dict[str, int], duration_months: Int64Array) -> PlanLimit:
        """The limit for awards made on `start`, given each limited year's headroom."""
        years = tuple(headroom)
        index = {year: i for i, year in enumerate(years)}
        due = [financial_year(add_months(start, k * TRANCHE_PERIOD_MONTHS)) for k in range(MAX_TRANCHES)]
        return cls(
            years=years,
            headroom=np.array([headroom[y] for y in years], dtype=np.int64),
            tranche_year=np.array([index.get(y, -1) for y in due], dtype=np.int64),
            duration_months=np.asarray(duration_months, dtype=np.int64),
        )


def year_profile(amount: Int64Array, duration_months: Int64Array, limit: PlanLimit) -> Int64Array:
    """Rows x limited years: what each award adds to each year under payments' schedule rule."""
    count = np.clip(duration_months // TRANCHE_PERIOD_MONTHS, 1, MAX_TRANCHES)
    base, remainder = np.divmod(amount, count)
    profile = np.zeros((len(amount), len(limit.years)), dtype=np.int64)
    for k in range(int(count.max()) if len(count) else 0):
        year = int(limit.tranche_year[k])
        if year >= 0:
            profile[:, year] += np.where(k < count, base + (k < remainder), 0)
    return profile


def plan_stop(amount: Int64Array, duration_months: Int64Array, limit: PlanLimit) -> tuple[int, int] | None:
    """The first rank position whose award takes a year over its headroom, and that year's index (None: all fit)."""
    paid = np.flatnonzero(amount)  # only awards add obligations: the profile is as small as the awards are few
    if not len(limit.years) or not len(paid):
        return None
    running = np.cumsum(year_profile(amount[paid], duration_months[paid], limit), axis=0)
    over = running > limit.headroom
    rows = np.flatnonzero(over.any(axis=1))
    if not len(rows):
        return None
    first = int(rows[0])
    return int(paid[first]), int(np.flatnonzero(over[first])[0])
