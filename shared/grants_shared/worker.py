"""The worker process of a service: its consumer group, the outbox relay and any background loops, on one writer.

FastStream runs the process (start-up, shutdown, signals) and documents it (`faststream docs gen`): the AsyncAPI
document is built from the same `WorkerSpec` that the consumer runs from. Consuming itself is the platform's own
batched loop (`grants_shared.delivery.consumer`), because a FastStream subscriber reads one stream and handles one
message per transaction; the document shows each consumed stream as the group's subscription all the same.
"""

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.broker import make_broker
from grants_shared.delivery import doorbell
from grants_shared.delivery.consumer import GroupConsumer
from grants_shared.delivery.messages import Handler, Route
from grants_shared.delivery.names import consumer_name
from grants_shared.delivery.redis_client import async_client, sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.event_keys import keyring_of
from grants_shared.events.envelope import Envelope, Event
from grants_shared.logging_setup import configure_logging
from grants_shared.settings import PlatformSettings
from grants_shared.signing import Keyring
from grants_shared.telemetry import instrument_redis, setup_tracing
from grants_shared.uow import on_commit_with_events


@dataclass
class WorkerContext:
    """What a worker's background loops get: settings, the session factory for reads, the writer for writes."""

    service: str
    settings: PlatformSettings
    sessions: sessionmaker[Session]
    writer: DatabaseWriter


Loop = Callable[[WorkerContext], Coroutine[Any, Any, None]]


@dataclass
class WorkerSpec:
    """What a service's worker consumes, what it publishes (for the AsyncAPI document) and its loops."""

    service: str
    sessions: sessionmaker[Session]
    settings: PlatformSettings
    consumes: Sequence[tuple[type[Event], Handler]] = ()
    publishes: Sequence[type[Event]] = ()
    loops: Sequence[Loop] = field(default_factory=list)


def create_worker(spec: WorkerSpec) -> FastStream:
    """Build the FastStream app: the group's consumer, the relay and the loops start with it and stop with it."""
    configure_logging(f"{spec.service}-worker")
    spec.settings.require_redis_password()
    setup_tracing(f"{spec.service}-worker")
    instrument_redis()
    keyring = keyring_of(spec.settings)  # no keys in production: the worker refuses to start
    keyring.signer(spec.service)
    app = FastStream(make_broker(spec.settings.redis_url), specification=_document(spec))
    running = _Running(spec, keyring)
    app.after_startup(running.start)
    app.on_shutdown(running.stop)
    return app


class _Running:
    """The tasks of a started worker and how to stop them."""

    def __init__(self, spec: WorkerSpec, keyring: Keyring) -> None:
        self.spec, self.keyring = spec, keyring
        self.tasks: list[asyncio.Task[None]] = []
        self.stopping = asyncio.Event()

    async def start(self) -> None:
        spec, settings = self.spec, self.spec.settings
        self.writer = DatabaseWriter(spec.sessions, name=f"{spec.service}-writer")
        self.relay = OutboxRelay(
            spec.sessions,
            sync_client(settings.redis_url),
            signer=self.keyring.signer(spec.service),
            interval_s=settings.relay_interval_s,
            name=spec.service,
        )
        on_commit_with_events(spec.service, self.relay.wake)
        tuning = ConsumerTuning.from_settings(settings)
        self.redis = async_client(settings.redis_url, block_ms=tuning.block_ms)
        self.consumer = GroupConsumer(
            group=spec.service,
            consumer=consumer_name(spec.service),
            routes=[Route(e, h) for e, h in spec.consumes],
            writer=self.writer,
            redis=self.redis,
            tuning=tuning,
            keyring=self.keyring,
        )
        context = WorkerContext(spec.service, settings, spec.sessions, self.writer)
        self.tasks = [
            asyncio.create_task(self.relay.run(self.writer)),
            asyncio.create_task(doorbell.listen(settings.redis_url, spec.service, self.relay.wake, self.stopping)),
        ]
        if spec.consumes:
            self.tasks.append(asyncio.create_task(self.consumer.run()))
        self.tasks.extend(asyncio.create_task(loop(context)) for loop in spec.loops)

    async def stop(self) -> None:
        self.stopping.set()
        self.consumer.stop()
        self.relay.stop()
        on_commit_with_events(self.spec.service, None)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.to_thread(self.writer.close)
        await self.redis.aclose()


def _document(spec: WorkerSpec) -> AsyncAPI:
    """The AsyncAPI document: the group's subscription to each consumed stream, and each published stream."""
    broker = RedisBroker(spec.settings.redis_url)  # never started: it only carries the description
    for event, _ in spec.consumes:

        async def consumed(body: Any) -> None:  # pragma: no cover - documentation only
            """Documents the subscription; the platform's consumer handles the messages."""

        broker.subscriber(
            stream=StreamSub(
                event.stream(), group=spec.service, consumer=consumer_name(spec.service), polling_interval=200
            ),
            title=f"{spec.service}:{event.stream()}",
            description=(event.__doc__ or "").strip(),
        )(consumed)
    for event in spec.publishes:
        broker.publisher(
            stream=event.stream(),
            schema=Envelope[event],  # type: ignore[valid-type]
            title=event.stream(),
            description=(event.__doc__ or "").strip(),
        )
    return AsyncAPI(
        broker,
        title=f"{spec.service} events",
        version="1.0.0",
        description=f"Events the {spec.service} service consumes and publishes.",
    )


def run(app: FastStream) -> None:
    """Run a worker until SIGINT/SIGTERM."""
    asyncio.run(app.run())
