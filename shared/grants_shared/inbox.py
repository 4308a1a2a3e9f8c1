"""The idempotent inbox: a consumer group handles each event id once, in the transaction of its effects."""

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from grants_shared import tables


def first_delivery(session: Session, *, group: str, event_id: str, stream: str) -> bool:
    """Record that `group` handles `event_id` now; False when it already did (a duplicate)."""
    seen = session.execute(
        select(tables.inbox.c.event_id).where(
            tables.inbox.c.consumer_group == group, tables.inbox.c.event_id == event_id
        )
    ).first()
    if seen:
        return False
    session.execute(
        insert(tables.inbox).values(
            consumer_group=group, event_id=event_id, stream=stream, processed_at=datetime.now(UTC)
        )
    )
    return True
