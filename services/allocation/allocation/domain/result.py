"""The decisions of one allocation run, as columns aligned with the input applications."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from allocation.domain.arrays import ApplicationArrays, Int64Array, NeighbourhoodArrays
from allocation.domain.policy import Policy

Int8Array = npt.NDArray[np.int8]


class Outcome(IntEnum):
    """What happened to an application."""

    AWARDED = 0
    AWARDED_PARTIAL = 1
    NOT_FUNDED_BUDGET = 2
    NOT_FUNDED_REGION_CAP = 3
    DUPLICATE_NEIGHBOURHOOD = 4
    INELIGIBLE = 5


class Constraint(IntEnum):
    """The rule that decided the outcome or the amount (NONE: awarded in full, nothing bound)."""

    NONE = 0
    MIN_AWARD = 1  # award raised to the policy minimum
    MAX_AWARD = 2  # award cut to the policy maximum
    REGION_FLOOR = 3  # funded from a region's reserved floor
    BUDGET = 4  # the budget ran out at this application: cut to what was left, or it did not fit
    BUDGET_SPENT = 5  # the budget had run out at a better-ranked application
    REGION_CAP = 6
    ONE_PER_NEIGHBOURHOOD = 7
    ELIGIBILITY = 8
    DRAWDOWN_LIMIT = 9  # the award would take a financial year's obligations over the drawdown plan
    DRAWDOWN_SPENT = 10  # the drawdown plan had stopped the walk at a better-ranked application


@dataclass(frozen=True, slots=True, eq=False)
class AllocationResult:
    """Per-application decisions (input order) plus the run's inputs, for rationale, hashing and diffs.

    rank is 1-based among eligible applications (0 when ineligible); need_bp is the need score in basis
    points; award_pence is the request clamped to the policy's min/max; budget_left_pence is what was
    left of the available budget after the decision (eligibility first, then floors, then rank order).
    plan_year names the financial year whose drawdown limit stopped the walk (None when the plan never bound).
    order lists the eligible input rows in rank order.
    """

    applications: ApplicationArrays
    neighbourhoods: NeighbourhoodArrays
    policy: Policy
    order: Int64Array
    rank: Int64Array
    need_bp: Int64Array
    award_pence: Int64Array
    awarded_pence: Int64Array
    outcome: Int8Array
    constraint: Int8Array
    budget_left_pence: Int64Array
    plan_year: str | None = None  # the financial year whose drawdown limit stopped the walk, if one did

    def __post_init__(self) -> None:
        """Freeze the output columns so a published result cannot drift."""
        for name in (
            "order",
            "rank",
            "need_bp",
            "award_pence",
            "awarded_pence",
            "outcome",
            "constraint",
            "budget_left_pence",
        ):
            getattr(self, name).flags.writeable = False

    def __len__(self) -> int:
        """Number of applications decided."""
        return len(self.rank)

    @property
    def n_eligible(self) -> int:
        """How many applications were eligible and ranked."""
        return len(self.order)

    @property
    def total_awarded_pence(self) -> int:
        """Sum of all awards."""
        return int(self.awarded_pence.sum())

    @property
    def region(self) -> Int64Array:
        """Region index of each application (from its neighbourhood)."""
        regions: Int64Array = self.neighbourhoods.region[self.applications.neighbourhood]
        return regions
