"""Rebuilding reporting's read models from the streams' history, through the live consumer's own code.

Every stream reporting consumes is read with XRANGE, the entries merged in Redis's order (entry ids share Redis's
clock, as the live consumer sorts them), checked against the producers' signatures like the live consumer does,
and applied in batches by the same `Batch` (inbox, projections, parking and waking) under the same group name.
Reporting's own events (reports submitted and reviewed) go back on the timeline, where its API had put them.
Impact reports are reporting's own records, not projections: a rebuild never touches them.

The inbox makes a rebuild resumable: running it again applies only what the first run had not.
"""

import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.clock import as_utc
from grants_shared.delivery import parking
from grants_shared.delivery.batch import Batch
from grants_shared.delivery.messages import Message, Route, decode
from grants_shared.delivery.streams import Entry
from grants_shared.events import ALL_EVENTS
from grants_shared.signing import Keyring, Refused
from reporting.adapters import orm, orm_public, timeline
from reporting.consumers.events import consumed

GROUP = "reporting"  # the live worker's group: the rebuilt inbox and parked rows are the ones it would keep
PAGE = 1000  # entries per XRANGE call

# The tables the consumer projects into: what a rebuild empties (in place) and writes again.
READ_MODELS: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        orm.TimelineEntry,
        orm.Round,
        orm.Grant,
        orm.Tranche,
        orm.Payment,
        orm.ReconciliationDifference,
        orm.Application,
        orm_public.Neighbourhood,
        orm_public.Decision,
        orm_public.TrancheHold,
    )
)

OWN_STREAMS: tuple[str, ...] = tuple(e.stream() for e in ALL_EVENTS if e.producer == GROUP)


@dataclass
class RebuildResult:
    """What a rebuild read, applied and could not apply."""

    read: int = 0
    applied: int = 0
    duplicates: int = 0
    own_events: int = 0
    woken: int = 0
    refused: list[str] = field(default_factory=list)  # entries the live consumer dead-letters too
    failed: list[str] = field(default_factory=list)
    still_parked: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when every entry was applied (or was a duplicate) and nothing is left waiting."""
        return not (self.refused or self.failed or self.still_parked)


def routes() -> list[Route]:
    """The live worker's routes: every consumed event into the same projections."""
    return [Route(event, handle) for event, handle in consumed()]


def streams_of(consumer_routes: list[Route]) -> list[str]:
    """Every stream a rebuild reads: those the worker consumes, and reporting's own (for the timeline)."""
    return sorted({route.stream for route in consumer_routes} | set(OWN_STREAMS))


def history(redis: Redis, streams: list[str], page: int = PAGE) -> Iterator[Entry]:
    """Every entry of `streams` up to now, merged by the millisecond Redis added it (its id's first part)."""
    return heapq.merge(*(_stream_history(redis, s, page) for s in streams), key=lambda e: e.millis)


def in_order(messages: Iterable[Message]) -> Iterator[Message]:
    """Messages merged by millisecond, each millisecond's in the order their events occurred, then Redis's.

    An id's sequence counts within one stream only, so across streams Redis orders entries to the millisecond and
    no finer: a relay's batch lands many events of one grant, on several streams, in the same millisecond. Taking
    them as their events occurred spares most of the parking (a payment ahead of its tranche) that the same
    history read in sequence order meets; parking still settles whatever order is left, as in the live worker.
    """
    for _, same_millisecond in itertools.groupby(messages, key=lambda m: m.entry.millis):
        yield from sorted(same_millisecond, key=lambda m: (as_utc(m.envelope.occurred_at), m.entry.position))


def _stream_history(redis: Redis, stream: str, page: int) -> Iterator[Entry]:
    start = "-"
    while True:
        reply: Any = redis.xrange(stream, min=start, max="+", count=page)
        for entry_id, fields in reply:
            yield Entry(stream, entry_id.decode(), fields)
        if len(reply) < page:
            return
        start = "(" + reply[-1][0].decode()


def clear_read_models(sessions: sessionmaker[Session]) -> None:
    """Empty the read models and the group's inbox, parked events and progress, in one transaction."""
    with sessions() as session:
        for table in READ_MODELS:
            session.execute(delete(table))
        for delivery in (tables.inbox, tables.parked, tables.consumer_progress):
            session.execute(delete(delivery).where(delivery.c.consumer_group == GROUP))
        session.commit()


def is_empty(sessions: sessionmaker[Session]) -> bool:
    """True when no read model holds a row (a fresh target)."""
    with sessions() as session:
        return all(session.execute(select(table).limit(1)).first() is None for table in READ_MODELS)


class Rebuild:
    """One rebuild run: read the history, verify and decode each entry, apply in batches of `batch`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        redis: Redis,
        keyring: Keyring,
        *,
        batch: int = 500,
        progress: Callable[[RebuildResult], None] | None = None,
    ) -> None:
        self.sessions, self.redis, self.keyring, self.batch = sessions, redis, keyring, batch
        self.routes = {route.stream: route for route in routes()}
        self.own = {e.stream(): Route(e, _timeline_only) for e in ALL_EVENTS if e.producer == GROUP}
        self.progress = progress
        self.result = RebuildResult()

    def run(self) -> RebuildResult:
        """Apply the whole history, then retry what is still parked once (as the live sweep would)."""
        chunk: list[Message] = []
        for message in in_order(self._readable_history()):
            chunk.append(message)
            if len(chunk) >= self.batch:
                self._apply(chunk)
                chunk = []
        self._apply(chunk)
        self._settle_parked()
        return self.result

    def _readable_history(self) -> Iterator[Message]:
        for entry in history(self.redis, streams_of(list(self.routes.values()))):
            self.result.read += 1
            if (message := self._readable(entry)) is not None:
                yield message

    def _readable(self, entry: Entry) -> Message | None:
        """The verified message of an entry; None (and noted) for one the live consumer would dead-letter."""
        try:
            message = decode(entry, self.routes | self.own)
            self.keyring.verify(
                stream=entry.stream,
                owner=message.route.event.producer,
                producer=message.envelope.producer,
                body=message.body,
                headers=message.headers,
            )
        except (ValueError, Refused) as error:
            self.result.refused.append(f"{entry.stream} {entry.entry_id}: {error}")
            return None
        return message

    def _apply(self, chunk: list[Message]) -> None:
        if not chunk:
            return
        consumed_part = [m for m in chunk if m.entry.stream in self.routes]
        own_part = [m for m in chunk if m.entry.stream not in self.routes]
        with self.sessions() as session:
            outcome = Batch(session, GROUP, self.routes, datetime.now(UTC)).apply(consumed_part)
            for message in own_part:
                self.result.own_events += int(timeline.record(session, message.envelope))
            session.commit()
        self.result.applied += len(outcome.with_status("applied"))
        self.result.duplicates += len(outcome.with_status("duplicate"))
        self.result.woken += outcome.woken
        self.result.failed += [f"{o.message.event_id}: {o.error}" for o in outcome.with_status("failed")]
        if self.progress is not None:
            self.progress(self.result)

    def _settle_parked(self) -> None:
        """Retry every parked event once, then list those still waiting (the live group would wait on them too)."""
        with self.sessions() as session:
            batch = Batch(session, GROUP, self.routes, datetime.now(UTC))
            for row in _parked(session):
                batch.retry_parked(row, parking.message_of(row, self.routes))
            batch.wake(set(batch.applied_subjects))
            batch.finish()
            session.commit()
            self.result.woken += batch.result.woken
            self.result.still_parked = [
                f"{row.event_id} waits for {row.waits_for}: {row.reason}" for row in _parked(session)
            ]


def _parked(session: Session) -> list[Any]:
    parked = tables.parked.c
    query = select(tables.parked).where(parked.consumer_group == GROUP).order_by(parked.parked_at, parked.event_id)
    return list(session.execute(query).all())


def _timeline_only(envelope: Any, uow: Any) -> None:
    """Reporting's own events only go on the timeline (Rebuild._apply records them outside the group's batch)."""
    timeline.record(uow.session, envelope)
