"""`grants rebuild reporting` rebuilds from the streams exactly the state the live worker projected from them."""

import asyncio
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from grants_cli.main import app as cli
from grants_shared import tables
from grants_shared.auth import Principal, Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.messages import Message
from grants_shared.delivery.redis_client import sync_client
from grants_shared.delivery.streams import Entry
from grants_shared.events import Envelope
from grants_shared.uow import UnitOfWork
from grants_shared.wire import DATA_FIELD
from reporting import bootstrap, worker
from reporting.adapters.orm import Grant, ImpactReport, TimelineEntry
from reporting.consumers.rebuild import OWN_STREAMS, in_order, routes
from reporting.usecases.reports import SubmitReport, accept_report, request_changes, submit_report
from tests.support.consuming import eventually, signed_frame
from tests.support.infra import fresh_database

from .read_model_diff import differences, table_differences
from .story import Story, deliver_eventually

pytestmark = pytest.mark.anyio
GRANTS = 120  # a round of awards, enough that batches, pages and parking all come into play
ALICE = Principal(subject="alice", roles=frozenset({Role.OPERATOR}))
ASSESSOR = Principal(subject="asha", roles=frozenset({Role.ASSESSOR}))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def round_of_grants() -> list[list[Envelope[Any]]]:
    """Each grant's life: awarded, two tranches paid; some returned, varied, held, or with a bank difference."""
    lives = []
    for n in range(1, GRANTS + 1):
        story = Story(n=n, decile=1 + n % 10, amount=100_000_000 + n * 1_000)
        life = [*(story.up_to_award() if n > 1 else [story.round_opened(), *story.up_to_award()])]
        life += [*story.paid_tranche(1, date(2026, 2, 1)), *story.paid_tranche(2, date(2026, 8, 1))]
        life.append(story.scheduled(3, date(2027, 2, 1)))
        if n % 5 == 0:
            life.append(story.returned(2))
        if n % 7 == 0:
            life.append(story.varied(story.amount - 1_000, {3: (date(2027, 3, 1), story.tranche_amount - 1_000)}, []))
        if n % 11 == 0:
            life += [story.held(3), story.resumed(3)]
        if n % 13 == 0:
            life += [story.difference_found(f"d-{n}", 1, 1, story.tranche_amount), story.difference_resolved(f"d-{n}")]
        lives.append(life)
    return lives


def one_grant(story: Story) -> list[Envelope[Any]]:
    """A round, one grant awarded and its first tranche paid."""
    return [story.round_opened(), *story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]


def publish_all(redis_url: str, lives: list[list[Envelope[Any]]]) -> int:
    """XADD every event signed by its producer, as the producers' relays do; every third grant's life backwards
    (its payments before its award), so the live worker and the rebuild both have to park and wake."""
    client = sync_client(redis_url)
    count = 0
    with client.pipeline(transaction=False) as pipe:
        for n, life in enumerate(lives):
            for envelope in reversed(life) if n % 3 == 0 else life:
                pipe.xadd(type(envelope.payload).stream(), {DATA_FIELD: signed_frame(envelope)})
                count += 1
        pipe.execute()
    return count


def report_on(sessions: sessionmaker[Session], grant_ids: list[str]) -> int:
    """Reports through reporting's own use cases: submitted, and accepted or sent back; returns the events sent."""
    sent = 0
    for i, grant_id in enumerate(grant_ids):
        organisation = Principal(subject=f"p-{grant_id}", roles=frozenset({Role.APPLICANT}), organisation_id="org-1")
        with UnitOfWork(sessions) as uow:
            report = submit_report(SubmitReport(grant_id, 1, {"places_to_meet": 1 + i}, "Hub open."), organisation, uow)
            if i % 2:
                accept_report(report.id, ASSESSOR, uow)
            else:
                request_changes(report.id, ["add the volunteers"], ASSESSOR, uow)
            uow.commit()
        sent += 2
    return sent


def count(engine: Engine, table: Any, **where: str) -> int:
    query = select(func.count()).select_from(table)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    with engine.connect() as c:
        return int(c.execute(query).scalar_one())


@pytest.fixture
def live_worker(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The reporting worker's settings on the test database and Redis (a clean Redis: a round's history only)."""
    redis.Redis.from_url(redis_url).flushdb()
    for name, value in {
        "REPORTING_DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "GRANTS_CLAIM_IDLE_MS": "500",
        "GRANTS_RELAY_INTERVAL_S": "0.02",
    }.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    yield db
    bootstrap.reset()
    redis.Redis.from_url(redis_url).flushdb()


async def run_live(redis_url: str, lives: list[list[Envelope[Any]]], reported: list[str]) -> None:
    """The live worker projects the round's history, and reporting's own report events go out through its relay."""
    app = worker.create_app()
    await app.start()
    try:
        published = publish_all(redis_url, lives)
        engine = bootstrap.engine()
        await eventually(
            lambda: count(engine, tables.inbox, consumer_group="reporting") == published, 120, "every event applied"
        )
        own = await asyncio.to_thread(report_on, bootstrap.sessions(), reported)
        client = redis.Redis.from_url(redis_url)
        await eventually(lambda: sum(client.xlen(s) for s in OWN_STREAMS) == own, 30, "report events published")
    finally:
        await app.stop()


def rebuild_into(target: str, redis_url: str, *more: str) -> Any:
    return CliRunner().invoke(cli, ["rebuild", "reporting", "--database-url", target, "--batch", "97", *more])


async def test_a_rebuild_from_the_streams_equals_the_live_projections(
    live_worker: str, redis_url: str, tmp_path: Path
) -> None:
    lives = round_of_grants()
    await run_live(redis_url, lives, [f"grant-{n}" for n in range(1, 21)])
    live = make_engine(live_worker)
    assert count(live, tables.parked) == 0
    kind = "sqlite" if live_worker.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path, "rebuilt") as target:
        done = rebuild_into(target, redis_url)
        assert done.exit_code == 0, done.output
        assert "refused" not in done.output and "still parked" not in done.output
        rebuilt = make_engine(target)
        try:
            assert count(rebuilt, TimelineEntry.__table__) == count(live, TimelineEntry.__table__) >= GRANTS * 12
            assert differences(live, rebuilt) == []
            assert count(rebuilt, ImpactReport.__table__) == 0  # reporting's own records: never rebuilt
        finally:
            rebuilt.dispose()
    live.dispose()


async def test_the_comparison_names_each_row_that_differs(live_worker: str, redis_url: str, tmp_path: Path) -> None:
    story = Story(n=1)
    await run_live(redis_url, [one_grant(story)], [story.grant_id])
    kind = "sqlite" if live_worker.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path, "rebuilt") as target:
        assert rebuild_into(target, redis_url).exit_code == 0
        rebuilt = make_engine(target)
        live = make_engine(live_worker)
        with rebuilt.begin() as c:
            c.execute(update(Grant.__table__).values(paid_pence=Grant.paid_pence + 1))
        assert differences(live, rebuilt) == [
            f"grants ('{story.grant_id}',): paid_pence is {story.tranche_amount} live, "
            f"{story.tranche_amount + 1} rebuilt"
        ]
        rebuilt.dispose()
        live.dispose()


def test_rows_on_one_side_only_are_named() -> None:
    table = Grant.__table__
    found = table_differences(table, {("g-1",): {"a": 1}}, {("g-2",): {"a": 1}})  # type: ignore[arg-type]
    assert found == ["grants ('g-1',): only in the live database", "grants ('g-2',): only in the rebuilt database"]


async def test_a_rebuild_of_the_same_history_again_applies_nothing_twice(
    live_worker: str, redis_url: str, tmp_path: Path
) -> None:
    story = Story(n=1)
    publish_all(redis_url, [one_grant(story)])
    kind = "sqlite" if live_worker.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path, "rebuilt") as target:
        assert rebuild_into(target, redis_url).exit_code == 0
        again = rebuild_into(target, redis_url)
        assert again.exit_code == 1 and "already holds read-model rows" in again.output
        engine = make_engine(target)
        with session_factory(engine)() as s:
            assert s.get(Grant, story.grant_id).paid_pence == story.tranche_amount  # type: ignore[union-attr]
        engine.dispose()


def test_in_place_needs_its_confirmation_and_one_target(live_worker: str) -> None:
    migrate(live_worker, "reporting")
    for args, said in [
        ([], "exactly one of"),
        (["--in-place", "--database-url", "sqlite://"], "exactly one of"),
        (["--in-place"], "--yes-empty-the-read-models"),
    ]:
        done = CliRunner().invoke(cli, ["rebuild", "reporting", *args])
        assert done.exit_code == 1 and said in done.output, done.output


async def test_in_place_empties_the_read_models_and_projects_them_again(
    live_worker: str, redis_url: str, tmp_path: Path
) -> None:
    story = Story(n=1)
    await run_live(redis_url, [one_grant(story)], [story.grant_id])
    live = make_engine(live_worker)
    with live.begin() as c:  # a projection gone wrong: the rebuild puts it right
        c.execute(update(Grant.__table__).values(paid_pence=0))
    kind = "sqlite" if live_worker.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path, "reference") as reference:
        assert rebuild_into(reference, redis_url).exit_code == 0
        done = CliRunner().invoke(cli, ["rebuild", "reporting", "--in-place", "--yes-empty-the-read-models"])
        assert done.exit_code == 0, done.output
        expected = make_engine(reference)
        assert differences(expected, live) == []
        assert count(live, ImpactReport.__table__) == 1  # reporting's own records stay as they were
        expected.dispose()
    live.dispose()


async def test_a_history_whose_payments_came_first_is_parked_and_woken_to_the_same_state(
    live_worker: str, redis_url: str, tmp_path: Path
) -> None:
    story = Story(n=1)
    events = one_grant(story)
    client = sync_client(redis_url)
    for millis, envelope in enumerate(reversed(events), start=1):  # one millisecond each: Redis's order is total
        client.xadd(type(envelope.payload).stream(), {DATA_FIELD: signed_frame(envelope)}, id=f"{millis}-0")
    deliver_eventually(session_factory(make_engine(live_worker)), events)  # the reference: in the events' order
    kind = "sqlite" if live_worker.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp_path, "rebuilt") as target:
        done = rebuild_into(target, redis_url)
        assert done.exit_code == 0, done.output
        in_order, after_waiting = map(int, re.findall(r"(\d+) applied in order, (\d+) after waiting", done.output)[0])
        assert after_waiting > 0 and in_order + after_waiting == len(events)
        rebuilt, reference = make_engine(target), make_engine(live_worker)
        assert differences(reference, rebuilt) == []
        rebuilt.dispose()
        reference.dispose()


def test_within_a_millisecond_entries_go_in_the_order_their_events_occurred() -> None:
    story = Story(n=1)
    scheduled, settled = story.scheduled(1, date(2026, 2, 1)), story.settled(1)
    route = routes()[0]
    later_first = [
        Message(Entry("grants.payments.payment-settled.v1", "7-0", {}), settled, route),
        Message(Entry("grants.payments.tranche-scheduled.v1", "7-5", {}), scheduled, route),
        Message(Entry("grants.payments.tranche-scheduled.v1", "6-9", {}), story.awarded(), route),
    ]
    ordered = [m.envelope.event_type for m in in_order(sorted(later_first, key=lambda m: m.entry.millis))]
    assert ordered == ["grant-awarded", "tranche-scheduled", "payment-settled"]
