"""The delivery contract of ARCHITECTURE.md section 4, on a real Redis and real databases."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from faststream.redis import RedisBroker
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from grants_shared import deadletter, tables
from grants_shared.broker import make_broker
from grants_shared.consumer import NotReady, subscribe
from grants_shared.db import make_engine, session_factory
from grants_shared.events import Envelope, ReportAccepted, ReportSubmitted, wrap
from grants_shared.relay import OutboxRelay
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork

pytestmark = pytest.mark.anyio
GROUP = "delivery-test"

effects_md = MetaData()
effects = Table("effects", effects_md, Column("event_id", String(36), primary_key=True), Column("n", Integer))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sessions(database_url: str) -> Any:
    engine = make_engine(database_url)
    tables.metadata.create_all(engine)
    effects_md.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def settings(redis_url: str) -> PlatformSettings:
    redis.Redis.from_url(redis_url).flushdb()
    return PlatformSettings(REDIS_URL=redis_url, max_deliveries=3, claim_idle_ms=150, not_ready_deliveries=200)


def accepted(n: int) -> ReportAccepted:
    return ReportAccepted(report_id=f"r{n}", grant_id="g1", period_number=n, accepted_by="assessor",
                          accepted_at=datetime.now(UTC))


def record_effect(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=envelope.payload.period_number))


def count(sessions: Any) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(effects)).scalar_one())


async def eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture
async def running(sessions: Any, settings: PlatformSettings) -> AsyncIterator[Callable[..., Any]]:
    brokers: list[RedisBroker] = []
    relays: list[asyncio.Task[None]] = []

    async def start(handler: Callable[..., None] = record_effect, relay: bool = True) -> RedisBroker:
        broker = make_broker(settings.redis_url)
        subscribe(broker, event=ReportAccepted, group=GROUP, handle=handler, sessions=sessions, settings=settings)
        await broker.start()
        brokers.append(broker)
        if relay:
            relays.append(asyncio.create_task(OutboxRelay(sessions, broker, interval_s=0.02).run()))
        return broker

    yield start
    for task in relays:
        task.cancel()
    for broker in brokers:
        await broker.stop()


def pending(settings: PlatformSettings) -> int:
    client = redis.Redis.from_url(settings.redis_url)
    return int(client.xpending(ReportAccepted.stream(), GROUP)["pending"])


async def test_outbox_rows_reach_the_consumer_once_each(sessions: Any, settings: Any, running: Any) -> None:
    with UnitOfWork(sessions) as uow:
        for n in range(5):
            uow.emit(accepted(n), subject="g1")
        uow.commit()
    await running()
    await eventually(lambda: count(sessions) == 5)
    with sessions() as s:
        unsent = s.execute(select(func.count()).select_from(tables.outbox)
                           .where(tables.outbox.c.published_at.is_(None))).scalar_one()
    assert unsent == 0
    await eventually(lambda: pending(settings) == 0)


async def test_a_rolled_back_use_case_publishes_nothing(sessions: Any, settings: Any, running: Any) -> None:
    with UnitOfWork(sessions) as uow:
        uow.emit(accepted(1), subject="g1")  # no commit: the event must vanish with the state change
    await running()
    await asyncio.sleep(0.5)
    assert redis.Redis.from_url(settings.redis_url).exists(ReportAccepted.stream()) in (0, 1)
    assert count(sessions) == 0


async def test_the_same_event_twice_has_one_effect(sessions: Any, settings: Any, running: Any) -> None:
    broker = await running(relay=False)
    envelope = wrap(accepted(7), subject="g1")
    for _ in range(2):
        await broker.publish(envelope.model_dump(mode="json"), stream=ReportAccepted.stream())
    await eventually(lambda: count(sessions) == 1 and pending(settings) == 0)
    await asyncio.sleep(0.3)
    assert count(sessions) == 1


async def test_an_event_before_its_prerequisite_waits_then_applies(sessions: Any, settings: Any,
                                                                    running: Any) -> None:
    arrived: set[str] = set()

    def needs_submission(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if envelope.payload.report_id not in arrived:
            raise NotReady(f"report {envelope.payload.report_id} not submitted yet")
        record_effect(envelope, uow)

    broker = await running(handler=needs_submission, relay=False)
    await broker.publish(wrap(accepted(3), subject="g1").model_dump(mode="json"), stream=ReportAccepted.stream())
    await asyncio.sleep(0.6)
    assert count(sessions) == 0 and pending(settings) == 1
    arrived.add("r3")  # the prerequisite arrives late: the waiting message must now apply, not be lost
    await eventually(lambda: count(sessions) == 1 and pending(settings) == 0)


async def test_a_message_that_always_fails_is_dead_lettered_and_can_be_replayed(
    sessions: Any, settings: Any, running: Any
) -> None:
    broken = {"on": True}

    def flaky(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if broken["on"]:
            raise RuntimeError("handler bug")
        record_effect(envelope, uow)

    broker = await running(handler=flaky, relay=False)
    await broker.publish(wrap(accepted(9), subject="g1").model_dump(mode="json"), stream=ReportAccepted.stream())
    client = redis.Redis.from_url(settings.redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    [entry] = deadletter.list_entries(client, GROUP)
    assert entry["deliveries"] == "3" and "handler bug" in entry["error"]
    assert pending(settings) == 0 and count(sessions) == 0
    broken["on"] = False
    deadletter.replay(client, GROUP, entry["id"])
    await eventually(lambda: count(sessions) == 1)
    assert deadletter.list_entries(client, GROUP) == []


async def test_dead_lettering_acknowledges_the_message_in_the_same_step(settings: Any) -> None:
    # No moment where a message is both a dead letter and still pending (CI once saw exactly that window).
    client = redis.Redis.from_url(settings.redis_url)
    client.xgroup_create(ReportAccepted.stream(), GROUP, id="0", mkstream=True)
    message_id = client.xadd(ReportAccepted.stream(), {"__data__": "{}"}).decode()
    client.xreadgroup(GROUP, "failing-consumer", {ReportAccepted.stream(): ">"}, count=1)
    assert pending(settings) == 1
    broker = make_broker(settings.redis_url)
    await broker.start()
    try:
        await deadletter.send(broker, group=GROUP, stream=ReportAccepted.stream(), message_id=message_id,
                              body={}, error="handler bug", deliveries=3)
    finally:
        await broker.stop()
    [entry] = deadletter.list_entries(client, GROUP)
    assert entry["message_id"] == message_id and pending(settings) == 0


async def test_a_crashed_consumers_pending_message_is_claimed(sessions: Any, settings: Any, running: Any) -> None:
    client = redis.Redis.from_url(settings.redis_url)
    client.xgroup_create(ReportAccepted.stream(), GROUP, id="0", mkstream=True)
    publisher = make_broker(settings.redis_url)
    await publisher.start()
    await publisher.publish(wrap(accepted(4), subject="g1").model_dump(mode="json"), stream=ReportAccepted.stream())
    await publisher.stop()
    # A consumer that read the message and died before acknowledging it.
    client.xreadgroup(GROUP, "dead-consumer-1", {ReportAccepted.stream(): ">"}, count=1)
    assert pending(settings) == 1
    await running(relay=False)
    await eventually(lambda: count(sessions) == 1 and pending(settings) == 0)


async def test_an_undecodable_message_goes_straight_to_dead_letters(sessions: Any, settings: Any,
                                                                    running: Any) -> None:
    broker = await running(relay=False)
    await broker.publish({"not": "an envelope"}, stream=ReportAccepted.stream())
    client = redis.Redis.from_url(settings.redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    assert "undecodable" in deadletter.list_entries(client, GROUP)[0]["error"]


def test_wrong_event_class_is_refused_by_the_envelope() -> None:
    body = wrap(accepted(1), subject="g1").model_dump(mode="json")
    with pytest.raises(ValueError):
        Envelope[ReportSubmitted].model_validate(body)


async def test_the_operator_command_shows_and_replays_a_dead_letter(
    sessions: Any, settings: Any, running: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from grants_cli.main import app

    broken = {"on": True}

    def flaky(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if broken["on"]:
            raise RuntimeError("bad tranche data")
        record_effect(envelope, uow)

    broker = await running(handler=flaky, relay=False)
    await broker.publish(wrap(accepted(5), subject="g1").model_dump(mode="json"), stream=ReportAccepted.stream())
    client = redis.Redis.from_url(settings.redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    runner = CliRunner()
    listed = await asyncio.to_thread(runner.invoke, app, ["dlq", "list", "--group", GROUP], env={"COLUMNS": "250"})
    entry_id = deadletter.list_entries(client, GROUP)[0]["id"]
    assert listed.exit_code == 0 and entry_id in listed.output and "bad tranche data" in listed.output
    broken["on"] = False
    replayed = await asyncio.to_thread(runner.invoke, app, ["dlq", "replay", GROUP, entry_id])
    assert replayed.exit_code == 0, replayed.output
    await eventually(lambda: count(sessions) == 1)


async def test_after_redis_loses_everything_groups_return_and_an_outbox_replay_converges(
    sessions: Any, settings: Any, running: Any, database_url: str
) -> None:
    from grants_shared.consumer import ensure_groups
    from grants_shared.outbox_admin import replay

    with UnitOfWork(sessions) as uow:
        for n in range(3):
            uow.emit(accepted(n), subject="g1")
        uow.commit()
    first = await running(relay=False)
    await OutboxRelay(sessions, first).publish_pending()
    await eventually(lambda: count(sessions) == 3)
    await first.stop()  # a worker whose groups vanish exits; the supervisor starts a new one
    redis.Redis.from_url(settings.redis_url).flushdb()  # Redis lost its data: streams and groups are gone
    await ensure_groups(settings.redis_url, [ReportAccepted.stream()], GROUP)  # what a restarted worker does
    await running()
    assert replay(database_url) == 3
    with UnitOfWork(sessions) as uow:
        uow.emit(accepted(3), subject="g1")  # new work after the loss flows too
        uow.commit()
    await eventually(lambda: count(sessions) == 4 and pending(settings) == 0)
    await asyncio.sleep(0.3)
    assert count(sessions) == 4  # the replayed three were deduplicated, not applied twice


async def test_a_writer_commits_while_the_relay_publishes(sessions: Any, settings: Any, running: Any) -> None:
    """The relay holds no database-wide lock across its publishes (SQLite's would stall every writer, and could leave
    the consumers' threads, all waiting for it, none to let the relay finish)."""
    with UnitOfWork(sessions) as uow:
        for n in range(3):
            uow.emit(accepted(n), subject="g1")
        uow.commit()
    written: list[int] = []

    def another_writer() -> None:
        with UnitOfWork(sessions) as uow:
            uow.emit(accepted(100 + len(written)), subject="g1")
            uow.commit()
        written.append(1)

    class WritingRelay(OutboxRelay):
        async def _publish(self, row: Any) -> None:
            await asyncio.to_thread(another_writer)  # between the relay's claim and its mark-sent
            await super()._publish(row)

    broker = await running(relay=False)
    assert await WritingRelay(sessions, broker).publish_pending() == 3
    assert len(written) == 3
    assert await OutboxRelay(sessions, broker).publish_pending() == 3  # what was written meanwhile goes out next
    with sessions() as s:
        unsent = s.execute(select(func.count()).select_from(tables.outbox)
                           .where(tables.outbox.c.published_at.is_(None))).scalar_one()  # fmt: skip
    assert unsent == 0
