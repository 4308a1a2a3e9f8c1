"""Recording events on the timeline: once per event id, linked to its grant, application and partnership."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grants_shared.events import Envelope
from reporting.adapters.orm import TimelineEntry
from reporting.domain.status import as_utc


def record(session: Session, envelope: Envelope[Any]) -> bool:
    """Add the event to the timeline; False when its event id is already there (a duplicate)."""
    seen = session.execute(select(TimelineEntry.id).where(TimelineEntry.event_id == envelope.event_id)).first()
    if seen:
        return False
    payload = envelope.payload
    session.add(
        TimelineEntry(
            event_id=envelope.event_id,
            stream=payload.stream(),
            event_type=envelope.event_type,
            producer=envelope.producer,
            subject=envelope.subject,
            grant_id=getattr(payload, "grant_id", None),
            application_id=getattr(payload, "application_id", None),
            partnership_id=getattr(payload, "partnership_id", None),
            occurred_at=as_utc(envelope.occurred_at),
            payload=payload.model_dump(mode="json"),
        )
    )
    session.flush()
    return True
