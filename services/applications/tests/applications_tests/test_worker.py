"""The worker on a real Redis: the outbox reaches the streams, and an AllocationDecided reaches the application."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from faststream import TestApp
from sqlalchemy import func, select

from applications import bootstrap, worker
from applications.adapters.orm import Decision
from grants_shared import tables
from grants_shared.events import AllocationDecided, ApplicationAssessed, ApplicationSubmitted
from grants_shared.wire import decode_entry
from tests.support.consuming import publish

from .conftest import Applicant
from .kit import application_body
from .test_decisions import decided


def eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def on_redis(redis_url: str, migrated: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[redis.Redis]:
    """The service pointed at the test Redis (flushed)."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_CLAIM_IDLE_MS", "200")
    bootstrap.reset()
    yield client
    client.close()


def test_the_worker_publishes_the_outbox_and_applies_decisions(
    on_redis: redis.Redis, redis_url: str, client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    client.post(f"/applications/{app['id']}/submit", headers=applicant.headers)

    def unsent() -> int:
        with sessions() as s:
            query = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
            return int(s.scalar(query) or 0)

    def stored() -> int:
        with sessions() as s:
            return int(s.scalar(select(func.count()).select_from(Decision)) or 0)

    with TestApp(worker.create_app()):
        eventually(lambda: unsent() == 0)
        entries: Any = on_redis.xrange(ApplicationAssessed.stream())
        [(_, fields)] = entries
        envelope, headers = decode_entry(fields)
        assert envelope["payload"]["application_id"] == app["id"] and headers["event_id"] == envelope["event_id"]
        assert on_redis.xlen(ApplicationSubmitted.stream()) == 1

        message = decided(app["id"])
        for _ in range(2):  # a duplicate on the stream must not be applied twice
            publish(redis_url, message)
        eventually(lambda: stored() == 1)
        eventually(lambda: on_redis.xpending(AllocationDecided.stream(), "applications")["pending"] == 0)
    assert stored() == 1
    shown = client.get(f"/applications/{app['id']}", headers=applicant.headers).json()
    assert shown["decision"]["awarded"] is True
