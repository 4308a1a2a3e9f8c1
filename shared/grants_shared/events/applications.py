"""Events published by the applications service."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from grants_shared.events.envelope import Event
from grants_shared.money import PositivePence


class RuleOutcome(BaseModel):
    """One governance or eligibility rule, passed or failed, with the reason in words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    passed: bool
    detail: str


class LsoaRef(BaseModel):
    """An LSOA of a ward, by code and name (for publishing beneficiary locations)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str


class NeighbourhoodNeed(BaseModel):
    """The need measures of a neighbourhood (ward) as the registry held them, with their data vintage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name: str
    region_code: str
    region_name: str
    population: int
    imd_mean_rank: float | None = None
    imd_decile: int | None = None
    cni_score: float | None = None
    cni_rank: int | None = None
    left_behind: bool | None = None
    vintage: str
    synthetic: bool = False
    lad_code: str | None = None
    lad_name: str | None = None
    lsoas: list[LsoaRef] = []
    # The IoD domain ranks (population-weighted means over the ward's LSOAs) and, where the vintage bridges to it,
    # the IoD2025 IMD and domain scores: the ward's starting point that reporting shows outcomes against.
    domain_rank_means: dict[str, float] | None = None
    iod2025_imd_score_mean: float | None = None
    iod2025_domain_score_means: dict[str, float] | None = None


class _ApplicationsEvent(Event):
    producer = "applications"


class ApplicationSubmitted(_ApplicationsEvent):
    """A resident partnership submitted an application (now immutable at this version)."""

    event_type = "application-submitted"
    application_id: str
    version: int
    organisation_id: str
    partnership_id: str
    neighbourhood_code: str
    requested_pence: PositivePence
    duration_months: int
    themes: list[str]
    submitted_at: datetime
    organisation_org_id: str | None = (
        None  # the 360Giving-style org-id (e.g. GB-CHC-1234567); absent before it travelled
    )
    organisation_name: str | None = None
    grant_type: str = Field("main", description="main, or starter (a capacity-building grant before the award)")


class ApplicationAssessed(_ApplicationsEvent):
    """Eligibility was assessed against the rules in force; every rule's outcome is given."""

    event_type = "application-assessed"
    application_id: str
    organisation_id: str
    partnership_id: str
    eligible: bool
    outcomes: list[RuleOutcome]
    rules_version: str
    requested_pence: PositivePence
    duration_months: int
    neighbourhood: NeighbourhoodNeed
    assessed_at: datetime
    grant_type: str = Field("main", description="The grant type whose rules the application was assessed by")


class ApplicationWithdrawn(_ApplicationsEvent):
    """The applicant withdrew the application; it takes no further part in allocation."""

    event_type = "application-withdrawn"
    application_id: str
    reason: str
    withdrawn_at: datetime


class PartnershipChanged(_ApplicationsEvent):
    """A resident partnership's membership changed; says whether it still complies with the rules."""

    event_type = "partnership-changed"
    partnership_id: str
    organisation_id: str
    neighbourhood_code: str
    member_count: int
    resident_count: int
    compliant: bool
    outcomes: list[RuleOutcome]
    changed_at: datetime
    grant_type: str = Field("main", description="The grant type whose partnership rules `compliant` is judged by")


class NeighbourhoodRegistryUpdated(_ApplicationsEvent):
    """A new vintage of the neighbourhood registry is in force."""

    event_type = "neighbourhood-registry-updated"
    vintage: str
    inputs_hash: str
    ward_count: int
    left_behind_count: int
    synthetic: bool
    loaded_at: datetime


__all__ = [
    "ApplicationAssessed",
    "ApplicationSubmitted",
    "ApplicationWithdrawn",
    "LsoaRef",
    "NeighbourhoodNeed",
    "NeighbourhoodRegistryUpdated",
    "PartnershipChanged",
    "RuleOutcome",
]
