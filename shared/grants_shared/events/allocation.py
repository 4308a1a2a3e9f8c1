"""Events published by the allocation service."""

from datetime import datetime

from pydantic import Field

from grants_shared.events.envelope import Event
from grants_shared.money import Pence, PositivePence


class _AllocationEvent(Event):
    producer = "allocation"


class RoundOpened(_AllocationEvent):
    """An operator opened a funding round with its budget and award bounds."""

    event_type = "round-opened"
    round_id: str
    name: str
    budget_pence: PositivePence
    min_award_pence: PositivePence
    max_award_pence: PositivePence
    opened_at: datetime
    grant_type: str = Field("main", description="The grant type the round awards")
    demonstration: bool = Field(False, description="A demonstration round: its grants count in no fund figure")
    scenario: bool = Field(False, description="A what-if round: simulated only, its budget in no fund figure")


class RoundClosed(_AllocationEvent):
    """A funding round closed: no more runs are committed in it."""

    event_type = "round-closed"
    round_id: str
    closed_at: datetime


class AllocationDecided(_AllocationEvent):
    """One decision of a committed allocation run: awarded or not, with rank, need and rationale."""

    event_type = "allocation-decided"
    run_id: str
    round_id: str
    application_id: str
    neighbourhood_code: str
    outcome: str
    awarded: bool
    awarded_pence: Pence
    rank: int | None
    ranked_of: int
    need_score: float | None
    binding_constraint: str | None
    rationale: str
    inputs_hash: str
    decided_at: datetime


class GrantAwarded(_AllocationEvent):
    """A grant was awarded by a committed run; payments schedules its tranches from this."""

    event_type = "grant-awarded"
    grant_id: str
    round_id: str
    run_id: str
    application_id: str
    organisation_id: str
    partnership_id: str
    neighbourhood_code: str
    region_code: str
    imd_decile: int | None
    amount_pence: PositivePence
    duration_months: int
    awarded_at: datetime
    grant_type: str = Field("main", description="main, or starter: payments schedules a starter grant in 1-2 tranches")
    demonstration: bool = Field(
        False, description="A demonstration grant (`grants demo`, a synthetic registry): never in a fund figure"
    )
