"""Schemathesis against the applications OpenAPI, in process: no 5xx, and every response matches its schema.

The API runs on a migrated SQLite database holding the synthetic registry and one organisation, partnership and
draft application, called with an operator token (rate limiting off, so that the fuzzer reaches the routes).
Every operation gets valid and invalid requests, with made-up ids and with the ids of the objects that exist.
Every check runs but one: "schema-valid data is accepted" cannot hold where a rule depends on stored facts or on
today (a member joining in the future, leaving before joining, a ward outside the registry in force), which an
OpenAPI document cannot state, nor where the API is stricter than JSON Schema on purpose (150000000.0 is not
pence); those answers are 422 problems, documented as such.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from applications import bootstrap
from applications.api import create_app
from tests.support.openapi_fuzz import Api, fuzz

from .conftest import make_applicant
from .kit import OPERATOR, application_body


@pytest.fixture
def api(registry: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The applications API on the test database and a real Redis, and the ids of the objects in it."""
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    monkeypatch.setenv("REDIS_URL", redis_url)
    bootstrap.reset()
    app = create_app()
    with TestClient(app) as client:
        a = make_applicant(client, registry)
        draft = client.post("/applications", json=application_body(a.partnership["id"]), headers=a.headers).json()
    ids = {
        "organisation_id": a.org_id,
        "partnership_id": a.partnership["id"],
        "member_id": a.partnership["members"][0]["id"],
        "application_id": draft["id"],
        "code": a.ward,
    }
    yield app, ids


def test_the_api_honours_its_openapi_document(api: Api) -> None:
    fuzz(api, examples=25, headers=OPERATOR)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # hundreds of examples per route on PostgreSQL outrun the 300 s default
def test_the_api_honours_its_openapi_document_at_length(api: Api) -> None:
    fuzz(api, examples=500, headers=OPERATOR)
