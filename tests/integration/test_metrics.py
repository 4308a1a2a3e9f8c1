"""What every API exports on /metrics: requests by route template and status, and its outbox backlog.

The allocation API runs on a migrated database (SQLite, and PostgreSQL when configured); counters live in the
process's registry for the whole run, so each test compares a scrape after its requests with one before them.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from allocation import bootstrap
from allocation.api import create_app
from grants_shared import tables
from grants_shared.auth import Role, mint_token
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.events import RoundClosed
from grants_shared.http.app import create_service_app
from grants_shared.http.metrics import UNMATCHED
from grants_shared.settings import PlatformSettings
from grants_shared.uow import UnitOfWork
from tests.support.metrics import Samples, scrape

OPERATOR = {"Authorization": "Bearer " + mint_token(PlatformSettings(), subject="otto", roles=[Role.OPERATOR])}


def requests(samples: Samples, route: str, status: int, method: str = "GET", service: str = "allocation") -> float:
    labels = frozenset({"service": service, "method": method, "route": route, "status": str(status)}.items())
    return samples.get(("grants_http_requests_total", labels), 0.0)


def timed(samples: Samples, route: str, status: int, method: str = "GET", service: str = "allocation") -> float:
    labels = frozenset({"service": service, "method": method, "route": route, "status": str(status)}.items())
    return samples.get(("grants_http_request_duration_seconds_count", labels), 0.0)


def delta(
    before: Samples, after: Samples, route: str, status: int, method: str = "GET", service: str = "allocation"
) -> float:
    return requests(after, route, status, method, service) - requests(before, route, status, method, service)


@pytest.fixture
def allocation_db(database_url: str) -> str:
    """An allocation database at the newest schema."""
    migrate(database_url, "allocation")
    return database_url


@pytest.fixture
def api(allocation_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The real allocation API on the test database."""
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", allocation_db)
    bootstrap.reset()
    with TestClient(create_app()) as client:
        yield client
    bootstrap.reset()


@pytest.fixture
def engine(allocation_db: str) -> Iterator[Engine]:
    """An engine of its own on the API's database, as another process (the worker) would have."""
    engine = make_engine(allocation_db)
    yield engine
    engine.dispose()


def test_requests_are_counted_by_route_template_and_status(api: TestClient) -> None:
    before = scrape(api)
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    assert api.get(f"/rounds/{first}", headers=OPERATOR).status_code == 404
    assert api.get(f"/rounds/{second}", headers=OPERATOR).status_code == 404
    assert api.get("/rounds", headers=OPERATOR).status_code == 200
    assert api.get("/rounds", params={"limit": "many"}, headers=OPERATOR).status_code == 422
    assert api.get("/rounds").status_code == 401
    assert api.delete("/rounds", headers=OPERATOR).status_code == 405
    assert api.get(f"/no/such/{first}").status_code == 404
    assert api.get("/healthz").status_code == 200 and api.get("/readyz").status_code in (200, 503)
    after = scrape(api)

    assert delta(before, after, "/rounds/{round_id}", 404) == 2  # both ids in one series
    assert timed(after, "/rounds/{round_id}", 404) - timed(before, "/rounds/{round_id}", 404) == 2
    assert delta(before, after, "/rounds", 200) == 1
    assert delta(before, after, "/rounds", 422) == 1
    assert delta(before, after, "/rounds", 401) == 1
    assert delta(before, after, "/rounds", 405, method="DELETE") == 1
    assert delta(before, after, UNMATCHED, 404) == 1
    routes = {dict(labels)["route"] for name, labels in after if name == "grants_http_requests_total"}
    assert not any(first in route or second in route for route in routes), routes
    assert not routes & {"/healthz", "/readyz", "/metrics", "/metrics/"}, "health and metrics are not counted"


def test_requests_the_guards_refuse_are_counted(allocation_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", allocation_db)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_BURST", "3")
    monkeypatch.setenv("GRANTS_RATE_LIMIT_PER_MINUTE", "1")
    bootstrap.reset()
    try:
        with TestClient(create_app()) as api:
            before = scrape(api)  # a bucket of its own (the probes'), apart from the API's
            nul = api.get("/rounds", params={"name": "a\x00b"}, headers=OPERATOR)
            assert nul.status_code == 422 and nul.json()["code"] == "control-character"
            big = api.post("/rounds", content=b"x" * (256 * 1024 + 1), headers=OPERATOR)
            assert big.status_code == 413
            assert api.get("/rounds", headers=OPERATOR).status_code == 200
            limited = api.get("/rounds", headers=OPERATOR)
            assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
            after = scrape(api)
    finally:
        bootstrap.reset()
    assert delta(before, after, "/rounds", 422) == 1
    assert delta(before, after, "/rounds", 413, method="POST") == 1
    assert delta(before, after, "/rounds", 200) == 1
    assert delta(before, after, "/rounds", 429) == 1


def test_streamed_responses_pass_through_and_unhandled_errors_count_as_500() -> None:
    router = APIRouter()

    @router.get("/stream/{n}")
    def stream(n: int) -> StreamingResponse:
        return StreamingResponse((f"{i}\n" for i in range(n)), media_type="text/plain")

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    app = create_service_app(
        service="metrics-test",
        settings=PlatformSettings(),
        engine=make_engine("sqlite://"),
        routers=[router],
        description="test",
    )
    client = TestClient(app, raise_server_exceptions=False)
    before = scrape(client)
    assert client.get("/stream/3").text == "0\n1\n2\n"
    failed = client.get("/boom")
    assert failed.status_code == 500 and failed.json()["code"] == "internal-error"
    after = scrape(client)
    assert delta(before, after, "/stream/{n}", 200, service="metrics-test") == 1
    assert delta(before, after, "/boom", 500, service="metrics-test") == 1


def backlog(samples: Samples, service: str = "allocation") -> tuple[float | None, float | None]:
    labels = frozenset({"service": service}.items())
    return (
        samples.get(("grants_outbox_unsent", labels)),
        samples.get(("grants_outbox_oldest_unsent_age_seconds", labels)),
    )


def test_the_outbox_backlog_counts_unsent_rows_and_the_oldest_ones_age(api: TestClient, engine: Engine) -> None:
    assert backlog(scrape(api)) == (0, 0)
    with UnitOfWork(session_factory(engine)) as uow:
        for n in range(3):
            uow.emit(RoundClosed(round_id=f"round-{n}", closed_at=datetime.now(UTC)), subject=f"round-{n}")
        uow.commit()
    unsent, age = backlog(scrape(api))
    assert unsent == 3 and age is not None and 0 <= age < 60

    first, second, _ = [uow.emitted[n].event_id for n in range(3)]
    with engine.begin() as connection:  # the first waited ten minutes; the relay then sends the second
        connection.execute(
            update(tables.outbox)
            .where(tables.outbox.c.event_id == first)
            .values(created_at=datetime.now(UTC) - timedelta(minutes=10))
        )
        connection.execute(
            update(tables.outbox).where(tables.outbox.c.event_id == second).values(published_at=datetime.now(UTC))
        )
    unsent, age = backlog(scrape(api))
    assert unsent == 2 and age is not None and 600 <= age < 660

    with engine.begin() as connection:
        connection.execute(update(tables.outbox).values(published_at=datetime.now(UTC)))
    assert backlog(scrape(api)) == (0, 0)


def test_a_database_without_an_outbox_gives_no_backlog_samples_and_no_error(api: TestClient) -> None:
    broken = create_service_app(
        service="metrics-no-outbox",
        settings=PlatformSettings(),
        engine=make_engine("sqlite://"),
        routers=[],
        description="test",
    )
    samples = scrape(TestClient(broken))
    assert backlog(samples, "metrics-no-outbox") == (None, None)
    assert backlog(samples)[0] == 0  # the allocation database still answers on the same scrape
