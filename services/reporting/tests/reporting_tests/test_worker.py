"""The worker on a real Redis: events published out of order end in the projections; report events go out."""

import asyncio
from collections.abc import Callable
from datetime import date

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Principal, Role
from grants_shared.events import ReportSubmitted
from grants_shared.uow import UnitOfWork
from grants_shared.wire import decode_entry
from reporting import bootstrap, worker
from reporting.adapters.orm import Grant
from reporting.usecases.reports import SubmitReport, submit_report
from tests.support.consuming import publish

from .story import Story

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def eventually(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(check):
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


def paid(sessions: sessionmaker[Session], grant_id: str) -> int:
    with sessions() as s:
        grant = s.get(Grant, grant_id)
        return grant.paid_pence if grant else -1


async def test_the_worker_projects_events_and_publishes_report_events(
    db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    for name, value in {
        "REPORTING_DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "GRANTS_CLAIM_IDLE_MS": "200",
        "GRANTS_RELAY_INTERVAL_S": "0.02",
    }.items():
        monkeypatch.setenv(name, value)
    bootstrap.reset()
    app = worker.create_app()
    await app.start()
    try:
        story = Story()
        events = [*story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]
        for envelope in reversed(events):  # the settlement first: it must wait, not be lost
            publish(redis_url, envelope)
        await eventually(lambda: paid(bootstrap.sessions(), story.grant_id) == story.tranche_amount)

        def submit() -> None:
            with UnitOfWork(bootstrap.sessions()) as uow:
                submit_report(
                    SubmitReport(story.grant_id, 1, {"places_to_meet": 1}, "Hub opened."),
                    Principal(subject="alice", roles=frozenset({Role.APPLICANT}), organisation_id="org-1"),
                    uow,
                )
                uow.commit()

        await asyncio.to_thread(submit)
        await eventually(lambda: client.xlen(ReportSubmitted.stream()) == 1)
        [(_, fields)] = client.xrange(ReportSubmitted.stream())
        envelope, _headers = decode_entry(fields)
        assert envelope["payload"]["grant_id"] == story.grant_id and envelope["subject"] == story.grant_id
    finally:
        await app.stop()
        bootstrap.reset()
        client.flushdb()


async def test_events_published_before_the_worker_first_started_are_not_missed(
    db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    bootstrap.reset()
    story = Story()
    publish(redis_url, story.awarded())
    app = worker.create_app()
    await app.start()
    try:
        await eventually(lambda: paid(bootstrap.sessions(), story.grant_id) == 0)
    finally:
        await app.stop()
        bootstrap.reset()
        client.flushdb()
