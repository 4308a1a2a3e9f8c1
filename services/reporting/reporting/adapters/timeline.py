"""Recording events on the timeline: once per event id, linked to its grant, application and partnership."""

from typing import Any

from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.events import Envelope
from reporting.adapters.orm import TimelineEntry
from reporting.adapters.rows import insert_later, insert_once


def record(session: Session, envelope: Envelope[Any]) -> bool:
    """Add the event to the timeline; False when its event id is already there (a duplicate)."""
    return insert_once(session, TimelineEntry, _row(envelope) | {"payload": envelope.payload.model_dump(mode="json")})


def record_later(session: Session, envelope: Envelope[Any]) -> None:
    """Add the event to the timeline with the batch's other entries (one executemany); a duplicate does nothing."""
    row = _row(envelope)
    row["payload"] = envelope.payload.model_dump_json()  # encoded once, in pydantic's core, not dumped then encoded
    insert_later(session, TimelineEntry, row, encoded=("payload",))


def _row(envelope: Envelope[Any]) -> dict[str, Any]:
    payload = envelope.payload
    fields = vars(payload)  # not getattr: a pydantic model answers a missing name by raising, slowly
    return {
        "event_id": envelope.event_id,
        "stream": payload.stream(),
        "event_type": envelope.event_type,
        "producer": envelope.producer,
        "subject": envelope.subject,
        "grant_id": fields.get("grant_id"),
        "application_id": fields.get("application_id"),
        "partnership_id": fields.get("partnership_id"),
        "occurred_at": as_utc(envelope.occurred_at),
    }
