"""The webhooks' parts of reporting's worker: the `reporting-webhooks` consumer group and the sender loop."""

import asyncio
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from grants_shared.delivery.consumer import GroupConsumer
from grants_shared.delivery.messages import Route
from grants_shared.delivery.names import consumer_name
from grants_shared.delivery.redis_client import async_client
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.event_keys import keyring_of
from grants_shared.worker import WorkerContext
from reporting.config import Settings
from reporting.webhooks import fanout, ssrf
from reporting.webhooks.sender import Sender, SenderTuning


async def until_cancelled(loop: Coroutine[Any, Any, None], stop: Callable[[], None]) -> None:
    """Run a loop that ends on a flag; when cancelled, raise the flag and let the loop finish its step.

    A cancel landing mid-command in redis-py's asyncio client can be swallowed, so the loop is ended by its flag.
    """
    task = asyncio.create_task(loop)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        stop()
        await task
        raise


def policy_of(settings: Settings) -> ssrf.Policy:
    """The SSRF policy: loopback and plain http only in development, and only when asked for."""
    development = settings.env == "development"
    loopback = development and settings.webhooks_allow_loopback
    return ssrf.Policy(allow_loopback=loopback, allow_http=development)


async def consume(context: WorkerContext) -> None:
    """Run the webhooks group over every stream until cancelled."""
    tuning = ConsumerTuning.from_settings(context.settings)
    redis = async_client(context.settings.redis_url, block_ms=tuning.block_ms)
    consumer = GroupConsumer(
        group=fanout.GROUP,
        consumer=consumer_name(fanout.GROUP),
        routes=[Route(event, handle) for event, handle in fanout.routes()],
        writer=context.writer,
        redis=redis,
        tuning=tuning,
        keyring=keyring_of(context.settings),
    )
    try:
        await until_cancelled(consumer.run(), consumer.stop)
    finally:
        await redis.aclose()


async def send(context: WorkerContext) -> None:
    """Run the sender until cancelled."""
    settings = context.settings
    assert isinstance(settings, Settings)
    tuning = SenderTuning(
        concurrency=settings.webhooks_concurrency,
        timeout_s=settings.webhooks_timeout_s,
        lease=timedelta(seconds=settings.webhooks_lease_s),
        disable_after=timedelta(seconds=settings.webhooks_disable_after_s),
    )
    sender = Sender(context.sessions, policy_of(settings), tuning=tuning, write=context.writer.run)
    await until_cancelled(sender.run(), sender.stop)
