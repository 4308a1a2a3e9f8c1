"""Readiness that means something: not ready without the database, Redis, the service's consumer groups, or an
outbox that flows. Real Redis, real databases."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, insert, update

from grants_shared import tables
from grants_shared.db import make_engine
from grants_shared.http.app import create_service_app
from grants_shared.http.edge import EdgeSettings
from grants_shared.http.ratelimit import RateLimitSettings
from grants_shared.http.readiness import Readiness, ReadinessSettings, consumed_streams
from grants_shared.settings import PlatformSettings

pytestmark = pytest.mark.anyio
SERVICE = "payments"
STRICT = ReadinessSettings(groups=True, outbox_max_age_s=300)


@pytest.fixture
def redis_groups(redis_url: str) -> Iterator[redis.Redis]:
    """The test Redis, emptied, with payments' group on every stream it consumes (as its worker makes them)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    for stream in consumed_streams(SERVICE):
        client.xgroup_create(stream, SERVICE, id="0", mkstream=True)
    yield client
    client.flushdb()


@pytest.fixture
def outbox_db(database_url: str) -> str:
    """A database with the platform's outbox table (and nothing in it)."""
    engine = create_engine(database_url)
    tables.metadata.create_all(engine)
    engine.dispose()
    return database_url


def unsent_row(database_url: str, event_id: str, age: timedelta) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(tables.outbox).values(
                event_id=event_id, stream="s", subject="g", body="{}", headers={}, created_at=datetime.now(UTC) - age
            )
        )
    engine.dispose()


def mark_sent(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(update(tables.outbox).values(published_at=datetime.now(UTC)))
    engine.dispose()


async def test_ready_when_everything_answers_and_not_when_a_group_is_dropped(
    outbox_db: str, redis_groups: redis.Redis, redis_url: str
) -> None:
    readiness = Readiness(outbox_db, redis_url, service=SERVICE, settings=STRICT)
    assert await readiness.checks() == {"database": True, "redis": True, "consumer_groups": True, "outbox": True}
    redis_groups.xgroup_destroy(consumed_streams(SERVICE)[0], SERVICE)
    checks = await readiness.checks()
    assert checks["consumer_groups"] is False and checks["redis"] is True


async def test_not_ready_when_redis_cannot_be_reached(outbox_db: str, redis_groups: redis.Redis) -> None:
    unreachable = "redis://127.0.0.1:1/0"  # loopback, nothing listens there
    checks = await Readiness(outbox_db, unreachable, service=SERVICE, settings=STRICT).checks()
    assert checks["redis"] is False and checks["consumer_groups"] is False and checks["database"] is True


async def test_not_ready_when_the_database_cannot_be_reached(tmp_path: Path, redis_url: str) -> None:
    missing = f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite'}"
    checks = await Readiness(missing, redis_url, service=SERVICE, settings=STRICT).checks()
    assert checks["database"] is False and checks["outbox"] is False


async def test_not_ready_while_the_outbox_backlog_is_older_than_the_threshold(
    outbox_db: str, redis_groups: redis.Redis, redis_url: str
) -> None:
    readiness = Readiness(outbox_db, redis_url, service=SERVICE, settings=STRICT)
    unsent_row(outbox_db, "e-young", timedelta(seconds=60))
    assert (await readiness.checks())["outbox"] is True, "younger than the threshold: ready"
    mark_sent(outbox_db)
    unsent_row(outbox_db, "e-old", timedelta(minutes=10))
    assert (await readiness.checks())["outbox"] is False
    mark_sent(outbox_db)
    assert (await readiness.checks())["outbox"] is True, "the relay caught up: ready again"


def test_readyz_answers_503_with_the_failing_check(
    outbox_db: str, redis_groups: redis.Redis, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_READY_GROUPS", "true")
    app = create_service_app(
        service=SERVICE,
        settings=PlatformSettings(),
        engine=make_engine(outbox_db),
        routers=[],
        description="",
        rate_limit=RateLimitSettings(enabled=False),
        edge=EdgeSettings(probe_cache_s=0),
    )
    client = TestClient(app)
    assert client.get("/readyz").status_code == 200
    redis_groups.xgroup_destroy(consumed_streams(SERVICE)[-1], SERVICE)
    refused = client.get("/readyz")
    assert refused.status_code == 503 and refused.json()["checks"]["consumer_groups"] is False


def test_the_worker_probe_command_exits_by_readiness(outbox_db: str, redis_groups: redis.Redis, redis_url: str) -> None:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "PAYMENTS_DATABASE_URL": outbox_db,
        "GRANTS_READY_GROUPS": "true",
    }
    command = [sys.executable, "-m", "grants_shared.http.readiness", SERVICE]
    ready = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    redis_groups.xgroup_destroy(consumed_streams(SERVICE)[0], SERVICE)
    not_ready = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert not_ready.returncode == 1 and '"consumer_groups": false' in not_ready.stdout
