"""Cached read models: an answer is kept while no event is applied, read again once one is, and never given to
a caller the route refuses."""

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.delivery.progress import record_progress
from grants_shared.events import Envelope
from grants_shared.uow import UnitOfWork
from reporting import bootstrap
from reporting.api import create_app
from reporting.consumers.events import on_any_event
from tests.support.oidc import OidcProvider

from .conftest import problem
from .story import GROUP, Story, deliver


@pytest.fixture
def cached(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch, provider: OidcProvider) -> Iterator[TestClient]:
    """The reporting API in production mode (the provider's tokens) with a read cache far longer than any test."""
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_READ_CACHE_TTL_S", "60")
    bootstrap.reset()
    with TestClient(create_app()) as test_client:
        yield test_client
    bootstrap.reset()


def applied(sessions: sessionmaker[Session], story: list[object]) -> None:
    """Deliver events as the worker does, and record that the group applied them (as its batch does)."""
    for envelope in story:
        deliver(sessions, envelope)  # type: ignore[arg-type]
    with UnitOfWork(sessions) as uow:
        now = datetime.now(UTC)
        record_progress(uow.session, GROUP, len(story), now, now)
        uow.commit()


def written_unrecorded(sessions: sessionmaker[Session], envelope: Envelope[Any]) -> None:
    """The event's projections written without the group's progress row.

    The worker never commits that state (its batch records progress with the projections); it is made here to show
    that a cached answer is keyed on the recorded progress alone.
    """
    with UnitOfWork(sessions, cause=envelope) as uow:
        on_any_event(envelope, uow)
        uow.commit()


def eventually(check: Callable[[], bool], timeout: float = 15) -> None:
    """Wait until `check()` holds (the freshness block is re-read once a second)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def committed(client: TestClient, headers: dict[str, str]) -> int:
    """The committed pence of the fund position."""
    response = client.get("/fund/position", headers=headers)
    assert response.status_code == 200, response.text
    return int(response.json()["committed_pence"])


def test_a_cached_position_is_read_again_once_a_new_event_is_applied(
    cached: TestClient, sessions: sessionmaker[Session], provider: OidcProvider
) -> None:
    headers = provider.bearer("fin", Role.FINANCE_OFFICER)  # a token of the production identity provider
    one = Story(n=1, amount=150_000_000)
    applied(sessions, [one.round_opened()])
    assert committed(cached, headers) == 0
    for envelope in one.up_to_award():  # in the database, but not yet recorded as applied: the answer is kept
        written_unrecorded(sessions, envelope)
    assert committed(cached, headers) == 0
    applied(sessions, [])  # the group records what it applied: the cached answer is now of an older event
    eventually(lambda: committed(cached, headers) == 150_000_000)


def test_a_cached_dashboard_is_built_again_once_a_new_event_is_applied(
    cached: TestClient, sessions: sessionmaker[Session], provider: OidcProvider
) -> None:
    operator = provider.bearer("otto", Role.OPERATOR)
    one = Story(n=1, amount=150_000_000)
    applied(sessions, [one.round_opened()])
    assert "£1,500,000" not in cached.get("/dashboard", headers=operator).text
    applied(sessions, one.up_to_award())
    eventually(lambda: "£1,500,000" in cached.get("/dashboard", headers=operator).text)


def test_a_cached_answer_still_asks_who_is_calling(cached: TestClient, provider: OidcProvider) -> None:
    assert committed(cached, provider.bearer("fin", Role.FINANCE_OFFICER)) == 0  # the answer is in the cache now
    problem(cached.get("/fund/position"), 401, "unauthenticated")
    problem(cached.get("/fund/position", headers={"Authorization": "Bearer forged"}), 401, "invalid-token")
    problem(
        cached.get("/fund/position", headers=provider.bearer("alice", Role.APPLICANT, org="org-1")), 403, "forbidden"
    )
    assert (
        cached.get("/dashboard", headers=provider.bearer("otto", Role.OPERATOR)).status_code == 200
    )  # the page is cached now
    problem(cached.get("/dashboard"), 401)
    problem(cached.get("/dashboard", headers=provider.bearer("fin", Role.FINANCE_OFFICER)), 403, "forbidden")
