"""The outbox relay: publishes committed outbox rows to their streams, then marks them sent.

Each turn is one call on the database writer: read a batch, XADD it in one pipelined round trip, mark it sent,
commit. Nothing awaits in between and no transaction spans two threads. On PostgreSQL the batch is claimed with
FOR UPDATE SKIP LOCKED, so two relays never publish one row at once. On SQLite the rows are read without a lock and
marked after the publish (holding SQLite's single write lock across Redis calls would stall every writer), so two
relays may both publish a row: consumers deduplicate by event id. A crash after the publish means a repeat, never a
loss. Each entry is signed with the service's current event key (grants_shared.signing) over its stream and the
exact envelope text. A publish span per row is made only when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT);
otherwise the producer's stored trace context is passed on as it is, at the cost of a dict. The relay sleeps until
its doorbell rings (a commit wrote outbox rows) or its interval passes.
"""

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any

from opentelemetry import propagate, trace
from redis import Redis
from sqlalchemy import Text, cast, select, update
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.crash import crash_point
from grants_shared.db import read_only_session
from grants_shared.delivery.backoff import Backoff
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.grant_trace import grant_of, mark_grant
from grants_shared.signing import Signer
from grants_shared.telemetry import tracing_exported
from grants_shared.wire import DATA_FIELD, encode_frame

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)
OUTBOX = tables.outbox.c
# What a turn publishes; the stored carrier is read as its JSON text, so equal carriers are decoded once.
_UNSENT = (
    select(OUTBOX.id, OUTBOX.event_id, OUTBOX.stream, OUTBOX.body, cast(OUTBOX.headers, Text).label("headers"))
    .where(OUTBOX.published_at.is_(None))
    .order_by(OUTBOX.id)
)


class OutboxRelay:
    """Moves outbox rows to Redis Streams: at least once, never lost, in the order they were written."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        redis: Redis,
        *,
        signer: Signer,
        batch: int = 500,
        interval_s: float = 0.05,
        name: str = "outbox",
    ) -> None:
        self._sessions, self._redis, self._batch, self._interval_s = sessions, redis, batch, interval_s
        self._signer = signer
        self._crash_point = f"{name}.relay_after_publish"
        self._stopping = asyncio.Event()
        self._doorbell: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, writer: DatabaseWriter) -> None:
        """Publish until stopped; Redis or database failures are retried with back-off."""
        self._loop, self._doorbell = asyncio.get_running_loop(), asyncio.Event()
        backoff = Backoff(first_s=self._interval_s, cap_s=2.0)
        while not self._stopping.is_set():
            self._doorbell.clear()
            try:
                sent = await writer.run(self.publish_pending)
                backoff.reset()
            except Exception as error:
                log.warning("outbox relay turn failed (%r); retrying", error)
                await asyncio.sleep(backoff.next_delay())
                continue
            if sent < self._batch:
                await self._wait()

    async def _wait(self) -> None:
        assert self._doorbell is not None
        try:
            await asyncio.wait_for(self._doorbell.wait(), timeout=self._interval_s)
        except TimeoutError:
            pass

    def wake(self) -> None:
        """Ring the doorbell: committed rows wait. Safe from any thread."""
        if self._loop is not None and self._doorbell is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._doorbell.set)

    def stop(self) -> None:
        """Ask the loop to end after its current turn."""
        self._stopping.set()
        self.wake()

    def publish_pending(self) -> int:
        """Publish one batch of unsent rows in id order and mark them sent; returns how many were published."""
        with self._sessions() as session:
            if locks_rows(session):
                rows = self._claim(session)
            else:
                with read_only_session(session.get_bind()) as reader:  # type: ignore[arg-type]
                    rows = self._claim(reader)
            if not rows:
                return 0
            self._publish(rows)
            crash_point(self._crash_point)  # published but not marked sent: the rows go out again
            session.execute(
                update(tables.outbox).where(OUTBOX.id.in_([r.id for r in rows])).values(published_at=datetime.now(UTC))
            )
            session.commit()
            return len(rows)

    def _claim(self, session: Session) -> list[Any]:
        query = _UNSENT.limit(self._batch).with_for_update(skip_locked=True)
        return list(session.execute(query).all())

    def _publish(self, rows: list[Any]) -> None:
        traced, carriers = tracing_exported(), _Carriers()
        with self._redis.pipeline(transaction=False) as pipe:
            for row in rows:
                headers = self._traced_headers(row, carriers) if traced else carriers.headers_of(row)
                headers.update(self._signer.headers(row.stream, row.body))
                frame = encode_frame(row.body, headers)
                pipe.execute_command("XADD", row.stream, "*", DATA_FIELD, frame)  # type: ignore[no-untyped-call]
            pipe.execute()

    @staticmethod
    def _traced_headers(row: Any, carriers: "_Carriers") -> dict[str, str]:
        """A publish span per row, continuing the producer's trace; its context goes on in the headers."""
        with tracer.start_as_current_span(
            f"{row.stream} publish",
            context=propagate.extract(carriers.decoded(row.headers)),
            kind=trace.SpanKind.PRODUCER,
        ) as span:
            span.set_attribute("messaging.system", "redis")
            span.set_attribute("messaging.message.id", row.event_id)
            mark_grant(span, _grant_in(row.body))
            headers: dict[str, str] = {"event_id": row.event_id}
            propagate.inject(headers)
        return headers


class _Carriers:
    """The stored trace carriers of one turn's rows, each distinct text decoded once (a unit of work's events share
    one, so an award's twenty-one rows cost one decode)."""

    def __init__(self) -> None:
        self._decoded: dict[str, dict[str, str]] = {}

    def decoded(self, text: str | None) -> dict[str, str]:
        """The carrier stored as `text` (do not change it: it is shared)."""
        if not text:
            return {}
        carrier = self._decoded.get(text)
        if carrier is None:
            carrier = self._decoded[text] = json.loads(text) or {}
        return carrier

    def headers_of(self, row: Any) -> dict[str, str]:
        """A row's entry headers before signing: its event id and the producer's stored trace context as it is."""
        return {"event_id": row.event_id, **self.decoded(row.headers)}


def _grant_in(body: str) -> str | None:
    """The grant an outbox row's event is about (its payload's grant_id), if any."""
    try:
        return grant_of(json.loads(body).get("payload") or {})
    except (ValueError, AttributeError):
        return None


def locks_rows(session: Session) -> bool:
    """True when the database locks single rows (PostgreSQL): a claimed batch can stay locked while it is published."""
    return session.get_bind().dialect.name != "sqlite"
