"""HTTP input and output models (always separate: clients never set status, owners or reviewers)."""

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from grants_shared.clock import as_utc
from grants_shared.http.text import line_rule, text_rule

Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
Reason = Annotated[str, text_rule(2000)]
Utc = Annotated[datetime, AfterValidator(as_utc)]


def _catalogued(results: dict[str, int]) -> dict[str, int]:
    from reporting.adapters.catalogue import catalogue  # late: the catalogue in force is read from settings

    unknown = sorted(code for code in results if catalogue().get(code) is None)
    if unknown:
        raise ValueError(f"not in the indicator catalogue: {', '.join(unknown)}")
    return results


IndicatorCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,49}$")]
"""A code of the indicator catalogue: a fixed alphabet, so no free text."""

Outcomes = Annotated[
    dict[IndicatorCode, Count],
    Field(max_length=100, description="Results for the period by indicator code (see GET /indicators)."),
    AfterValidator(_catalogued),
]
"""What a period of a grant achieved, per catalogue indicator, as whole numbers (hours for volunteering)."""


class ReportIn(BaseModel):
    """An impact report for one period of a grant, as the partnership submits it."""

    model_config = ConfigDict(extra="forbid")

    grant_id: Annotated[str, line_rule(100)]
    period_number: int = Field(strict=True, ge=1, le=1000)
    outcomes: Outcomes
    narrative: Annotated[str, text_rule(20_000)]


class ChangesIn(BaseModel):
    """Why an assessor sends a report back."""

    model_config = ConfigDict(extra="forbid")

    reasons: list[Reason] = Field(min_length=1, max_length=50)


class ReportOut(BaseModel):
    """An impact report as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    grant_id: str
    organisation_id: str
    period_number: int
    outcomes: dict[str, int]
    narrative: str
    status: str
    submitted_by: str
    submitted_at: Utc
    reviewed_by: str | None
    reviewed_at: Utc | None
    change_reasons: list[str] | None


class ReportPage(BaseModel):
    """One page of reports."""

    items: list[ReportOut]
    total: int
    limit: int
    offset: int


class TimelineEvent(BaseModel):
    """One event on a grant's timeline."""

    event_id: str
    event_type: str
    producer: str
    occurred_at: Utc
    subject: str
    summary: str


class Timeline(BaseModel):
    """A grant's history: its application's events and its own, oldest first."""

    grant_id: str
    application_id: str
    events: list[TimelineEvent]
    total: int
    limit: int
    offset: int


class TrancheOut(BaseModel):
    """A tranche of a grant as reporting last heard of it."""

    model_config = ConfigDict(from_attributes=True)

    tranche_id: str
    number: int
    due_on: date
    amount_pence: int
    of_tranches: int = Field(description="The highest tranche number in the grant's schedule as it stands now.")
    status: str = Field(
        description="scheduled, held, resumed, released, instructed, failed, settled, returned, "
        "removed (from the schedule by a variation) or cancelled (by an early closure)"
    )


class GrantOut(BaseModel):
    """A grant as reporting knows it, with its money to date and its tranches."""

    grant_id: str
    application_id: str
    round_id: str
    organisation_id: str
    partnership_id: str
    neighbourhood_code: str
    neighbourhood_name: str | None = Field(None, description="The ward's name, as the registry gave it.")
    local_authority_code: str | None = Field(None, description="The ward's local authority district (ONS code).")
    local_authority_name: str | None = None
    region_code: str
    region_name: str | None = None
    imd_decile: int | None
    amount_pence: int
    duration_months: int
    grant_type: str = Field("main", description="main, or starter (a capacity-building grant before the award)")
    demonstration: bool = Field(False, description="A demonstration grant: shown by id, never in a fund figure.")
    paid_pence: int = Field(description="Paid net of returns, as payments' paid_pence: paid_net_pence.")
    paid_net_pence: int = Field(description="Settled payments less those returned: money that left and stayed out.")
    paid_gross_pence: int = Field(description="Every settled payment, returned or not.")
    returned_pence: int = Field(description="Settled payments that came back into the fund.")
    released_pence: int = Field(description="Unspent commitment released back to the fund by an early closure.")
    status: str = Field(description="awarded, completed, or closed (early)")
    awarded_at: Utc
    completed_at: Utc | None
    tranches: list[TrancheOut]
