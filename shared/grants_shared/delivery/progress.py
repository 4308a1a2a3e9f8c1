"""How far each consumer group has got: events applied, when the last batch committed, the newest event's time."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, insert, select, update
from sqlalchemy.orm import Session

from grants_shared import tables

C = tables.consumer_progress.c


@dataclass(frozen=True)
class Progress:
    """A consumer group's progress: read models are as fresh as `last_applied_at` says."""

    group: str
    applied_total: int
    last_applied_at: datetime
    last_event_at: datetime | None


def record_progress(session: Session, group: str, applied: int, now: datetime, last_event_at: datetime | None) -> None:
    """Add `applied` events to the group's count and move its times forward (never back)."""
    newest = (
        C.last_event_at
        if last_event_at is None
        else case(
            (C.last_event_at.is_(None), last_event_at),
            (C.last_event_at < last_event_at, last_event_at),
            else_=C.last_event_at,
        )
    )
    moved = session.execute(
        update(tables.consumer_progress)
        .where(C.consumer_group == group)
        .values(applied_total=C.applied_total + applied, last_applied_at=now, last_event_at=newest)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(
            insert(tables.consumer_progress).values(
                consumer_group=group, applied_total=applied, last_applied_at=now, last_event_at=last_event_at
            )
        )


def read_progress(session: Session, group: str) -> Progress | None:
    """The group's progress, or None when it has applied nothing yet."""
    row = session.execute(select(tables.consumer_progress).where(C.consumer_group == group)).first()
    if row is None:
        return None
    return Progress(group, int(row.applied_total), row.last_applied_at, row.last_event_at)
