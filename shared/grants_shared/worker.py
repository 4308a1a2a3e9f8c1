"""The worker process of a service: its FastStream subscribers, the outbox relay and any background loops."""

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from faststream import FastStream
from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.broker import make_broker
from grants_shared.consumer import Handler, ensure_groups, subscribe
from grants_shared.events.envelope import Envelope, Event
from grants_shared.relay import OutboxRelay
from grants_shared.settings import PlatformSettings
from grants_shared.telemetry import instrument_redis, setup_tracing

Loop = Callable[[RedisBroker], Coroutine[Any, Any, None]]


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
    """Build the FastStream app: one consumer group per service, relay and loops started with it."""
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {spec.service}-worker %(levelname)s %(message)s")
    setup_tracing(f"{spec.service}-worker")
    instrument_redis()
    broker = make_broker(spec.settings.redis_url)
    for event, handler in spec.consumes:
        subscribe(
            broker, event=event, group=spec.service, handle=handler, sessions=spec.sessions, settings=spec.settings
        )
    for event in spec.publishes:
        # Documentation only: events are published by the outbox relay, never directly by a handler.
        broker.publisher(
            stream=event.stream(),
            schema=Envelope[event],  # type: ignore[valid-type]
            title=event.stream(),
            description=(event.__doc__ or "").strip(),
        )
    spec_doc = AsyncAPI(
        broker,
        title=f"{spec.service} events",
        version="1.0.0",
        description=f"Events the {spec.service} service consumes and publishes.",
    )
    app = FastStream(broker, specification=spec_doc)
    relay = OutboxRelay(spec.sessions, broker, interval_s=spec.settings.relay_interval_s, name=spec.service)
    tasks: list[asyncio.Task[None]] = []

    @app.on_startup
    async def _create_groups() -> None:
        await ensure_groups(spec.settings.redis_url, [event.stream() for event, _ in spec.consumes], spec.service)

    @app.after_startup
    async def _start_loops() -> None:
        tasks.append(asyncio.create_task(relay.run()))
        tasks.extend(asyncio.create_task(loop(broker)) for loop in spec.loops)

    @app.on_shutdown
    async def _stop_loops() -> None:
        relay.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    return app


def run(app: FastStream) -> None:
    """Run a worker until SIGINT/SIGTERM."""
    asyncio.run(app.run())
