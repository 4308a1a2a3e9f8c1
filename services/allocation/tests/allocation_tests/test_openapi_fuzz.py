"""Schemathesis against the allocation OpenAPI, in process: no 5xx, every response as documented.

The API runs on a database holding an assessed pool, an open round and one simulated run of it, called by an operator
(rate limiting off). Each operation gets valid and invalid requests, with made-up ids and with the ids that exist.
"Schema-valid data is accepted" is not checked: a run of a closed round, or a second committed run, is a documented
409 that a schema cannot state.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from allocation import bootstrap
from allocation.api import create_app
from allocation_tests.kit import ROUND
from allocation_tests.seed import seed_pool
from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings
from tests.support.openapi_fuzz import Api, fuzz

OPERATOR = {"Authorization": "Bearer " + mint_token(PlatformSettings(), subject="olu", roles=[Role.OPERATOR])}


@pytest.fixture
def api(db_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The allocation API on the test database and a real Redis (for /readyz), and the ids of what is in it."""
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", db_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")  # so that the fuzzer reaches the routes
    bootstrap.reset()
    app = create_app()
    with TestClient(app) as client:
        [application_id, *_] = seed_pool(bootstrap.sessions(), 6)
        round_id = client.post("/rounds", json=ROUND, headers=OPERATOR).json()["id"]
        run = client.post(f"/rounds/{round_id}/runs", json={"mode": "simulate"}, headers=OPERATOR).json()
    yield app, {"round_id": round_id, "run_id": run["run_id"], "application_id": application_id}
    bootstrap.reset()


def test_the_api_honours_its_openapi_document(api: Api) -> None:
    fuzz(api, examples=15, headers=OPERATOR)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_the_api_honours_its_openapi_document_at_length(api: Api) -> None:
    fuzz(api, examples=300, headers=OPERATOR)
