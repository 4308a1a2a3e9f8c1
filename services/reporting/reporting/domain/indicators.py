"""The outcome indicator catalogue: versioned definitions of what a grant may report, and checks of values.

Shaped like the outcome-management models funders use (an indicator definition with a unit of measure, a type and
range, a direction and the outcome domain it serves). Every value is a whole number: counts, whole hours, whole
percent, or a score on the indicator's own scale.
"""

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grants_shared.errors import Invalid

INDICATORS: tuple[str, ...] = (
    "places_to_meet",
    "civic_organisations",
    "residents_engaged",
    "volunteering_hours",
    "people_into_education",
    "people_into_employment",
    "health_activities",
)
"""The seven indicators every report carried before the catalogue; a grant without a plan still reports these."""

LABELS: dict[str, str] = {
    "places_to_meet": "Places to meet",
    "civic_organisations": "Civic organisations",
    "residents_engaged": "Residents engaged",
    "volunteering_hours": "Volunteering hours",
    "people_into_education": "People into education",
    "people_into_employment": "People into employment",
    "health_activities": "Health activities",
}


class Domain(StrEnum):
    """The fund principle or outcome domain an indicator serves."""

    EDUCATION = "education"
    HEALTH = "health"
    EMPLOYMENT = "employment"
    PLACES_TO_MEET = "places_to_meet"
    CIVIC_LIFE = "civic_life"
    ENGAGEMENT = "engagement"


Code = str


class Indicator(BaseModel):
    """One indicator definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code = Field(pattern=r"^[a-z][a-z0-9_]{1,49}$")
    name: str = Field(min_length=1, max_length=200)
    definition: str = Field(min_length=1, max_length=2000)
    unit: str = Field(min_length=1, max_length=50)
    value_type: Literal["count", "hours", "percentage", "score"]
    minimum: int
    maximum: int
    higher_is_better: bool
    domain: Domain
    aggregation: Literal["sum", "mean"] = Field(description="How results add up across periods and grants.")

    @model_validator(mode="after")
    def _range_is_sane(self) -> "Indicator":
        if self.minimum > self.maximum:
            raise ValueError(f"{self.code}: minimum {self.minimum} is above maximum {self.maximum}")
        if self.value_type == "percentage" and not (0 <= self.minimum and self.maximum <= 100):
            raise ValueError(f"{self.code}: a percentage lies within 0..100")
        if self.aggregation == "sum" and self.value_type not in ("count", "hours"):
            raise ValueError(f"{self.code}: only counts and hours add up")
        return self


class Catalogue(BaseModel):
    """A published version of the catalogue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{2,49}$")
    title: str
    published_on: str
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique_and_legacy_kept(self) -> "Catalogue":
        codes = [i.code for i in self.indicators]
        if len(codes) != len(set(codes)):
            raise ValueError("indicator codes repeat")
        missing = set(INDICATORS) - set(codes)
        if missing:
            raise ValueError(f"the catalogue drops indicators reports already use: {sorted(missing)}")
        return self

    def get(self, code: str) -> Indicator | None:
        """The indicator with this code, or None."""
        return next((i for i in self.indicators if i.code == code), None)


class UnknownIndicator(Invalid):
    """A code the catalogue does not define (422)."""

    default_code = "indicator-unknown"
    default_title = "No such indicator in the catalogue"


class IndicatorOutOfRange(Invalid):
    """A value outside the indicator's valid range (422)."""

    default_code = "indicator-out-of-range"
    default_title = "The value is outside the indicator's range"


def checked(catalogue: Catalogue, code: str, value: int, what: str) -> Indicator:
    """The indicator of `code`, after refusing an unknown code or a `value` out of its range (`what` names it)."""
    indicator = catalogue.get(code)
    if indicator is None:
        raise UnknownIndicator(
            f"{code} is not in catalogue {catalogue.version}.", indicator=code, catalogue_version=catalogue.version
        )
    if not indicator.minimum <= value <= indicator.maximum:
        raise IndicatorOutOfRange(
            f"The {what} of {code} is {value}; it must lie within {indicator.minimum}..{indicator.maximum}"
            f" ({indicator.unit}).",
            indicator=code,
            field=what,
            minimum=indicator.minimum,
            maximum=indicator.maximum,
        )
    return indicator
