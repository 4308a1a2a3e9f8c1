"""Consuming a stream safely: inbox dedup, ack after commit, claiming of pending messages, dead letters."""

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import deadletter
from grants_shared.crash import crash_point
from grants_shared.events.envelope import Envelope, Event
from grants_shared.inbox import first_delivery
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[Envelope[Any], UnitOfWork], None]


class NotReady(Exception):
    """A prerequisite of this event has not arrived yet: the message is retried later, not dropped."""


def consumer_name(group: str) -> str:
    """A consumer name unique to this process, so a restarted worker's old entries are claimed, not lost.

    GRANTS_CONSUMER_ID overrides the host-and-pid suffix (the AsyncAPI generator sets it for stable documents).
    """
    return f"{group}-{os.environ.get('GRANTS_CONSUMER_ID') or f'{socket.gethostname()}-{os.getpid()}'}"


class Delivery:
    """Handles one event type for one consumer group: exactly one effect per event id."""

    def __init__(
        self,
        event: type[Event],
        group: str,
        handle: Handler,
        sessions: sessionmaker[Session],
        settings: PlatformSettings,
        broker: RedisBroker,
    ) -> None:
        self.event, self.group, self.handle = event, group, handle
        self.sessions, self.settings, self.broker = sessions, settings, broker

    async def __call__(self, body: Any, message: RedisStreamMessage) -> None:
        """Process a message and acknowledge it only once its effects are committed or dead-lettered."""
        deliveries = await message.get_delivery_count()
        try:
            envelope = Envelope[self.event].model_validate(body)  # type: ignore[name-defined]
        except ValidationError as error:
            await self._dead_letter(body, message, f"undecodable envelope: {error}", deliveries)
            return
        try:
            await asyncio.to_thread(self._apply, envelope)
        except NotReady as waiting:
            if deliveries >= self.settings.not_ready_deliveries:
                await self._dead_letter(body, message, f"prerequisite never arrived: {waiting}", deliveries)
            return
        except Exception as error:
            log.warning("%s failed on %s (delivery %d): %r", self.group, envelope.event_id, deliveries, error)
            if deliveries >= self.settings.max_deliveries:
                await self._dead_letter(body, message, repr(error), deliveries)
            return
        crash_point(f"{self.group}.before_ack")
        await message.ack()
        crash_point(f"{self.group}.after_ack")

    def _apply(self, envelope: Envelope[Any]) -> None:
        try:
            with UnitOfWork(self.sessions, cause=envelope) as uow:
                if not first_delivery(
                    uow.session, group=self.group, event_id=envelope.event_id, stream=self.event.stream()
                ):
                    return
                self.handle(envelope, uow)
                uow.commit()
        except IntegrityError:
            # Another consumer of the group committed the same event first: that is a duplicate, not an error.
            if not self._already_handled(envelope.event_id):
                raise

    def _already_handled(self, event_id: str) -> bool:
        with UnitOfWork(self.sessions) as uow:
            return not first_delivery(uow.session, group=self.group, event_id=event_id, stream="")

    async def _dead_letter(self, body: Any, message: RedisStreamMessage, error: str, deliveries: int) -> None:
        await deadletter.send(
            self.broker,
            group=self.group,
            stream=self.event.stream(),
            message_id=message.raw_message["message_ids"][0].decode(),
            body=body,
            error=error,
            deliveries=deliveries,
        )
        await message.ack()  # FastStream's bookkeeping: send() has acknowledged it already, so this XACK is a no-op


async def ensure_groups(redis_url: str, streams: list[str], group: str) -> None:
    """Create the group on each stream from its first entry, so a worker that starts late still sees everything.

    FastStream would create a missing group at `$` (new entries only); creating it first at `0` means events
    published before this service's first start (or after Redis lost its groups) are consumed, not skipped.
    """
    client = Redis.from_url(redis_url)
    try:
        for stream in streams:
            try:
                await client.xgroup_create(stream, group, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise
    finally:
        await client.aclose()


def subscribe(
    broker: RedisBroker,
    *,
    event: type[Event],
    group: str,
    handle: Handler,
    sessions: sessionmaker[Session],
    settings: PlatformSettings,
) -> None:
    """Consume `event` in `group` with a reader for new entries and a claimer for stale pending ones."""
    delivery = Delivery(event, group, handle, sessions, settings, broker)
    name = consumer_name(group)
    description = (event.__doc__ or "").strip()

    async def on_message(body: Any, message: RedisStreamMessage) -> None:
        await delivery(body, message)

    reader = StreamSub(event.stream(), group=group, consumer=name, polling_interval=200)
    claimer = StreamSub(
        event.stream(),
        group=group,
        consumer=f"{name}-claimer",
        min_idle_time=settings.claim_idle_ms,
        polling_interval=max(100, settings.claim_idle_ms // 2),
    )
    broker.subscriber(
        stream=reader, ack_policy=AckPolicy.MANUAL, title=f"{group}:{event.stream()}", description=description
    )(on_message)
    broker.subscriber(
        stream=claimer,
        ack_policy=AckPolicy.MANUAL,
        title=f"{group}:{event.stream()}:claimer",
        description=f"Claims entries pending over {settings.claim_idle_ms} ms. {description}",
        include_in_schema=False,
    )(on_message)
