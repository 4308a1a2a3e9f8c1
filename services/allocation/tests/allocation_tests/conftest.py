"""Fixtures: a migrated allocation database per backend (emptied for each test), the API on it, tokens."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from allocation import bootstrap
from allocation.adapters.orm import metadata
from allocation.api import create_app
from allocation_tests.kit import bearer
from grants_shared import tables
from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate
from tests.support.infra import database_backends, fresh_database


@pytest.fixture(scope="session", params=database_backends())
def migrated_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One allocation database per backend for the whole run, migrated once (creating one per test is slow)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("allocation"), "allocation") as url:
        migrate(url, "allocation")
        yield url


@pytest.fixture
def db_url(migrated_url: str) -> str:
    """The test database, emptied: every test starts from no rows at the newest schema."""
    engine = make_engine(migrated_url)
    with engine.begin() as connection:
        for table in [*reversed(metadata.sorted_tables), *tables.metadata.sorted_tables]:
            connection.execute(delete(table))
    engine.dispose()
    return migrated_url


@pytest.fixture
def client(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The allocation API on the test database."""
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", db_url)
    bootstrap.reset()
    with TestClient(create_app()) as test_client:
        yield test_client
    bootstrap.reset()


@pytest.fixture
def sessions(client: TestClient) -> sessionmaker[Session]:
    """Sessions on the same database the API uses."""
    return bootstrap.sessions()


@pytest.fixture
def operator() -> dict[str, str]:
    """Headers of an operator."""
    return bearer(Role.OPERATOR)
