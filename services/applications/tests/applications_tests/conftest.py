"""Fixtures: a migrated database per test (SQLite, and PostgreSQL when configured) with a synthetic registry."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from applications import bootstrap
from applications.adapters.registry import synthetic_registry
from applications.api import create_app
from applications.usecases.registry import load_registry
from grants_shared.auth import Role
from grants_shared.db import migrate
from grants_shared.uow import UnitOfWork

from .kit import OPERATOR, auth, members, organisation_body


@pytest.fixture
def migrated(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated, empty applications database that the service's bootstrap points at."""
    migrate(database_url, "applications")
    monkeypatch.setenv("APPLICATIONS_DATABASE_URL", database_url)
    bootstrap.reset()
    yield database_url
    bootstrap.reset()


@pytest.fixture
def sessions(migrated: str) -> sessionmaker[Session]:
    """The service's session factory on the test database."""
    return bootstrap.sessions()


@pytest.fixture
def registry(sessions: sessionmaker[Session]) -> Any:
    """The synthetic registry (60 wards, 15 left behind), loaded and in force."""
    reg = synthetic_registry(seed=0, wards=60)
    with UnitOfWork(sessions) as uow:
        load_registry(uow, reg, actor="test")
        uow.commit()
    return reg


@pytest.fixture
def client(registry: Any) -> Iterator[TestClient]:
    """An API client on the test database with the synthetic registry in force."""
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


@dataclass
class Applicant:
    """An organisation (due diligence passed), an applicant of it, and a compliant partnership."""

    org_id: str
    headers: dict[str, str]
    partnership: dict[str, Any]
    ward: str


def left_behind_wards(registry: Any) -> list[str]:
    """Codes of the synthetic wards flagged left behind, in code order."""
    return [w.code for w in registry.left_behind_wards()]


def make_applicant(client: TestClient, registry: Any, n: int = 1, ward: str | None = None) -> Applicant:
    """Register organisation n, form a compliant partnership in a left-behind ward."""
    org = client.post("/organisations", json=organisation_body(n), headers=OPERATOR)
    assert org.status_code == 201, org.text
    org_id = org.json()["id"]
    headers = auth(Role.APPLICANT, org=org_id, subject=f"applicant-{n}")
    ward = ward or left_behind_wards(registry)[n - 1]
    body = {"organisation_id": org_id, "name": f"Residents of {ward}", "neighbourhood_code": ward, "members": members()}
    p = client.post("/partnerships", json=body, headers=headers)
    assert p.status_code == 201, p.text
    return Applicant(org_id, headers, p.json(), ward)


@pytest.fixture
def applicant(client: TestClient, registry: Any) -> Applicant:
    """Organisation 1 with its applicant and a compliant partnership in the first left-behind ward."""
    return make_applicant(client, registry)
