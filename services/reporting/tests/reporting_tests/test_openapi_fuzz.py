"""Schemathesis against the reporting OpenAPI, in process: no 5xx, every response as documented.

The API runs as in production (so the dashboard, open on a developer's machine, asks for an operator's token) on a
database holding an awarded grant with one paid tranche and one submitted impact report, called by a member of staff
who assesses, operates and keeps the books (rate limiting off). Each operation gets valid and invalid requests, with
made-up ids and with the ids that exist. "Schema-valid data is accepted" is not checked: a report for a period already
reported, or a review of a report already reviewed, is a documented 409 that a schema cannot state.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from reporting import bootstrap
from reporting.api import create_app
from tests.support.oidc import OidcProvider
from tests.support.openapi_fuzz import Api, fuzz

from .test_reports_api import awarded_grant, report_body


@pytest.fixture
def staff(provider: OidcProvider, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Production settings (the provider's tokens), and the headers of staff who assess, operate and keep the books."""
    monkeypatch.setenv("GRANTS_DOCS_ENABLED", "true")  # off by default in production; the fuzzer reads the document
    return provider.bearer("sam", Role.ASSESSOR, Role.OPERATOR, Role.FINANCE_OFFICER)


@pytest.fixture
def api(
    db: str, sessions: sessionmaker[Session], redis_url: str, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Api]:
    """The reporting API on the test database and a real Redis (for /readyz), and the ids of what is in it."""
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")  # so that the fuzzer reaches the routes
    bootstrap.reset()
    awarded_grant(sessions)
    app = create_app()
    with TestClient(app) as client:
        created = client.post("/reports", json=report_body(), headers=staff)
        assert created.status_code == 201, created.text
    yield app, {"grant_id": "grant-1", "report_id": created.json()["id"]}
    bootstrap.reset()


def test_the_api_honours_its_openapi_document(api: Api, staff: dict[str, str]) -> None:
    fuzz(api, examples=15, headers=staff)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_api_honours_its_openapi_document_at_length(api: Api, staff: dict[str, str]) -> None:
    fuzz(api, examples=300, headers=staff)
