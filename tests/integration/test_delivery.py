"""The delivery contract of ARCHITECTURE.md section 4, on a real Redis and real databases."""

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
import redis
from sqlalchemy import func, insert, select

from grants_shared import deadletter, tables
from grants_shared.delivery import NotReady, Route, awaiting
from grants_shared.delivery.redis_client import async_client, sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.delivery.streams import Entry, GroupStreams
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.events import Envelope, ReportAccepted, ReportSubmitted, TrancheScheduled, wrap
from grants_shared.uow import UnitOfWork
from tests.support.consuming import Running, effects, eventually, publish, publish_raw, signer, start_consumer

pytestmark = pytest.mark.anyio
GROUP = "delivery-test"
TUNING = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3)


@pytest.fixture
def redis_url(redis_url: str) -> str:
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


def accepted(n: int) -> ReportAccepted:
    return ReportAccepted(
        report_id=f"r{n}", grant_id="g1", period_number=n, accepted_by="assessor", accepted_at=datetime.now(UTC)
    )


def record_effect(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=envelope.payload.period_number))


def count(sessions: Any) -> int:
    with sessions() as s:
        return int(s.execute(select(func.count()).select_from(effects)).scalar_one())


def pending(redis_url: str) -> int:
    return int(redis.Redis.from_url(redis_url).xpending(ReportAccepted.stream(), GROUP)["pending"])


@pytest.fixture
async def running(sessions: Any, redis_url: str) -> AsyncIterator[Callable[..., Any]]:
    started = Running()

    async def start(
        handler: Callable[..., None] = record_effect,
        relay: bool = True,
        tuning: ConsumerTuning = TUNING,
        consumer: str = "c1",
    ) -> Any:
        return await start_consumer(
            started,
            sessions,
            redis_url,
            GROUP,
            [Route(ReportAccepted, handler)],
            tuning,
            consumer=consumer,
            relay=relay,
        )

    yield start
    await started.stop()


async def test_outbox_rows_reach_the_consumer_once_each(sessions: Any, redis_url: str, running: Any) -> None:
    with UnitOfWork(sessions) as uow:
        for n in range(5):
            uow.emit(accepted(n), subject="g1")
        uow.commit()
    await running()
    await eventually(lambda: count(sessions) == 5)
    with sessions() as s:
        unsent = s.execute(
            select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        ).scalar_one()
    assert unsent == 0
    await eventually(lambda: pending(redis_url) == 0)


async def test_a_rolled_back_use_case_publishes_nothing(sessions: Any, redis_url: str) -> None:
    with UnitOfWork(sessions) as uow:
        uow.emit(accepted(1), subject="g1")  # no commit: the event must vanish with the state change
    assert OutboxRelay(sessions, sync_client(redis_url), signer=signer("reporting")).publish_pending() == 0
    assert redis.Redis.from_url(redis_url).exists(ReportAccepted.stream()) == 0


async def test_the_same_event_twice_has_one_effect(sessions: Any, redis_url: str, running: Any) -> None:
    consumer = await running(relay=False)
    envelope = wrap(accepted(7), subject="g1")
    for _ in range(2):
        publish(redis_url, envelope)
    await eventually(lambda: consumer.stats["applied"] + consumer.stats["duplicate"] == 2 and pending(redis_url) == 0)
    assert count(sessions) == 1 and consumer.stats["applied"] == 1


async def test_a_message_that_always_fails_is_dead_lettered_and_can_be_replayed(
    sessions: Any, redis_url: str, running: Any
) -> None:
    broken = {"on": True}

    def flaky(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if broken["on"]:
            raise RuntimeError("handler bug")
        record_effect(envelope, uow)

    await running(handler=flaky, relay=False)
    publish(redis_url, wrap(accepted(9), subject="g1"))
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    [entry] = deadletter.list_entries(client, GROUP)
    assert entry["deliveries"] == "3" and "handler bug" in entry["error"]
    assert pending(redis_url) == 0 and count(sessions) == 0
    broken["on"] = False
    deadletter.replay(client, GROUP, entry["id"])
    await eventually(lambda: count(sessions) == 1)
    assert deadletter.list_entries(client, GROUP) == []


async def test_an_unsigned_entry_is_dead_lettered_at_once_and_refused_again_when_replayed(
    sessions: Any, redis_url: str, running: Any
) -> None:
    from grants_shared.wire import encode_frame

    await running(relay=False)
    envelope = wrap(accepted(7), subject="g1")
    publish_raw(redis_url, ReportAccepted.stream(), encode_frame(envelope.model_dump_json(), {}))
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    [entry] = deadletter.list_entries(client, GROUP)
    assert entry["deliveries"] == "1" and entry["error"].startswith("refused (unsigned)")

    deadletter.replay(client, GROUP, entry["id"])

    await eventually(lambda: [e["id"] != entry["id"] for e in deadletter.list_entries(client, GROUP)] == [True])
    assert count(sessions) == 0 and pending(redis_url) == 0


async def test_dead_lettering_acknowledges_the_message_in_the_same_step(redis_url: str) -> None:
    # No moment where a message is both a dead letter and still pending (CI once saw exactly that window).
    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(ReportAccepted.stream(), GROUP, id="0", mkstream=True)
    message_id = publish_raw(redis_url, ReportAccepted.stream(), "{}")
    client.xreadgroup(GROUP, "failing-consumer", {ReportAccepted.stream(): ">"}, count=1)
    assert pending(redis_url) == 1
    streams = GroupStreams(
        async_client(redis_url), group=GROUP, consumer="failing-consumer", streams=[ReportAccepted.stream()], batch=10
    )
    try:
        await streams.dead_letter(Entry(ReportAccepted.stream(), message_id, {}, deliveries=3), "handler bug")
    finally:
        await streams.redis.aclose()
    [entry] = deadletter.list_entries(client, GROUP)
    assert entry["message_id"] == message_id and pending(redis_url) == 0


async def test_a_crashed_consumers_pending_message_is_claimed(sessions: Any, redis_url: str, running: Any) -> None:
    client = redis.Redis.from_url(redis_url)
    client.xgroup_create(ReportAccepted.stream(), GROUP, id="0", mkstream=True)
    publish(redis_url, wrap(accepted(4), subject="g1"))
    client.xreadgroup(GROUP, "dead-consumer-1", {ReportAccepted.stream(): ">"}, count=1)  # read, then died
    assert pending(redis_url) == 1
    consumer = await running(relay=False)
    await eventually(lambda: count(sessions) == 1 and pending(redis_url) == 0)
    assert consumer.stats["claimed"] == 1


async def test_an_undecodable_message_goes_straight_to_dead_letters(redis_url: str, running: Any) -> None:
    await running(relay=False)
    publish_raw(redis_url, ReportAccepted.stream(), '{"headers": {}, "data": "{\\"not\\": \\"an envelope\\"}"}')
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    [entry] = deadletter.list_entries(client, GROUP)
    assert "undecodable" in entry["error"] and entry["deliveries"] == "1"
    await eventually(lambda: pending(redis_url) == 0)


async def test_an_envelope_on_another_events_stream_is_refused(redis_url: str, running: Any) -> None:
    await running(relay=False)
    submitted = wrap(
        ReportSubmitted(
            report_id="r1", grant_id="g1", period_number=1, submitted_by="a", submitted_at=datetime.now(UTC)
        ),
        subject="g1",
    )
    from grants_shared.wire import encode_frame

    publish_raw(redis_url, ReportAccepted.stream(), encode_frame(submitted.model_dump_json(), {}))
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    assert "undecodable" in deadletter.list_entries(client, GROUP)[0]["error"]


def test_wrong_event_class_is_refused_by_the_envelope() -> None:
    body = wrap(accepted(1), subject="g1").model_dump(mode="json")
    with pytest.raises(ValueError):
        Envelope[ReportSubmitted].model_validate(body)


async def test_the_operator_command_shows_and_replays_a_dead_letter(
    sessions: Any, redis_url: str, running: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from grants_cli.main import app

    broken = {"on": True}

    def flaky(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if broken["on"]:
            raise RuntimeError("bad tranche data")
        record_effect(envelope, uow)

    await running(handler=flaky, relay=False)
    publish(redis_url, wrap(accepted(5), subject="g1"))
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    monkeypatch.setenv("REDIS_URL", redis_url)
    runner = CliRunner()
    listed = await asyncio.to_thread(runner.invoke, app, ["dlq", "list", "--group", GROUP], env={"COLUMNS": "250"})
    entry_id = deadletter.list_entries(client, GROUP)[0]["id"]
    assert listed.exit_code == 0 and entry_id in listed.output and "bad tranche data" in listed.output
    broken["on"] = False
    replayed = await asyncio.to_thread(runner.invoke, app, ["dlq", "replay", GROUP, entry_id])
    assert replayed.exit_code == 0, replayed.output
    await eventually(lambda: count(sessions) == 1)


async def test_after_redis_loses_everything_groups_return_and_an_outbox_replay_converges(
    sessions: Any, redis_url: str, running: Any, database_url: str
) -> None:
    from grants_shared.outbox_admin import replay

    with UnitOfWork(sessions) as uow:
        for n in range(3):
            uow.emit(accepted(n), subject="g1")
        uow.commit()
    consumer = await running()
    await eventually(lambda: count(sessions) == 3)
    redis.Redis.from_url(redis_url).flushdb()  # Redis lost its data: streams and groups are gone
    assert replay(database_url) == 3
    with UnitOfWork(sessions) as uow:
        uow.emit(accepted(3), subject="g1")  # new work after the loss flows too
        uow.commit()
    await eventually(lambda: count(sessions) == 4 and consumer.stats["duplicate"] == 3 and pending(redis_url) == 0)
    assert count(sessions) == 4  # the replayed three were deduplicated, not applied twice


async def test_a_writer_commits_while_the_relay_publishes(sessions: Any, redis_url: str) -> None:
    """The relay holds no database-wide lock across its publishes (SQLite's would stall every writer)."""
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
        def _publish(self, rows: list[Any]) -> None:
            writer = threading.Thread(target=another_writer)  # between the relay's read and its mark-sent
            writer.start()
            writer.join(timeout=20)
            super()._publish(rows)

    assert WritingRelay(sessions, sync_client(redis_url), signer=signer("reporting")).publish_pending() == 3
    assert len(written) == 1
    # what was written meanwhile goes next
    assert OutboxRelay(sessions, sync_client(redis_url), signer=signer("reporting")).publish_pending() == 1
    with sessions() as s:
        unsent = s.execute(
            select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        ).scalar_one()
    assert unsent == 0


async def test_an_event_before_its_prerequisite_is_parked_and_applied_when_the_prerequisite_lands(
    sessions: Any, redis_url: str, running: Any
) -> None:
    def needs_earlier_period(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        n = envelope.payload.period_number
        if n > 1 and uow.session.execute(select(effects.c.event_id).where(effects.c.n == n - 1)).first() is None:
            raise NotReady(f"period {n - 1} not applied yet")
        record_effect(envelope, uow)

    slow_sweep = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3, sweep_every_s=3600)
    consumer = await running(handler=needs_earlier_period, relay=False, tuning=slow_sweep)
    second, first = wrap(accepted(2), subject="g1"), wrap(accepted(1), subject="g1")
    publish(redis_url, second)
    await eventually(lambda: consumer.stats["parked"] == 1 and pending(redis_url) == 0)
    assert count(sessions) == 0 and parked_ids(sessions) == [second.event_id]  # waits in the database, not in Redis
    publish(redis_url, first)  # an event about the same subject: the parked one applies in the same transaction
    await eventually(lambda: count(sessions) == 2)
    assert consumer.stats["woken"] == 1 and parked_ids(sessions) == [] and consumer.stats["claimed"] == 0


async def test_a_parked_event_waiting_for_an_id_is_woken_by_that_id_alone(sessions: Any, redis_url: str) -> None:
    # Many events about one grant arrive while some wait for one of its tranches: only the tranche wakes them.
    tries: list[int] = []

    def needs_tranche(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if envelope.payload.period_number == 0:
            tries.append(0)
            found = uow.session.execute(select(effects.c.event_id).where(effects.c.n == -1)).first()
            if found is None:
                raise NotReady("tranche t1 not scheduled yet", waits_for=awaiting("tranche_id", "t1"))
        record_effect(envelope, uow)

    def tranche_scheduled(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=-1))

    slow_sweep = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3, sweep_every_s=3600)
    started = Running()
    routes = [Route(ReportAccepted, needs_tranche), Route(TrancheScheduled, tranche_scheduled)]
    try:
        consumer = await start_consumer(started, sessions, redis_url, GROUP, routes, slow_sweep, relay=False)
        waiting = wrap(accepted(0), subject="g1")
        publish(redis_url, waiting)
        await eventually(lambda: consumer.stats["parked"] == 1)
        for n in range(1, 6):  # other events about g1: applied, and they leave the parked one alone
            publish(redis_url, wrap(accepted(n), subject="g1"))
        await eventually(lambda: count(sessions) == 5)
        assert tries == [0] and parked_ids(sessions) == [waiting.event_id]
        publish(
            redis_url,
            wrap(
                TrancheScheduled(
                    grant_id="g1", tranche_id="t1", number=1, of_tranches=1, due_on=date(2027, 4, 1), amount_pence=100
                ),
                subject="g1",
            ),
        )
        await eventually(lambda: count(sessions) == 7)
        assert tries == [0, 0] and parked_ids(sessions) == [] and consumer.stats["woken"] == 1
    finally:
        await started.stop()


async def test_a_busy_stream_read_in_part_holds_back_later_events_of_other_streams(
    sessions: Any, redis_url: str
) -> None:
    # As in a round's burst: twenty tranches per grant on one stream, one event per grant on another that needs
    # the grant's first tranche. COUNT is per stream, so one read reaches far further into the sparse stream.
    def tranche_scheduled(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=int(envelope.payload.tranche_id)))

    def needs_first_tranche(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        first = envelope.payload.period_number * 20
        if uow.session.execute(select(effects.c.event_id).where(effects.c.n == first)).first() is None:
            raise NotReady(f"tranche {first} not scheduled yet", waits_for=awaiting("tranche_id", str(first)))
        uow.session.execute(insert(effects).values(event_id=envelope.event_id, n=1000 + first))

    for grant in range(10):
        for number in range(20):
            tranche = TrancheScheduled(
                grant_id=f"g{grant}",
                tranche_id=str(grant * 20 + number),
                number=number + 1,
                of_tranches=20,
                due_on=date(2027, 4, 1),
                amount_pence=100,
            )
            publish(redis_url, wrap(tranche, subject=f"g{grant}"))
        publish(redis_url, wrap(accepted(grant), subject=f"g{grant}"))
    small = ConsumerTuning(batch=10, block_ms=50, claim_idle_ms=1000, max_deliveries=3, sweep_every_s=3600)
    started = Running()
    routes = [Route(ReportAccepted, needs_first_tranche), Route(TrancheScheduled, tranche_scheduled)]
    try:
        consumer = await start_consumer(started, sessions, redis_url, GROUP, routes, small, relay=False)
        await eventually(lambda: count(sessions) == 210)
        assert consumer.stats["parked"] == 0 and consumer.stats["claimed"] == 0 and consumer.stats["read"] == 210
    finally:
        await started.stop()


async def test_a_parked_event_whose_prerequisite_is_not_an_event_is_retried_by_the_sweep(
    sessions: Any, redis_url: str, running: Any
) -> None:
    arrived: set[str] = set()

    def needs_submission(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        if envelope.payload.report_id not in arrived:
            raise NotReady(f"report {envelope.payload.report_id} not submitted yet")
        record_effect(envelope, uow)

    consumer = await running(handler=needs_submission, relay=False)
    publish(redis_url, wrap(accepted(3), subject="g1"))
    await eventually(lambda: consumer.stats["parked"] == 1 and pending(redis_url) == 0)
    arrived.add("r3")  # the prerequisite arrives by another way: the sweep finds the parked event and applies it
    await eventually(lambda: count(sessions) == 1)
    assert parked_ids(sessions) == []


async def test_an_event_parked_too_long_is_dead_lettered_with_its_reason(
    sessions: Any, redis_url: str, running: Any
) -> None:
    def never_ready(envelope: Envelope[Any], uow: UnitOfWork) -> None:
        raise NotReady("grant g1 is not known here")

    impatient = ConsumerTuning(
        batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3, park_timeout_s=0.2, sweep_every_s=0.1
    )
    await running(handler=never_ready, relay=False, tuning=impatient)
    envelope = wrap(accepted(6), subject="g1")
    publish(redis_url, envelope)
    client = redis.Redis.from_url(redis_url)
    await eventually(lambda: bool(deadletter.list_entries(client, GROUP)))
    [entry] = deadletter.list_entries(client, GROUP)
    assert "grant g1 is not known here" in entry["error"] and envelope.event_id in entry["body"]
    assert parked_ids(sessions) == [] and pending(redis_url) == 0


def parked_ids(sessions: Any) -> list[str]:
    with sessions() as s:
        return list(s.scalars(select(tables.parked.c.event_id).order_by(tables.parked.c.parked_at)))
