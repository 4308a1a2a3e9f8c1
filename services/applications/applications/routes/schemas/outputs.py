"""What the API answers with: built from stored rows by `applications.routes.views`, never from request bodies."""

from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class RuleOutcomeOut(BaseModel):
    """A rule, whether it passed, and why."""

    rule: str
    passed: bool
    detail: str


class OrganisationOut(BaseModel):
    """An organisation."""

    id: str
    name: str
    org_id: str
    fund_holding: bool
    due_diligence: str
    created_at: datetime
    updated_at: datetime


class MemberOut(BaseModel):
    """A partnership member; `current` is false once they left."""

    id: str
    name: str
    resident: bool
    joined_on: date
    left_on: date | None
    current: bool


class PartnershipOut(BaseModel):
    """A partnership with its members and its compliance with the rules in force."""

    id: str
    organisation_id: str
    name: str
    neighbourhood_code: str
    members: list[MemberOut]
    member_count: int
    resident_count: int
    compliant: bool
    outcomes: list[RuleOutcomeOut]
    rules_version: str
    created_at: datetime
    updated_at: datetime


class AssessmentOut(BaseModel):
    """The newest eligibility assessment of a submitted version (redone when its partnership changes)."""

    eligible: bool
    outcomes: list[RuleOutcomeOut]
    rules_version: str
    version: int
    sequence: int = Field(description="1 for the assessment at submission, then one more per re-assessment")
    trigger: Literal["submitted", "partnership_changed"]
    neighbourhood: dict[str, Any]
    assessed_at: datetime


class DecisionOut(BaseModel):
    """The newest allocation decision about an application."""

    outcome: str
    awarded: bool
    awarded_pence: int
    rank: int | None
    ranked_of: int
    need_score: float | None
    rationale: str
    run_id: str
    round_id: str
    decided_at: datetime


class ApplicationOut(BaseModel):
    """An application with its assessment and decision, if any."""

    id: str
    status: str
    version: int
    partnership_id: str
    organisation_id: str
    neighbourhood_code: str
    grant_type: str = "main"
    requested_pence: int
    duration_months: int
    themes: list[str]
    summary: str
    assessment: AssessmentOut | None
    decision: DecisionOut | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
