"""The platform's own consumers under the pipeline benchmark: a burst or backlog drained, per-hop latency, deliveries.

Each service's consumer runs exactly as in its worker (`GroupConsumer` on a `DatabaseWriter`, the outbox relay on
the same writer, woken by the commit doorbell), in this process's event loop.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.batch import BatchResult
from grants_shared.delivery.consumer import GroupConsumer
from grants_shared.delivery.messages import Message, Route
from grants_shared.delivery.redis_client import async_client, sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.event_keys import keyring_of
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork, on_commit_with_events


def payments_routes() -> list[Route]:
    """What the payments worker consumes, as its worker wires it."""
    from payments import bootstrap
    from payments.consumers.events import consumed

    return [Route(event, handler) for event, handler in consumed(bootstrap.settings())]


def reporting_routes() -> list[Route]:
    """What the reporting worker consumes."""
    from reporting.consumers.events import consumed

    return [Route(event, handler) for event, handler in consumed()]


def tuning() -> ConsumerTuning:
    """The consumer tuning a worker would run with (the platform's settings)."""
    return ConsumerTuning.from_settings(PlatformSettings())


class TimedConsumer(GroupConsumer):
    """The platform's consumer, noting when each event's transaction committed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.committed_at: dict[str, float] = {}

    def _transaction(self, chunk: list[Message]) -> BatchResult:
        result = super()._transaction(chunk)
        at = time.perf_counter()
        for outcome in result.outcomes:
            if outcome.status == "applied":
                self.committed_at[outcome.message.event_id] = at
        return result


@dataclass
class Drained:
    """How a consumer did on a burst: time to the last commit, its counters, the rows it wrote."""

    seconds: float
    stats: dict[str, int]
    rows: int = 0
    events: int = 0
    cpu_s: float = 0.0

    @property
    def per_second(self) -> float:
        """Durable events per second."""
        return self.events / self.seconds

    @property
    def deliveries_per_event(self) -> float:
        """Entries handed to the consumer (read plus claimed) per event."""
        return (self.stats.get("read", 0) + self.stats.get("claimed", 0)) / self.events


def count_rows(sessions: sessionmaker[Session]) -> int:
    """Rows in every table of a database (the consumer's footprint, before and after)."""
    engine = sessions.kw["bind"]
    names = [n for n in inspect(engine).get_table_names() if n != "alembic_version"]
    with sessions() as session:
        return sum(int(session.execute(select(func.count()).select_from(table(n))).scalar_one()) for n in names)


class Service:
    """One service's consumer group, writer and relay, started in the running event loop."""

    def __init__(
        self, name: str, routes: list[Route], sessions: sessionmaker[Session], redis_url: str, *, relay: bool = True
    ) -> None:
        self.name, self.sessions, self.redis_url = name, sessions, redis_url
        self.writer = DatabaseWriter(sessions, name=f"{name}-writer")
        self.client = async_client(redis_url, block_ms=tuning().block_ms)
        self.consumer = TimedConsumer(
            group=name,
            consumer=f"{name}-bench",
            routes=routes,
            writer=self.writer,
            redis=self.client,
            tuning=tuning(),
            keyring=keyring_of(PlatformSettings()),
        )
        self.relay = (
            OutboxRelay(
                sessions,
                sync_client(redis_url),
                signer=keyring_of(PlatformSettings()).signer(name),
                interval_s=PlatformSettings().relay_interval_s,
                name=name,
            )
            if relay
            else None
        )
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start the consumer (and relay)."""
        self.tasks.append(asyncio.create_task(self.consumer.run()))
        if self.relay is not None:
            on_commit_with_events(self.name, self.relay.wake)
            self.tasks.append(asyncio.create_task(self.relay.run(self.writer)))

    def check(self) -> bool:
        """Raise what ended a loop that should still run (a bug, not a wait); False otherwise."""
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise RuntimeError(f"{self.name}: a loop ended") from task.exception()
        return False

    def applied(self) -> int:
        """Events applied so far (directly, or woken from parking)."""
        return self.consumer.stats["applied"] + self.consumer.stats["woken"]

    async def stop(self) -> None:
        """Stop the loops and the writer."""
        self.consumer.stop()
        if self.relay is not None:
            self.relay.stop()
            on_commit_with_events(self.name, None)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.to_thread(self.writer.close)
        await self.client.aclose()


async def until(
    check: Callable[[], bool],
    timeout_s: float,
    what: str,
    progress: Callable[[], object] = lambda: None,
    stall_s: float = 30,
) -> None:
    """Poll `check` every 2 ms until it holds; print every task's stack when `progress()` stands still too long."""
    deadline = time.monotonic() + timeout_s
    last, moved_at = progress(), time.monotonic()
    while not check():
        now = time.monotonic()
        if now > deadline:
            raise TimeoutError(f"{what} not reached in {timeout_s:.0f} s")
        if (seen := progress()) != last:
            last, moved_at = seen, now
        elif now - moved_at > stall_s:
            print(f"STALL: no progress towards {what} for {stall_s:.0f} s ({last}); tasks:", file=sys.stderr)
            for task in asyncio.all_tasks():
                task.print_stack(file=sys.stderr)
            moved_at = now
        await asyncio.sleep(0.002)


async def drain(
    name: str,
    routes: list[Route],
    sessions: sessionmaker[Session],
    redis_url: str,
    events: int,
    *,
    relay: bool = True,
    timeout_s: float = 3600,
) -> Drained:
    """Start the service on entries already in its streams; time until every event is applied and committed."""
    before = count_rows(sessions)
    service = Service(name, routes, sessions, redis_url, relay=relay)
    cpu, start = time.process_time(), time.perf_counter()
    service.start()
    try:
        await until(
            lambda: service.check() or service.applied() >= events,
            timeout_s,
            f"{name}: {events} events applied",
            progress=lambda: dict(service.consumer.stats),
        )
        end = max(service.consumer.committed_at.values(), default=time.perf_counter())
        cpu = time.process_time() - cpu
    finally:
        await service.stop()
    stats = dict(service.consumer.stats)
    rows = count_rows(sessions) - before
    return Drained(end - start, stats, rows, events, cpu)


async def hop_latency(
    producer_sessions: sessionmaker[Session], consumer: Service, envelopes: list[Any], rate: float
) -> list[float]:
    """Commit one event per transaction at `rate`/s in the producer's database (its relay publishes them); the
    consumer's commit time minus the producer's, per event, in seconds."""
    producer_writer = DatabaseWriter(producer_sessions, name="producer-writer")
    relay = OutboxRelay(
        producer_sessions,
        sync_client(consumer.redis_url),
        signer=keyring_of(PlatformSettings()).signer(envelopes[0].producer),
        name="producer",
        interval_s=PlatformSettings().relay_interval_s,
    )
    on_commit_with_events("producer", relay.wake)
    relay_task = asyncio.create_task(relay.run(producer_writer))
    consumer.start()
    committed: dict[str, float] = {}
    lock = threading.Lock()

    def produce() -> None:
        start = time.perf_counter()
        for i, envelope in enumerate(envelopes):
            pause = start + i / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            with UnitOfWork(producer_sessions) as uow:
                sent = uow.emit(envelope.payload, subject=envelope.subject, event_id=envelope.event_id)
                uow.commit()
            with lock:
                committed[sent.event_id] = time.perf_counter()

    try:
        await asyncio.to_thread(produce)
        await until(
            lambda: consumer.check() or all(e in consumer.consumer.committed_at for e in committed), 120, "every hop"
        )
    finally:
        relay.stop()
        on_commit_with_events("producer", None)
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await asyncio.to_thread(producer_writer.close)
        await consumer.stop()
    return sorted(consumer.consumer.committed_at[e] - at for e, at in committed.items())


def percentile(sorted_values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]
