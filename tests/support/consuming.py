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
from grants_shared.event_keys import keyring_of
from grants_shared.events.envelope import Envelope
from grants_shared.settings import PlatformSettings
from grants_shared.signing import Keyring, Signer
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
    """Start a consumer (and, by default, the outbox relay) on their own writer.

    The relay signs as the producer of the first route's event: a test's relay publishes what its consumer reads.
    """
    writer = DatabaseWriter(sessions)
    client = async_client(redis_url, block_ms=tuning.block_ms)
    started = GroupConsumer(
        group=group,
        consumer=consumer,
        routes=list(routes),
        writer=writer,
        redis=client,
        tuning=tuning,
        keyring=keyring(),
    )
    running.consumers.append(started)
    running.writers.append(writer)
    running.clients.append(client)
    running.tasks.append(asyncio.create_task(started.run()))
    if relay:
        outbox = OutboxRelay(sessions, sync_client(redis_url), signer=signer(routes[0].event.producer), interval_s=0.02)
        running.relays.append(outbox)
        running.tasks.append(asyncio.create_task(outbox.run(writer)))
    return started


def keyring() -> Keyring:
    """The event keys of this test run (GRANTS_EVENT_KEYS, set by the root conftest)."""
    return keyring_of(PlatformSettings())


def signer(producer: str) -> Signer:
    """The current signing key of `producer` in this test run."""
    return keyring().signer(producer)


def signed_frame(envelope: Envelope[Any], headers: dict[str, str] | None = None, *, stream: str | None = None) -> str:
    """The envelope's frame signed by its producer, as that producer's relay would publish it on `stream`."""
    body, stream = envelope.model_dump_json(), stream or type(envelope.payload).stream()
    signature = signer(envelope.producer).headers(stream, body)
    return encode_frame(body, {"event_id": envelope.event_id, **(headers or {}), **signature})


def publish(redis_url: str, envelope: Envelope[Any], headers: dict[str, str] | None = None) -> str:
    """XADD an envelope to its stream in the platform's wire format, signed by its producer; returns the entry id."""
    stream = type(envelope.payload).stream()
    return sync_client(redis_url).xadd(stream, {DATA_FIELD: signed_frame(envelope, headers)}).decode()


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
