"""The outbox relay: publishes committed outbox rows to their streams, then marks them sent."""

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

from faststream.redis import RedisBroker
from opentelemetry import propagate, trace
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.crash import crash_point

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class OutboxRelay:
    """Moves outbox rows to Redis Streams: at least once, never lost (a crash means a late repeat)."""

    def __init__(
        self, sessions: sessionmaker[Session], broker: RedisBroker, *, batch: int = 200, interval_s: float = 0.05,
        name: str = "outbox",
    ) -> None:
        self._sessions = sessions
        self._broker = broker
        self._batch = batch
        self._interval_s = interval_s
        self._stopping = asyncio.Event()
        self._crash_point = f"{name}.relay_after_publish"

    async def run(self) -> None:
        """Publish until stopped; errors are logged and retried on the next turn."""
        while not self._stopping.is_set():
            try:
                sent = await self.publish_pending()
            except Exception:
                log.exception("outbox relay turn failed; retrying")
                sent = 0
            if sent < self._batch:
                try:
                    await asyncio.wait_for(self._stopping.wait(), timeout=self._interval_s)
                except TimeoutError:
                    pass

    def stop(self) -> None:
        """Ask the loop to end after its current turn."""
        self._stopping.set()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows in id order; returns how many were sent."""
        session = self._sessions()
        try:
            rows = await asyncio.to_thread(self._claim_batch, session)
            if not locks_rows(session):
                # SQLite's only lock is the whole database's. Held across the publishes below, every writer waits on
                # it, and the consumers' threads waiting for it can leave none to run `_mark_sent`: a stall until
                # their busy timeout. Released here, two relays may publish a row twice, which consumers deduplicate.
                await asyncio.to_thread(session.rollback)
            for row in rows:
                await self._publish(row)
            if rows:
                crash_point(self._crash_point)  # published but not marked sent: the rows go out again
                await asyncio.to_thread(self._mark_sent, session, [r.id for r in rows])
            else:
                await asyncio.to_thread(session.rollback)
            return len(rows)
        finally:
            await asyncio.to_thread(session.close)

    def _claim_batch(self, session: Session) -> list[Any]:
        # SKIP LOCKED keeps two relays (PostgreSQL) off the same rows; SQLite has no row locks (see publish_pending).
        query = (
            select(tables.outbox)
            .where(tables.outbox.c.published_at.is_(None))
            .order_by(tables.outbox.c.id)
            .limit(self._batch)
            .with_for_update(skip_locked=True)
        )
        return list(session.execute(query).all())

    def _mark_sent(self, session: Session, ids: list[int]) -> None:
        session.execute(update(tables.outbox).where(tables.outbox.c.id.in_(ids)).values(published_at=datetime.now(UTC)))
        session.commit()

    async def _publish(self, row: Any) -> None:
        parent = propagate.extract(row.headers or {})
        with tracer.start_as_current_span(
            f"{row.stream} publish", context=parent, kind=trace.SpanKind.PRODUCER
        ) as span:
            span.set_attribute("messaging.message.id", row.event_id)
            headers: dict[str, str] = {"event_id": row.event_id}
            propagate.inject(headers)
            await self._broker.publish(
                json.loads(row.body), stream=row.stream, headers=headers, correlation_id=row.event_id
            )


def locks_rows(session: Session) -> bool:
    """True when the database locks single rows (PostgreSQL): a claimed batch can stay locked while it is published."""
    return session.get_bind().dialect.name != "sqlite"
