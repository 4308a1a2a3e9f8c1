"""The one idempotent-POST helper: scoped to caller and concrete path, JSON-safe answers, one code for a lost race."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, insert
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Principal
from grants_shared.db import make_engine, session_factory
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.problems import install_problem_handlers
from grants_shared.uow import UnitOfWork

things = Table("things", MetaData(), Column("name", String, primary_key=True), Column("n", Integer))
CALLER = Principal(subject="officer-1", roles=frozenset())


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A SQLite database with the idempotency table and one table of things with unique names."""
    engine = make_engine(f"sqlite:///{tmp_path / 'idem.db'}")
    tables.metadata.create_all(engine)
    things.metadata.create_all(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def client(sessions: sessionmaker[Session]) -> TestClient:
    """An app whose POST /things/{name} writes a thing; a second writer of the same name loses the race."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things/{name}")
    def make(request: Request, name: str, key: str | None = Header(None, alias="Idempotency-Key")) -> JSONResponse:
        def work(uow: UnitOfWork) -> tuple[int, Any]:
            uow.session.execute(insert(things).values(name=name, n=1))
            return 201, {"name": name, "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}

        return idempotent_post(request, sessions, CALLER, key, {"name": name}, work)

    return TestClient(app)


def test_a_retry_replays_the_json_safe_first_answer(client: TestClient) -> None:
    first = client.post("/things/a", headers={"Idempotency-Key": "k1"})
    again = client.post("/things/a", headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == {"name": "a", "at": "2026-01-02T03:04:05+00:00"}
    assert again.content == first.content and again.headers["Idempotent-Replayed"] == "true"


def test_one_key_on_two_paths_is_two_requests(client: TestClient) -> None:
    assert client.post("/things/a", headers={"Idempotency-Key": "k1"}).status_code == 201
    other = client.post("/things/b", headers={"Idempotency-Key": "k1"})
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers


def test_a_write_that_loses_a_race_is_a_409_conflict_and_writes_nothing(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    assert client.post("/things/a").status_code == 201
    lost = client.post("/things/a", headers={"Idempotency-Key": "k2"})
    assert lost.status_code == 409 and lost.json()["code"] == "conflict"
    with sessions() as session:
        assert session.execute(tables.idempotency_keys.select()).all() == []
