"""The fund's drawdown plan (what may be paid out in each financial year) and the tranche rule that fills the years.

The plan is versioned data: `drawdown_plan.json` beside this module, or the file GRANTS_DRAWDOWN_PLAN_FILE names.
Allocation, payments and reporting all read it through `load_plan`, so the three services judge the same limits.
Years the plan does not name carry no limit: it speaks only for the years it lists.
"""

from __future__ import annotations

import calendar
import json
import os
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator

PLAN_FILE_VARIABLE = "GRANTS_DRAWDOWN_PLAN_FILE"
DEFAULT_PLAN_FILE = Path(__file__).with_name("drawdown_plan.json")
TRANCHE_PERIOD_MONTHS = 6  # payments' standard schedule: semi-annual tranches from the award date
BASIS_POINTS = 10_000
Pence = Annotated[StrictInt, Field(ge=0)]


def financial_year(day: date) -> str:
    """The UK financial year (April to March) a day falls in: 2031-05-01 -> '2031-32', 2032-03-31 -> '2031-32'."""
    start = day.year if day.month >= 4 else day.year - 1
    return year_label(start)


def year_label(start_year: int) -> str:
    """The label of the financial year starting in April of `start_year`: 2031 -> '2031-32'."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def start_year(label: str) -> int:
    """The calendar year a financial year label starts in ('2031-32' -> 2031); ValueError when malformed."""
    head, _, tail = label.partition("-")
    if not (head.isdigit() and len(head) == 4 and tail.isdigit() and len(tail) == 2):
        raise ValueError(f"{label!r} is not a financial year like 2031-32")
    if year_label(int(head)) != label:
        raise ValueError(f"{label!r} is not a financial year like 2031-32")
    return int(head)


class DrawdownPlan(BaseModel):
    """A version of the plan: the endowment's value and the most that may be paid out in each financial year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    description: str = ""
    endowment_pence: Pence
    years: dict[str, Pence] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _consecutive(self) -> Self:
        """Refuse labels that are not consecutive financial years in order."""
        starts = [start_year(label) for label in self.years]
        if starts != list(range(starts[0], starts[0] + len(starts))):
            raise ValueError("the plan's years must be consecutive financial years, earliest first")
        return self

    def limit(self, year: str) -> int | None:
        """The most that may be paid out in `year`, None when the plan says nothing about it."""
        return self.years.get(year)

    def first_years(self, count: int) -> list[str]:
        """The plan's first `count` years."""
        return list(self.years)[:count]

    def shocked(self, fall_bps: int = 0, cut_from: str | None = None, cut_bps: int = 0) -> DrawdownPlan:
        """The plan after a shock: everything falls by fall_bps; years from cut_from fall by cut_bps more."""
        cut_start = start_year(cut_from) if cut_from else None

        def shock(label: str, pence: int) -> int:
            pence = pence * (BASIS_POINTS - fall_bps) // BASIS_POINTS
            if cut_start is not None and start_year(label) >= cut_start:
                pence = pence * (BASIS_POINTS - cut_bps) // BASIS_POINTS
            return pence

        return self.model_copy(
            update={
                "version": f"{self.version}+stress",
                "endowment_pence": self.endowment_pence * (BASIS_POINTS - fall_bps) // BASIS_POINTS,
                "years": {label: shock(label, pence) for label, pence in self.years.items()},
            }
        )


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day (payments' schedule rule)."""
    years, month_index = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def tranches(amount_pence: int, duration_months: int, start: date) -> list[tuple[date, int]]:
    """Payments' standard schedule: semi-annual tranches from `start`, remainder pennies to the earliest ones."""
    count = max(1, duration_months // TRANCHE_PERIOD_MONTHS)
    base, remainder = divmod(amount_pence, count)
    return [(add_months(start, k * TRANCHE_PERIOD_MONTHS), base + 1 if k < remainder else base) for k in range(count)]


def by_year(dated: Iterable[tuple[date, int]]) -> dict[str, int]:
    """Amounts summed by the financial year of their date, earliest year first."""
    totals: dict[str, int] = {}
    for day, pence in sorted(dated):
        year = financial_year(day)
        totals[year] = totals.get(year, 0) + pence
    return totals


def headroom(plan: DrawdownPlan, obligations: Mapping[str, int]) -> dict[str, int]:
    """What each of the plan's years can still take: its limit less what is already owed in it (never below 0)."""
    return {year: max(0, limit - obligations.get(year, 0)) for year, limit in plan.years.items()}


def against_plan(
    plan: DrawdownPlan, obligations: Mapping[str, int], years: int | None = None
) -> list[dict[str, object]]:
    """One row per financial year (the plan's, and any other owed), earliest first, set against the plan."""
    labels = sorted(set(plan.years) | {year for year, owed in obligations.items() if owed})
    rows = []
    for label in labels[:years] if years else labels:
        owed, limit = obligations.get(label, 0), plan.limit(label)
        rows.append(
            {
                "year": label,
                "obligations_pence": owed,
                "limit_pence": limit,
                "headroom_pence": None if limit is None else limit - owed,
                "over": limit is not None and owed > limit,
            }
        )
    return rows


@lru_cache(maxsize=8)
def _read(path: Path, modified: float) -> DrawdownPlan:
    return DrawdownPlan.model_validate(json.loads(path.read_text(encoding="utf-8")))


def plan_path() -> Path:
    """The plan file in force: GRANTS_DRAWDOWN_PLAN_FILE when set, else the one shipped with this package."""
    configured = os.environ.get(PLAN_FILE_VARIABLE)
    return Path(configured) if configured else DEFAULT_PLAN_FILE


def load_plan(path: Path | None = None) -> DrawdownPlan:
    """The drawdown plan from `path` (default: plan_path()), read again whenever the file changes."""
    source = path or plan_path()
    return _read(source, source.stat().st_mtime)
