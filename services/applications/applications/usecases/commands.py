"""The commands use cases take, which are what clients may send (routes take them as request bodies).

Never a status, an assessment, an amount awarded or an owner the client does not hold.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from applications.domain.lifecycle import Theme
from applications.domain.organisation_ids import SCHEMA_PATTERN, normalise_org_id
from grants_shared.http.text import line_rule, text_rule

MAX_REQUEST_PENCE = 10**13  # far above any rule, far below a 64-bit column: a typo cannot overflow storage

Name = Annotated[str, line_rule(200)]
Id = Annotated[str, line_rule(36)]
Code = Annotated[str, line_rule(20)]
Text = Annotated[str, text_rule(10_000)]
Reason = Annotated[str, text_rule(2_000)]
# Strict: money is whole pence, so 150000000.0 is refused rather than read as pence (a float upstream is a bug).
RequestedPence = Annotated[int, Field(strict=True, gt=0, le=MAX_REQUEST_PENCE, description="Pence, an integer.")]
Months = Annotated[int, Field(strict=True, ge=1, le=600)]
Themes = Annotated[list[Theme], Field(min_length=1, max_length=len(Theme), json_schema_extra={"uniqueItems": True})]
DueDiligence = Literal["pending", "passed", "failed"]


class Input(BaseModel):
    """Base of every request body: unknown fields are refused, so nobody sets what they may not."""

    model_config = ConfigDict(extra="forbid")


def _not_future(value: date) -> date:
    # One day of slack: a client a timezone ahead of UTC may already be on tomorrow's date.
    if value > datetime.now(UTC).date() + timedelta(days=1):
        raise ValueError("date may not be in the future")
    return value


def _distinct(themes: list[Theme] | None) -> list[Theme] | None:
    if themes is not None and len(set(themes)) != len(themes):
        raise ValueError("themes must not repeat")
    return themes


class OrganisationCreate(Input):
    """A new fund-holding organisation."""

    name: Name
    org_id: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=SCHEMA_PATTERN)]
    fund_holding: StrictBool
    due_diligence: DueDiligence = "pending"

    _org_id = field_validator("org_id")(normalise_org_id)


class Changes(Input):
    """Base of PATCH bodies: at least one field, and fields are changed, never cleared (no nulls)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})


class OrganisationUpdate(Changes):
    """Changes to an organisation (operator only); at least one field."""

    name: Name | SkipJsonSchema[None] = None
    fund_holding: StrictBool | SkipJsonSchema[None] = None
    due_diligence: DueDiligence | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _something(self) -> "OrganisationUpdate":
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        if any(getattr(self, f) is None for f in self.model_fields_set):
            raise ValueError("fields may be changed, not cleared")
        return self


class MemberCreate(Input):
    """A member joining a partnership."""

    name: Name
    resident: StrictBool
    joined_on: date

    _joined = field_validator("joined_on")(_not_future)


class MemberLeave(Input):
    """A member leaving a partnership."""

    left_on: date

    _left = field_validator("left_on")(_not_future)


class PartnershipCreate(Input):
    """A new resident partnership of a neighbourhood with its first members."""

    organisation_id: Id
    name: Name
    neighbourhood_code: Code
    members: Annotated[list[MemberCreate], Field(max_length=500)] = []


class ApplicationCreate(Input):
    """A new draft application of a partnership; `grant_type` is the main award unless it says starter."""

    partnership_id: Id
    grant_type: Literal["main", "starter"] = "main"
    requested_pence: RequestedPence
    duration_months: Months
    themes: Themes
    summary: Text

    _themes = field_validator("themes")(_distinct)


class ApplicationUpdate(Changes):
    """Changes to a draft application; at least one field."""

    requested_pence: RequestedPence | SkipJsonSchema[None] = None
    duration_months: Months | SkipJsonSchema[None] = None
    themes: Themes | SkipJsonSchema[None] = None
    summary: Text | SkipJsonSchema[None] = None

    _themes = field_validator("themes")(_distinct)

    @model_validator(mode="after")
    def _something(self) -> "ApplicationUpdate":
        if not self.model_fields_set:
            raise ValueError("nothing to change")
        if any(getattr(self, f) is None for f in self.model_fields_set):
            raise ValueError("fields may be changed, not cleared")
        return self


class Withdrawal(Input):
    """Why the applicant withdraws."""

    reason: Reason


class AdviserAssign(Input):
    """The named adviser to assign to a partnership; `adviser_id` names the same adviser across partnerships."""

    name: Name
    adviser_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] | SkipJsonSchema[None] = None
