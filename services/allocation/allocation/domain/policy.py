"""Allocation policy: the published, versioned rules of one funding round."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

Pence = Annotated[StrictInt, Field(ge=0)]
Eligibility = Literal["left_behind", "imd_decile_1_2", "any"]


class Policy(BaseModel):
    """The rules of a round: budget, award sizes, eligibility, need weights, regional caps and floors.

    Ranking (the stated tie-break rule): need score in basis points, highest first; then IMD rank, lowest
    (most deprived) first; then neighbourhood code, bytewise ascending; then application id, bytewise
    ascending. Application ids are unique, so the order is total and a run is deterministic.

    Award walk: each application's award is its request clamped to [min_award_pence, max_award_pence].
    Region floors are decided first: each region's best-ranked applications are funded while their
    cumulative awards stay within the floor (no award is cut to fit a floor); what a floor does not use
    returns to the shared budget. Then every other application is funded strictly in rank order while
    the budget (budget_pence - reserve_pence) lasts and its region stays within its cap. When an award
    does not fit, it is cut to what is left if partial_awards is set and that is at least the minimum;
    otherwise it and every later application are declined (no skipping ahead to cheaper, less needy asks).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy_version: str = Field(default="1", min_length=1, max_length=64)
    budget_pence: Annotated[StrictInt, Field(gt=0)]
    reserve_pence: Pence = 0
    min_award_pence: Annotated[StrictInt, Field(gt=0)]
    max_award_pence: Annotated[StrictInt, Field(gt=0)]
    partial_awards: StrictBool = False
    one_award_per_neighbourhood: StrictBool = True
    eligibility: Eligibility = "left_behind"
    imd_weight: Annotated[StrictInt, Field(ge=0, le=100)] = 50
    cni_weight: Annotated[StrictInt, Field(ge=0, le=100)] = 50
    region_caps: dict[str, Pence] = Field(default_factory=dict)
    region_floors: dict[str, Pence] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Refuse a policy whose numbers contradict each other."""
        if self.min_award_pence > self.max_award_pence:
            raise ValueError("min_award_pence must not exceed max_award_pence")
        if self.reserve_pence > self.budget_pence:
            raise ValueError("reserve_pence must not exceed budget_pence")
        if self.imd_weight + self.cni_weight != 100:
            raise ValueError("imd_weight + cni_weight must be 100")
        if sum(self.region_floors.values()) > self.available_pence:
            raise ValueError("region floors add up to more than the budget less the reserve")
        for region, floor in self.region_floors.items():
            cap = self.region_caps.get(region)
            if cap is not None and floor > cap:
                raise ValueError(f"the floor for {region!r} is above its cap")
        return self

    @property
    def available_pence(self) -> int:
        """The money the walk may spend: budget less the reserve held back."""
        return self.budget_pence - self.reserve_pence

    def canonical_json(self) -> bytes:
        """The policy as canonical JSON bytes: sorted keys, no whitespace, UTF-8."""
        data = self.model_dump(mode="json")
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def sha256(self) -> str:
        """Hex SHA-256 of the canonical JSON, the policy's identity in run records."""
        return hashlib.sha256(self.canonical_json()).hexdigest()
