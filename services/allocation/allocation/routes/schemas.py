"""HTTP input and output models; inputs never carry status, outcomes, awards or owners."""

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from grants_shared.http.text import line_rule

MAX_PENCE = 10**13  # £100bn: far above any fund, far below 64-bit overflow in sums
Amount = Annotated[StrictInt, Field(ge=0, le=MAX_PENCE, description="Pence (GBP), an integer.")]
PositiveAmount = Annotated[StrictInt, Field(gt=0, le=MAX_PENCE, description="Pence (GBP), a positive integer.")]
Weight = Annotated[StrictInt, Field(ge=0, le=100)]
RegionName = Annotated[str, line_rule(100)]
T = TypeVar("T")


class RoundIn(BaseModel):
    """Open a round: its budget, award bounds, reserve, eligibility rule, need weights, regional caps and floors."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, line_rule(200)]
    grant_type: Literal["main", "starter"] = Field(
        "main", description="starter: a fast round of small grants for places not yet ready for a main award"
    )
    budget_pence: PositiveAmount
    min_award_pence: PositiveAmount
    max_award_pence: PositiveAmount
    reserve_pence: Amount = 0
    eligibility: Literal["left_behind", "imd_decile_1_2", "any"] = "left_behind"
    imd_weight: Weight = 100
    cni_weight: Weight = 0
    partial_awards: StrictBool = False
    one_award_per_neighbourhood: StrictBool = True
    region_caps: dict[RegionName, Amount] = Field(
        default_factory=dict, max_length=50, description="Most a region (by name) may be awarded."
    )
    region_floors: dict[RegionName, Amount] = Field(
        default_factory=dict, max_length=50, description="Least reserved for a region (by name)."
    )
    pool_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")] = Field(
        "main", description="The fund pool the round draws from (the main pool unless named)."
    )
    scenario: StrictBool = Field(
        False, description="A what-if round: simulated only, never committed, never counted in any fund figure."
    )
    demonstration: StrictBool = Field(
        False, description="A demonstration round (`grants demo`): its grants are real events, never a fund figure."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        """Refuse bounds that contradict each other."""
        if self.min_award_pence > self.max_award_pence:
            raise ValueError("min_award_pence must not exceed max_award_pence")
        if self.max_award_pence > self.budget_pence:
            raise ValueError("max_award_pence must not exceed budget_pence")
        if self.reserve_pence >= self.budget_pence:
            raise ValueError("reserve_pence must be less than budget_pence")
        if self.budget_pence - self.reserve_pence < self.min_award_pence:
            raise ValueError("budget_pence less reserve_pence must cover at least one minimum award")
        if self.imd_weight + self.cni_weight != 100:
            raise ValueError("imd_weight + cni_weight must be 100")
        return self


class RoundOut(BaseModel):
    """A round as clients see it."""

    id: str
    name: str
    status: Literal["open", "closed"]
    policy: dict[str, Any]
    policy_hash: str
    grant_type: Literal["main", "starter"] = "main"
    opened_at: datetime
    closed_at: datetime | None = None
    pool_id: str = "main"
    scenario: bool = False
    demonstration: bool = Field(
        False, description="Its awards count in no fund figure (opened as one, or committed on a synthetic registry)."
    )


class RunIn(BaseModel):
    """Run the allocation of a round: simulate (nothing published) or commit (decisions and grants)."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["simulate", "commit"]
    plan: dict[Annotated[str, Field(pattern=r"^[0-9]{4}-[0-9]{2}$")], Amount] | None = Field(
        None,
        max_length=100,
        description="Simulations only: a different drawdown plan (financial year -> most paid out, in pence) "
        "to see its effect; a commit always runs under the plan in force.",
    )


class Totals(BaseModel):
    """What a run awarded and what it left."""

    awarded_pence: int
    awards: int
    budget_left_pence: int
    considered: int


class DecisionOut(BaseModel):
    """One application's decision with its rank, need score and rationale."""

    application_id: str
    neighbourhood_code: str
    outcome: str
    awarded: bool
    awarded_pence: int
    rank: int | None
    ranked_of: int
    need_score: float | None
    binding_constraint: str | None
    rationale: str
    grant_id: str | None = None


class ApplicationDecisionOut(DecisionOut):
    """An application's latest committed decision, with the run and round that made it."""

    run_id: str
    round_id: str
    decided_at: datetime


class RunSummaryOut(BaseModel):
    """A run without its decisions (they are paged at /runs/{id}/decisions)."""

    run_id: str
    round_id: str
    mode: Literal["simulate", "commit"]
    policy_hash: str
    inputs_hash: str = Field(description="The engine's SHA-256 of the policy, the registry and the ranked pool.")
    decisions_digest: str = Field(description="The engine's SHA-256 of every decision it made.")
    inputs_document_hash: str = Field(description="SHA-256 of the stored inputs document (the whole pool).")
    vintages: list[str] = Field(description="Data vintages of the need measures used.")
    totals: Totals
    registry: dict[str, Any] | None = Field(
        None,
        description="Where the need registry came from: 'registry' (every ward of the vintage in force, "
        "with its name and inputs hash) or 'applications_seen' (only neighbourhoods seen in "
        "assessments, while the vintage in force is not held yet).",
    )
    created_at: datetime
    created_by: str


class RunOut(RunSummaryOut):
    """A run with every decision, in rank order then unranked by application id."""

    decisions: list[DecisionOut]


class VerifyOut(BaseModel):
    """Whether a run's stored inputs still hash as recorded and recompute to its stored decisions."""

    run_id: str
    verified: bool
    inputs_hash: str
    recomputed_inputs_hash: str
    decisions_digest: str
    recomputed_digest: str
    inputs_document_hash: str
    recomputed_document_hash: str
    stored_decisions_match: bool


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ChangeOut(BaseModel):
    """An application whose award differs between two runs."""

    application_id: str
    awarded_a_pence: int
    awarded_b_pence: int
    delta_pence: int


class DiffOut(BaseModel):
    """The engine's diff of two runs; every figure is run b minus run a, in pence."""

    a: str
    b: str
    total_a_pence: int
    total_b_pence: int
    delta_pence: int
    moved_pence: int
    changes: int
    gainers: list[ChangeOut]
    losers: list[ChangeOut]
    by_region_pence: dict[str, int]
    by_imd_decile_pence: dict[str, int]


class RegistryVintageOut(BaseModel):
    """A registry vintage announced to allocation, and how much of it allocation holds."""

    inputs_hash: str
    vintage: str
    status: Literal["pending", "held", "superseded"]
    in_force: bool
    ward_count: int
    left_behind_count: int
    wards_held: int
    synthetic: bool
    loaded_at: datetime
    fetched_at: datetime | None
    attempts: int
    last_error: str | None


class RegistryOut(BaseModel):
    """Every vintage announced, newest first; runs score need against the one in force once it is held."""

    in_force: RegistryVintageOut | None
    items: list[RegistryVintageOut]
