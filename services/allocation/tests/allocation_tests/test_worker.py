"""The worker on a real Redis: it consumes assessments (once each, in any order) and relays its outbox."""

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from allocation import bootstrap, worker
from allocation.adapters.pool import load_inputs
from allocation.routes.rounds import opening
from allocation.routes.schemas import RoundIn
from allocation.usecases import open_round
from allocation_tests.db import count
from allocation_tests.kit import ROUND
from allocation_tests.seed import T0, assessed, need, withdrawn
from grants_shared.events import Envelope, RoundOpened
from grants_shared.uow import UnitOfWork
from tests.support.consuming import publish

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio."""
    return "asyncio"


@pytest.fixture
def worker_sessions(db_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    """The worker's settings point at the test database and a flushed Redis."""
    redis.Redis.from_url(redis_url).flushdb()
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_CLAIM_IDLE_MS", "200")
    bootstrap.reset()
    yield bootstrap.sessions()
    bootstrap.reset()


async def eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    """Wait until check() holds, failing after timeout seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


def pool(sessions: sessionmaker[Session]) -> list[str]:
    """Application ids in the pool now."""
    with sessions() as session:
        return [a.application_id for a in load_inputs(session, {}).applications]


async def test_the_worker_consumes_events_and_relays_its_outbox(
    worker_sessions: sessionmaker[Session], redis_url: str
) -> None:
    app = worker.create_app()
    await app.start()
    try:
        events: list[Envelope[Any]] = [
            withdrawn("gone"),  # before its assessment: the assessment must not revive it
            assessed("gone", need(2), at=T0 + timedelta(hours=1)),
            assessed("kept", need(1)),
        ]
        for envelope in [*events, events[-1]]:  # the last one twice: one effect
            publish(redis_url, envelope)
        await eventually(lambda: count(worker_sessions, "inbox") == 3 and count(worker_sessions, "neighbourhoods") == 2)
        assert pool(worker_sessions) == ["kept"] and count(worker_sessions, "assessed_applications") == 2

        with UnitOfWork(worker_sessions) as uow:
            open_round(uow, opening(RoundIn.model_validate(ROUND)), "test")
            uow.commit()
        client = redis.Redis.from_url(redis_url)
        await eventually(lambda: client.exists(RoundOpened.stream()) == 1)
        await eventually(lambda: count(worker_sessions, "outbox", published_at=None) == 0)
    finally:
        await app.stop()
