"""The relay's doorbell across processes: an API that commits outbox rows rings it, the worker's relay wakes at once.

The doorbell only saves waiting for the relay's next poll; it is never what delivery relies on. A ring is a Redis
PUBLISH on `grants.outbox-doorbell.<service>` sent from a background thread (a request never waits on it), and
rings that come while one is being sent are folded into it.
"""

import asyncio
import logging
import threading
from collections.abc import Callable

from redis.exceptions import RedisError

from grants_shared.delivery.backoff import Backoff
from grants_shared.delivery.redis_client import async_client, sync_client

log = logging.getLogger(__name__)


def channel(service: str) -> str:
    """The pub/sub channel of a service's doorbell."""
    return f"grants.outbox-doorbell.{service}"


class RemoteBell:
    """Rings a service's doorbell from this process without making the caller wait."""

    def __init__(self, redis_url: str, service: str) -> None:
        self._redis_url, self._channel = redis_url, channel(service)
        self._rung = threading.Event()
        threading.Thread(target=self._send_forever, name=f"doorbell-{service}", daemon=True).start()

    def ring(self) -> None:
        """Ask for one ring soon."""
        self._rung.set()

    def _send_forever(self) -> None:
        client = sync_client(self._redis_url)
        while True:
            self._rung.wait()
            self._rung.clear()
            try:
                client.publish(self._channel, b"1")
            except RedisError as error:  # the relay's poll still finds the rows
                log.debug("doorbell not rung: %r", error)


async def listen(redis_url: str, service: str, wake: Callable[[], None], stopping: asyncio.Event) -> None:
    """Call `wake` whenever the service's doorbell rings, until `stopping` is set; reconnect after Redis outages."""
    backoff = Backoff(first_s=0.1, cap_s=5.0)
    while not stopping.is_set():
        client = async_client(redis_url, block_ms=1000)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(channel(service))
                backoff.reset()
                while not stopping.is_set():
                    if await pubsub.get_message(timeout=1.0) is not None:
                        wake()
        except (RedisError, OSError) as error:
            log.debug("doorbell of %s not heard (%r); listening again", service, error)
            await backoff.sleep()
        finally:
            await client.aclose()
