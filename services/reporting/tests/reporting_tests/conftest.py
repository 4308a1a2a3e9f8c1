"""Fixtures of the reporting tests: a migrated database, its sessions, and the API on it."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role, mint_token
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.settings import PlatformSettings
from reporting import bootstrap
from reporting.api import create_app
from tests.support.oidc import OidcProvider


@pytest.fixture
def db(database_url: str) -> str:
    """A reporting database at the newest schema."""
    migrate(database_url, "reporting")
    return database_url


@pytest.fixture
def sessions(db: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test database."""
    engine = make_engine(db)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def client(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The reporting API on the test database and the test Redis."""
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_ENV", "test")
    bootstrap.reset()
    with TestClient(create_app()) as test_client:
        yield test_client
    bootstrap.reset()


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[OidcProvider]:
    """An identity provider on loopback, and production settings trusting it (development tokens refused)."""
    with OidcProvider() as running:
        for name, value in running.env().items():
            monkeypatch.setenv(name, value)
        yield running


def auth(*roles: Role, subject: str = "someone", organisation_id: str | None = None) -> dict[str, str]:
    """Headers carrying a freshly minted bearer token."""
    token = mint_token(PlatformSettings(), subject=subject, roles=list(roles), organisation_id=organisation_id)
    return {"Authorization": f"Bearer {token}"}


APPLICANT = auth(Role.APPLICANT, subject="alice", organisation_id="org-1")
OTHER_APPLICANT = auth(Role.APPLICANT, subject="mallory", organisation_id="org-2")
ASSESSOR = auth(Role.ASSESSOR, subject="asha")
OPERATOR = auth(Role.OPERATOR, subject="otto")
FINANCE = auth(Role.FINANCE_OFFICER, subject="fin")


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with `status` (and `code`) and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    if code is not None:
        assert body["code"] == code, body
    return body
