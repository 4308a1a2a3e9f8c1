"""A consumer whose touch loop swallows a cancellation still goes on consuming.

On Python 3.11 a task cancelled while a redis-py command is being sent can lose the cancellation: the command's
`asyncio.wait_for` sees its write already finished and returns it instead of raising. The soak found the reporting
group stalled for good that way (entries undelivered, nothing pending, nothing in the log): the loop that touches
entries under way was stopped by `cancel()` alone, ran on, and the consumer waited for it forever.
"""

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from sqlalchemy import func, insert, select

from grants_shared.db import read_only_session
from grants_shared.delivery import Route
from grants_shared.delivery.streams import Entry
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.events import Envelope, ReportAccepted, wrap
from grants_shared.uow import UnitOfWork
from tests.support.consuming import Running, effects, eventually, publish, start_consumer

pytestmark = pytest.mark.anyio
TUNING = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3)


def accepted(n: int) -> Envelope[Any]:
    return wrap(
        ReportAccepted(
            report_id=f"r{n}", grant_id="g", period_number=n, accepted_by="assessor", accepted_at=datetime.now(UTC)
        ),
        subject="g",
    )


def applied(sessions: Any) -> int:
    with read_only_session(sessions.kw["bind"]) as s:
        return int(s.execute(select(func.count()).select_from(effects)).scalar_one())


async def test_the_consumer_carries_on_when_its_touch_loop_swallows_a_cancel(
    sessions: Any, redis_url: str, running: Running
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    touching = threading.Event()

    def slow_handler(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        touching.wait(30)  # the batch is still being applied while its entries are touched
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=envelope.payload.period_number))

    group = "touch-test"
    consumer = await start_consumer(
        running, sessions, redis_url, group, [Route(ReportAccepted, slow_handler)], TUNING, relay=False
    )
    real_touch, swallowed = consumer.streams.touch, []

    async def touch_that_swallows_the_cancel(entries: list[Entry]) -> None:
        if swallowed:
            return await real_touch(entries)
        touching.set()
        try:
            await asyncio.sleep(3600)  # a command under way when the batch settles
        except asyncio.CancelledError:
            swallowed.append(True)  # the write had finished: wait_for returns it and the cancel is gone
            await real_touch(entries)

    consumer.streams.touch = touch_that_swallows_the_cancel  # type: ignore[method-assign]
    publish(redis_url, accepted(1))
    await eventually(lambda: applied(sessions) == 1, what="the first event applied")
    publish(redis_url, accepted(2))
    await eventually(lambda: applied(sessions) == 2, what="the next event applied after the swallowed cancel")
    assert swallowed == [True]
