"""A consumer group and an outbox relay running in the test's own event loop, on a real Redis and database."""

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.consumer import GroupConsumer
from grants_shared.delivery.messages import Route
from grants_shared.delivery.redis_client import async_client, sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.events.envelope import Envelope
from grants_shared.wire import DATA_FIELD, encode_frame

effects_md = MetaData()
effects = Table("effects", effects_md, Column("event_id", String(36), primary_key=True), Column("n", Integer))
"""A test handler's visible effect: one row per applied event."""


@dataclass
class Running:
    """What a started consumer left to stop."""

    consumers: list[GroupConsumer] = field(default_factory=list)
    relays: list[OutboxRelay] = field(default_factory=list)
    writers: list[DatabaseWriter] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)

    async def stop(self) -> None:
        """Stop every loop, wait for it, close writers and clients."""
        for consumer in self.consumers:
            consumer.stop()
        for relay in self.relays:
            relay.stop()
        await stop_tasks(self.tasks)
        for writer in self.writers:
            await asyncio.to_thread(writer.close)
        for client in self.clients:
            await client.aclose()


async def stop_tasks(tasks: list[asyncio.Task[None]], grace_s: float = 10) -> None:
    """Let stopped loops end on their own; cancel what is left, again until it ends.

    redis-py's asyncio client can swallow a cancellation that lands mid-command, so one cancel may not end a task.
    """
    pending = {task for task in tasks if not task.done()}
    if pending:
        _, pending = await asyncio.wait(pending, timeout=grace_s)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1)


async def start_consumer(
    running: Running,
    sessions: sessionmaker[Session],
    redis_url: str,
    group: str,
    routes: Sequence[Route],
    tuning: ConsumerTuning,
    *,
    consumer: str = "c1",
    relay: bool = True,
) -> GroupConsumer:
    """Start a consumer (and, by default, the outbox relay) on their own writer."""
    writer = DatabaseWriter(sessions)
    client = async_client(redis_url, block_ms=tuning.block_ms)
    started = GroupConsumer(
        group=group, consumer=consumer, routes=list(routes), writer=writer, redis=client, tuning=tuning
    )
    running.consumers.append(started)
    running.writers.append(writer)
    running.clients.append(client)
    running.tasks.append(asyncio.create_task(started.run()))
    if relay:
        outbox = OutboxRelay(sessions, sync_client(redis_url), interval_s=0.02)
        running.relays.append(outbox)
        running.tasks.append(asyncio.create_task(outbox.run(writer)))
    return started


def publish(redis_url: str, envelope: Envelope[Any], headers: dict[str, str] | None = None) -> str:
    """XADD an envelope to its stream in the platform's wire format; returns the entry id."""
    frame = encode_frame(envelope.model_dump_json(), {"event_id": envelope.event_id, **(headers or {})})
    return sync_client(redis_url).xadd(type(envelope.payload).stream(), {DATA_FIELD: frame}).decode()


def publish_raw(redis_url: str, stream: str, frame: str) -> str:
    """XADD any frame (a broken one, for instance)."""
    return redis.Redis.from_url(redis_url).xadd(stream, {DATA_FIELD: frame}).decode()


async def eventually(check: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    """Wait until `check()` is true (polled in a thread), or fail saying what was awaited."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(check):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} not reached in {timeout} s")
        await asyncio.sleep(0.02)
