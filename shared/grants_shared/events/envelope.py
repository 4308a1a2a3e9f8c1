"""The event envelope and the base class of every event payload."""

from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from grants_shared.ids import new_id


class Event(BaseModel):
    """Base of every event payload: names its type, version and producing service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1
    producer: ClassVar[str]

    @classmethod
    def stream(cls) -> str:
        """The Redis stream of this event type and version, e.g. grants.payments.tranche-released.v1."""
        return f"grants.{cls.producer}.{cls.event_type}.v{cls.event_version}"


P = TypeVar("P", bound=Event)


class Envelope(BaseModel, Generic[P]):
    """What travels on a stream: the payload plus the metadata every consumer relies on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str = Field(description="UUID set once by the producer; the deduplication key everywhere.")
    event_type: str
    event_version: int
    occurred_at: datetime
    producer: str
    subject: str = Field(description="The application or grant the event is about.")
    correlation_id: str
    causation_id: str | None = None
    payload: P


@cache
def envelope_of(event: type[Event]) -> Any:
    """The envelope model of an event class, built once (pydantic's `Envelope[X]` lookup is slow on a hot path)."""
    return Envelope[event]  # type: ignore[valid-type]


def wrap(
    payload: Event,
    *,
    subject: str,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Envelope[Any]:
    """Put a payload in a new envelope; the correlation id starts a new chain unless one is given."""
    eid = event_id or new_id()
    model: Any = envelope_of(type(payload))
    envelope: Envelope[Any] = model(
        event_id=eid,
        event_type=payload.event_type,
        event_version=payload.event_version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=payload.producer,
        subject=subject,
        correlation_id=correlation_id or eid,
        causation_id=causation_id,
        payload=payload,
    )
    return envelope
