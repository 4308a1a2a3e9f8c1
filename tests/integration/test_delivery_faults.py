"""The consumer under the faults a busy platform meets: a held database lock, two replicas, a Redis restart."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import event, func, insert, select, text

from grants_cli.redis_server import EmbeddedRedis
from grants_shared import deadletter, tables
from grants_shared.db import make_engine, read_only_session, session_factory
from grants_shared.delivery import Route
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.events import Envelope, ReportAccepted, wrap
from grants_shared.uow import UnitOfWork
from tests.support.consuming import Running, effects, effects_md, eventually, publish, start_consumer

pytestmark = pytest.mark.anyio
GROUP = "faults-test"


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """An engine that gives up on a held lock after 200 ms, so a lock wait surfaces as an error quickly."""
    if database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA busy_timeout=200"))
    else:
        engine = make_engine(database_url, connect_args={"options": "-c lock_timeout=200"})
    tables.metadata.create_all(engine)
    effects_md.create_all(engine)
    yield engine
    engine.dispose()


def accepted(n: int) -> Envelope[Any]:
    return wrap(
        ReportAccepted(
            report_id=f"r{n}",
            grant_id=f"g{n % 7}",
            period_number=n,
            accepted_by="assessor",
            accepted_at=datetime.now(UTC),
        ),
        subject=f"g{n % 7}",
    )


def record(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=envelope.payload.period_number))


def count(sessions: Any) -> int:
    with read_only_session(sessions.kw["bind"]) as s:  # a reader takes no write lock
        return int(s.execute(select(func.count()).select_from(effects)).scalar_one())


def pending(redis_url: str) -> int:
    return int(redis.Redis.from_url(redis_url).xpending(ReportAccepted.stream(), GROUP)["pending"])


async def test_a_held_database_lock_delays_events_but_never_dead_letters_them(
    engine: Any, redis_url: str, running: Running
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    sessions = session_factory(engine)
    tuning = ConsumerTuning(batch=20, block_ms=50, claim_idle_ms=150, max_deliveries=1)  # one failure would be fatal
    consumer = await start_consumer(
        running, sessions, redis_url, GROUP, [Route(ReportAccepted, record)], tuning, relay=False
    )
    release = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(engine, release))
    holder.start()
    try:
        for n in range(10):
            publish(redis_url, accepted(n))
        await eventually(lambda: consumer.stats["retried"] >= 2, what="the consumer meeting the held lock")
    finally:
        release.set()
        holder.join()
    await eventually(lambda: count(sessions) == 10 and pending(redis_url) == 0)
    assert consumer.stats["failed"] == 0 and deadletter.list_entries(redis.Redis.from_url(redis_url), GROUP) == []


def _hold_write_lock(engine: Any, release: threading.Event) -> None:
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE"))
        else:
            connection.execute(text("delete from effects where 1 = 0"))  # BEGIN IMMEDIATE took the write lock
        release.wait(timeout=60)
        connection.rollback()


async def test_two_replicas_share_a_burst_without_claiming_each_others_work(
    engine: Any, redis_url: str, running: Running
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    sessions = session_factory(engine)

    def slow(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        time.sleep(0.003)  # a batch takes longer than the claim threshold: only touching keeps it from a claim
        record(envelope, uow)

    tuning = ConsumerTuning(batch=100, block_ms=50, claim_idle_ms=150, max_deliveries=3)
    replicas = [
        await start_consumer(
            running, sessions, redis_url, GROUP, [Route(ReportAccepted, slow)], tuning, consumer=name, relay=False
        )
        for name in ("c1", "c2")
    ]
    for n in range(600):
        publish(redis_url, accepted(n))
    await eventually(lambda: count(sessions) == 600 and pending(redis_url) == 0, timeout=120)
    assert [r.stats["claimed"] for r in replicas] == [0, 0]
    assert sum(r.stats["applied"] for r in replicas) == 600 and all(r.stats["applied"] for r in replicas)
    assert sum(r.stats["duplicate"] for r in replicas) == 0


async def test_the_consumer_carries_on_after_redis_restarts(engine: Any, tmp_path: Path, running: Running) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()  # AOF on: a restart keeps the streams and groups
    try:
        sessions = session_factory(engine)
        tuning = ConsumerTuning(batch=20, block_ms=50, claim_idle_ms=150, max_deliveries=3)
        await start_consumer(running, sessions, server.url, GROUP, [Route(ReportAccepted, record)], tuning)
        publish(server.url, accepted(1))
        await eventually(lambda: count(sessions) == 1)
        server.stop()
        server.start()
        publish(server.url, accepted(2))
        with UnitOfWork(sessions) as uow:  # the relay publishes through the restart too
            uow.emit(accepted(3).payload, subject="g3")
            uow.commit()
        await eventually(lambda: count(sessions) == 3, timeout=60)
    finally:
        server.stop()


async def test_an_unexpected_error_in_the_loop_is_logged_and_the_consumer_carries_on(
    engine: Any, redis_url: str, running: Running
) -> None:
    redis.Redis.from_url(redis_url).flushdb()
    sessions = session_factory(engine)
    tuning = ConsumerTuning(batch=20, block_ms=50, claim_idle_ms=150, max_deliveries=3)
    consumer = await start_consumer(
        running, sessions, redis_url, GROUP, [Route(ReportAccepted, record)], tuning, relay=False
    )
    sweep, failures = consumer.sweep, [RuntimeError("a bug in the sweep")]

    async def failing_once() -> None:  # the loop's own code fails once, as a bug would
        if failures:
            raise failures.pop()
        await sweep()

    consumer.sweep = failing_once  # type: ignore[method-assign]
    consumer._next_sweep = 0.0
    for n in range(30):
        publish(redis_url, accepted(n))
    await eventually(lambda: count(sessions) == 30 and pending(redis_url) == 0, timeout=60)
    assert consumer.stats["loop_errors"] == 1 and not failures
