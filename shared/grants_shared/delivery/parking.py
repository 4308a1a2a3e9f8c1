"""Parked events: kept with the subject they wait for, woken when it moves, retried now and then, given up on late.

A parked event is acknowledged on its stream (it is safe in the database), so it never churns through
redeliveries while it waits. The periodic sweep retries parked events whose prerequisite is not an event (a row
another process writes) and dead-letters those that waited longer than the group allows or failed too often.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from grants_shared import tables
from grants_shared.delivery.messages import Message, Route, decode_frame
from grants_shared.delivery.streams import Entry
from grants_shared.wire import DATA_FIELD

P = tables.parked.c
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 60.0


def park(session: Session, group: str, message: Message, *, reason: str, waits_for: str, now: datetime) -> None:
    """Keep a message until an event about `waits_for` is applied (or the sweep retries it)."""
    session.execute(
        insert(tables.parked).values(
            consumer_group=group,
            event_id=message.event_id,
            stream=message.route.stream,
            waits_for=waits_for[:200],
            frame=message.entry.frame,
            reason=reason[:2000],
            parked_at=now,
            attempts=0,
            next_attempt_at=now + timedelta(seconds=FIRST_RETRY_S),
        )
    )


def waiting_for(session: Session, group: str, subjects: set[str]) -> list[Any]:
    """Parked events of the group waiting for any of `subjects`, oldest first."""
    if not subjects:
        return []
    query = select(tables.parked).where(P.consumer_group == group, P.waits_for.in_(subjects))
    return list(session.execute(query.order_by(P.parked_at, P.event_id)).all())


def due(session: Session, group: str, now: datetime, limit: int) -> list[Any]:
    """Parked events of the group whose next retry is due, longest due first."""
    query = select(tables.parked).where(P.consumer_group == group, P.next_attempt_at <= now)
    return list(session.execute(query.order_by(P.next_attempt_at, P.event_id).limit(limit)).all())


def message_of(row: Any, routes: dict[str, Route]) -> Message:
    """The parked event as a message again (ValueError when it cannot be read or its stream is not handled)."""
    route = routes.get(row.stream)
    if route is None:
        raise ValueError(f"no handler for stream {row.stream}")
    entry = Entry(row.stream, "0-0", {DATA_FIELD.encode(): row.frame.encode()}, deliveries=row.attempts + 1)
    return decode_frame(entry, row.frame, route)


def unpark(session: Session, group: str, event_id: str) -> None:
    """Forget a parked event (it was applied, or dead-lettered)."""
    session.execute(delete(tables.parked).where(P.consumer_group == group, P.event_id == event_id))


def repark(session: Session, group: str, row: Any, *, reason: str, waits_for: str, failed: bool, now: datetime) -> None:
    """A retried event is still waiting (or failed again): note why, and when to try it next."""
    attempts = row.attempts + (1 if failed else 0)
    session.execute(
        update(tables.parked)
        .where(P.consumer_group == group, P.event_id == row.event_id)
        .values(
            reason=reason[:2000],
            waits_for=waits_for[:200],
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=_delay(row, attempts, now)),
        )
    )


def expired(row: Any, now: datetime, *, park_timeout_s: float, max_failures: int) -> bool:
    """True when a parked event waited longer than the group allows or failed `max_failures` times."""
    return row.attempts >= max_failures or (now - _aware(row.parked_at, now)).total_seconds() > park_timeout_s


def _delay(row: Any, attempts: int, now: datetime) -> float:
    if attempts:
        return float(min(LONGEST_RETRY_S, 2**attempts))
    waited = (now - _aware(row.parked_at, now)).total_seconds()
    return min(LONGEST_RETRY_S, max(FIRST_RETRY_S, waited / 2))


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment  # SQLite keeps no zone
