"""Staleness is visible: a consumer group with work waiting shows it in lag.py, on /metrics, in the read models'
freshness block and on the dashboard; /readyz answers while another connection holds the write lock.

Real Redis and real databases (SQLite, and PostgreSQL when configured). The backlog is made by hand: entries added
with ids a minute in the past, some read by the group and not acknowledged (pending), one never read (unread).
"""

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from grants_shared import tables
from grants_shared.auth import Role, mint_token
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.lag import group_lag
from grants_shared.delivery.progress import record_progress
from grants_shared.events import GrantAwarded, TrancheScheduled
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork
from reporting import bootstrap
from reporting.api import create_app
from tests.support.metrics import scrape

GROUP = "reporting"
FINANCE = {"Authorization": "Bearer " + mint_token(PlatformSettings(), subject="fi", roles=[Role.FINANCE_OFFICER])}
AGO_S = 60  # the backlog's entries were published this long ago
APPLIED_AGO_S = 30  # and the group last applied an event this long ago


@pytest.fixture
def db(database_url: str) -> str:
    """A reporting database at the newest schema."""
    migrate(database_url, "reporting")
    return database_url


@pytest.fixture
def engine(db: str) -> Iterator[Engine]:
    """An engine of its own on reporting's database, as the worker would have."""
    engine = make_engine(db)
    yield engine
    engine.dispose()


@pytest.fixture
def backlog(redis_url: str) -> redis.Redis:
    """Reporting's group with 3 entries pending on one stream and 1 unread on another, all a minute old."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    past = int(time.time() * 1000) - AGO_S * 1000
    for stream, count in ((GrantAwarded.stream(), 3), (TrancheScheduled.stream(), 1)):
        client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        for i in range(count):
            client.xadd(stream, {"data": "{}"}, id=f"{past + i}-0")
    client.xreadgroup(GROUP, "test-consumer", {GrantAwarded.stream(): ">"}, count=10)
    client.xadd(f"grants.dead-letter.{GROUP}", {"error": "x"})
    return client


@pytest.fixture
def progress(engine: Engine) -> datetime:
    """The group applied its last event APPLIED_AGO_S ago and keeps one event parked."""
    applied = datetime.now(UTC) - timedelta(seconds=APPLIED_AGO_S)
    with UnitOfWork(session_factory(engine)) as uow:
        record_progress(uow.session, GROUP, 5, applied, applied)
        uow.session.execute(
            tables.parked.insert().values(
                consumer_group=GROUP,
                event_id="e-1",
                stream=GrantAwarded.stream(),
                waits_for="grant-1",
                frame="{}",
                reason="waits for its grant",
                parked_at=applied,
                attempts=0,
                next_attempt_at=applied,
            )
        )
        uow.commit()
    return applied


@pytest.fixture
def api(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The reporting API on the test database and Redis."""
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_ENV", "test")
    bootstrap.reset()
    with TestClient(create_app()) as client:
        yield client
    bootstrap.reset()


def test_lag_counts_pending_unread_parked_and_dead_letters(
    backlog: redis.Redis, engine: Engine, progress: datetime
) -> None:
    lag = group_lag(backlog, engine, GROUP)
    assert (lag.pending, lag.lag, lag.parked, lag.dead_letters) == (3, 1, 1, 1)
    assert lag.oldest_pending_age_s >= AGO_S and lag.oldest_waiting_age_s >= AGO_S
    assert lag.last_applied_at is not None and abs((lag.last_applied_at - progress).total_seconds()) < 1
    assert lag.seconds_since_applied is not None and lag.seconds_since_applied >= APPLIED_AGO_S - 1
    assert {s.stream for s in lag.streams} == {GrantAwarded.stream(), TrancheScheduled.stream()}


def test_an_idle_group_shows_nothing_waiting(redis_url: str, engine: Engine) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.xgroup_create(GrantAwarded.stream(), GROUP, id="$", mkstream=True)
    lag = group_lag(client, engine, GROUP)
    assert (lag.pending, lag.lag, lag.parked, lag.oldest_pending_age_s) == (0, 0, 0, 0.0)
    assert lag.seconds_since_applied is None


def test_metrics_show_each_groups_backlog(api: TestClient, backlog: redis.Redis, progress: datetime) -> None:
    samples = scrape(api)
    labels = frozenset({"group": GROUP}.items())
    assert samples[("grants_group_pending", labels)] == 3
    assert samples[("grants_group_lag", labels)] == 1
    assert samples[("grants_group_parked", labels)] == 1
    assert samples[("grants_group_dead_letters", labels)] == 1
    assert samples[("grants_group_oldest_pending_age_seconds", labels)] >= AGO_S
    assert samples[("grants_group_oldest_parked_age_seconds", labels)] >= APPLIED_AGO_S - 1
    assert samples[("grants_group_seconds_since_applied", labels)] >= APPLIED_AGO_S - 1


def test_read_models_say_how_fresh_they_are(api: TestClient, backlog: redis.Redis, progress: datetime) -> None:
    for path in ("/fund/position", "/outcomes"):
        body = api.get(path, headers=FINANCE).json()
        fresh = body["freshness"]
        assert datetime.fromisoformat(fresh["as_of"]) == progress, path
        assert fresh["age_s"] >= APPLIED_AGO_S - 1
        group = fresh["groups"][GROUP]
        assert (group["pending"], group["lag"], group["parked"]) == (3, 1, 1)
        assert group["oldest_pending_age_s"] >= AGO_S
    assert "budget_pence" in api.get("/fund/position", headers=FINANCE).json(), "the old fields stay"


SECTIONS_WITHOUT_AGE = {"Pipeline health"}  # read live from Redis at each build, not from a read model


def test_the_dashboard_shows_ages_and_the_backlog_per_group(
    api: TestClient, backlog: redis.Redis, progress: datetime
) -> None:
    page = api.get("/dashboard").text
    stamp = progress.strftime("%Y-%m-%d %H:%M:%S")
    sections = {s.split("</h2>")[0]: s for s in page.split("<h2>")[1:]}
    aged = {title for title, s in sections.items() if s.count(f"Figures as of {stamp} UTC") == 1}
    assert aged == set(sections) - SECTIONS_WITHOUT_AGE, "one age line per read-model section"
    assert "3 pending, 1 unread, 1 parked" in page
    row = page[page.index("<td>reporting</td>") :]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:8]]
    assert cells[:4] == ["reporting", "2", "3", "1"] and cells[5:] == ["1", "1"]
    assert float(cells[4].removesuffix(" s")) >= AGO_S


def test_readiness_answers_while_another_connection_holds_the_write_lock(api: TestClient, db: str) -> None:
    with write_lock_held(db):
        response = api.get("/readyz")
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert checks["database"] is True and checks["redis"] is True and all(checks.values()), checks


def write_lock_held(url: str) -> "LockHolder":
    """A context that holds the database's write lock (SQLite) or a table's exclusive lock (PostgreSQL)."""
    return LockHolder(url)


class LockHolder:
    """Holds a write lock from another connection, as a busy worker would."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        if self.url.startswith("sqlite"):
            self.sqlite = sqlite3.connect(self.url.split("///", 1)[1], isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")
            self.sqlite.execute("DELETE FROM consumer_progress")
            return
        self.engine = create_engine(self.url)
        self.connection = self.engine.connect()
        self.connection.execute(text("LOCK TABLE consumer_progress, outbox IN ACCESS EXCLUSIVE MODE"))

    def __exit__(self, *_: object) -> None:
        if self.url.startswith("sqlite"):
            self.sqlite.rollback()
            self.sqlite.close()
            return
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()
