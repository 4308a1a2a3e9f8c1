"""The webhooks' parts of reporting's worker: the `reporting-webhooks` consumer group and the sender loop."""

from datetime import timedelta

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
        await consumer.run()
    finally:
        consumer.stop()
        await redis.aclose()


async def send(context: WorkerContext) -> None:
    """Run the sender until cancelled."""
    settings = context.settings
    assert isinstance(settings, Settings)
    tuning = SenderTuning(
        concurrency=settings.webhooks_concurrency,
        timeout_s=settings.webhooks_timeout_s,
        disable_after=timedelta(seconds=settings.webhooks_disable_after_s),
    )
    sender = Sender(context.sessions, policy_of(settings), tuning=tuning, write=context.writer.run)
    try:
        await sender.run()
    finally:
        sender.stop()
