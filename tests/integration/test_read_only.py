"""`db.read_only` and `ReadSession`: a read never takes SQLite's write lock; on PostgreSQL it cannot write or run long.

A database that does not answer in time (a statement timeout, a lock not granted) is a 503 problem, never a 500.
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from grants_shared.db import make_engine, read_only
from grants_shared.http import app as http_app
from grants_shared.http.app import ReadSession, create_service_app
from grants_shared.settings import PlatformSettings
from tests.support.infra import POSTGRES_ENV, database_backends, fresh_database


@contextmanager
def figures_engine(kind: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine made as the services make theirs, on a new database with one table of one row."""
    with fresh_database(kind, tmp_path, "readonly") as url:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE figures (pence BIGINT NOT NULL)"))
            connection.execute(text("INSERT INTO figures VALUES (1500)"))
        yield engine
        engine.dispose()


@pytest.mark.parametrize("kind", database_backends())
def test_read_only_reads(kind: str, tmp_path: Path) -> None:
    with figures_engine(kind, tmp_path) as engine, read_only(engine) as connection:
        assert connection.execute(text("SELECT pence FROM figures")).scalar_one() == 1500


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    with figures_engine("sqlite", tmp_path) as engine:
        yield engine


@pytest.fixture
def postgresql_engine(tmp_path: Path) -> Iterator[Engine]:
    if not os.environ.get(POSTGRES_ENV):
        pytest.skip(f"needs PostgreSQL ({POSTGRES_ENV})")
    with figures_engine("postgresql", tmp_path) as engine:
        yield engine


def test_a_writer_starts_while_a_sqlite_read_is_open(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    writer = sqlite3.connect(str(engine.url.database), timeout=0, isolation_level=None)  # never waits for a lock
    try:
        with read_only(engine) as connection:
            connection.execute(text("SELECT pence FROM figures")).scalar_one()
            writer.execute("BEGIN IMMEDIATE")  # "database is locked" had the read begun IMMEDIATE
            writer.execute("UPDATE figures SET pence = 1600")
            writer.execute("COMMIT")
    finally:
        writer.close()
    with engine.begin() as connection:  # the engine's own transactions still take the write lock and commit
        connection.execute(text("UPDATE figures SET pence = 1700"))
    with read_only(engine) as connection:
        assert connection.execute(text("SELECT pence FROM figures")).scalar_one() == 1700


def test_a_postgresql_read_cannot_write_and_has_a_statement_timeout(postgresql_engine: Engine) -> None:
    engine = postgresql_engine
    with read_only(engine, timeout_ms=1500) as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "1500ms"
        assert connection.execute(text("SHOW transaction_isolation")).scalar_one() == "repeatable read"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            connection.execute(text("UPDATE figures SET pence = 0"))
    with read_only(engine, timeout_ms=50) as connection, pytest.raises(DBAPIError, match="statement timeout"):
        connection.execute(text("SELECT pg_sleep(5)"))
    with engine.connect() as connection:  # SET LOCAL ends with the read: the pooled connection is as it was
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "0"
        assert connection.execute(text("SELECT pence FROM figures")).scalar_one() == 1500


def database_app(engine: Engine) -> TestClient:
    """A service app on `engine` with two routes: one whose database gives up, one reading slowly from a snapshot."""
    router = APIRouter()

    @router.get("/locked")
    def locked() -> None:
        raise OperationalError("UPDATE figures", {}, sqlite3.OperationalError("database is locked"))

    @router.get("/slow")
    def slow(session: ReadSession) -> None:
        session.execute(text("SELECT pg_sleep(5)"))

    app = create_service_app(
        service="snapshot-test", settings=PlatformSettings(), engine=engine, routers=[router], description="test"
    )
    return TestClient(app)


def test_a_database_that_does_not_answer_in_time_is_a_503_problem(sqlite_engine: Engine) -> None:
    answer = database_app(sqlite_engine).get("/locked")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "2"
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "database-unavailable"


def test_a_read_past_its_statement_timeout_is_a_503_problem(
    postgresql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_app, "READ_TIMEOUT_MS", 50)
    answer = database_app(postgresql_engine).get("/slow")
    assert answer.status_code == 503 and answer.json()["code"] == "database-unavailable"
