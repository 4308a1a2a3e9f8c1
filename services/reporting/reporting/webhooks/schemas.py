"""The webhook API's bodies."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from grants_shared.http.text import line_rule
from reporting.webhooks.filters import EVENT_TYPES

Id = Annotated[str, line_rule(100)]
Ids = list[Id]
MAX_OVERLAP_S = 7 * 24 * 3600


def _ids(values: list[str]) -> list[str]:
    if any(not v or len(v) > 100 for v in values):
        raise ValueError("each id is 1 to 100 characters")
    return sorted(set(values))


class Filters(BaseModel):
    """What a subscription wants: event types (empty: all), and rounds or neighbourhoods (empty: all)."""

    model_config = ConfigDict(extra="forbid")

    event_types: Ids = Field(default_factory=list, max_length=len(EVENT_TYPES), examples=[["grant-awarded"]])
    round_ids: Ids = Field(default_factory=list, max_length=100)
    neighbourhood_codes: Ids = Field(default_factory=list, max_length=500, examples=[["E05000026"]])

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, values: list[str]) -> list[str]:
        unknown = sorted(set(values) - EVENT_TYPES)
        if unknown:
            raise ValueError(f"unknown event types {unknown}; known: {sorted(EVENT_TYPES)}")
        return sorted(set(values))

    @field_validator("round_ids", "neighbourhood_codes")
    @classmethod
    def _clean_ids(cls, values: list[str]) -> list[str]:
        return _ids(values)


class SubscriptionIn(Filters):
    """A new subscription: the endpoint (https; http and loopback only in development) and its filters."""

    url: Annotated[str, line_rule(2000)] = Field(examples=["https://crm.example.org/hooks/cwf"])
    description: Annotated[str, line_rule(500)] | None = None


class SubscriptionPatch(BaseModel):
    """A change to a subscription: any field given replaces the old one; `enabled: true` re-enables it."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, line_rule(2000)] | None = None
    description: Annotated[str, line_rule(500)] | None = None
    event_types: Ids | None = None
    round_ids: Ids | None = None
    neighbourhood_codes: Ids | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _filters_valid(self) -> "SubscriptionPatch":
        Filters(
            event_types=self.event_types or [],
            round_ids=self.round_ids or [],
            neighbourhood_codes=self.neighbourhood_codes or [],
        )
        return self


class SubscriptionOut(BaseModel):
    """A subscription as its owner sees it (the secret is shown only when made or rotated)."""

    id: str
    url: str
    description: str
    event_types: list[str]
    round_ids: list[str]
    neighbourhood_codes: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_until: datetime | None
    created_at: datetime
    secret: str | None = Field(None, description="`whsec_` + base64: shown once, when created or rotated.")


class SubscriptionPage(BaseModel):
    """The caller's subscriptions."""

    items: list[SubscriptionOut]


class RotateIn(BaseModel):
    """How long the old secret keeps signing beside the new one (both signatures go in every delivery)."""

    model_config = ConfigDict(extra="forbid")

    overlap_s: int = Field(24 * 3600, ge=0, le=MAX_OVERLAP_S)


class ReplayIn(BaseModel):
    """Send again one delivery, or every delivery of events that occurred in [since, until)."""

    model_config = ConfigDict(extra="forbid")

    delivery_id: Annotated[str, line_rule(40)] | None = None
    since: datetime | None = None
    until: datetime | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "ReplayIn":
        if (self.delivery_id is None) == (self.since is None or self.until is None):
            raise ValueError("give either delivery_id, or both since and until")
        if self.since and self.until and self.since >= self.until:
            raise ValueError("since must be before until")
        return self


class ReplayOut(BaseModel):
    """The new deliveries a replay owes (new webhook-ids, the same events)."""

    replay_id: str
    deliveries: int


class AttemptOut(BaseModel):
    """One POST of a delivery."""

    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    """A delivery and its attempts."""

    id: str
    event_id: str
    event_type: str
    occurred_at: datetime
    replay_id: str
    status: Literal["pending", "delivered", "failed"]
    attempts: list[AttemptOut]
    next_attempt_at: datetime | None


class DeliveryPage(BaseModel):
    """A subscription's latest deliveries, newest first."""

    items: list[DeliveryOut]
