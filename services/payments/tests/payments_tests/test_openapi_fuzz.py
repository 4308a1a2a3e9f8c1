"""Schemathesis against the payments OpenAPI, in process: no 5xx, every response as documented.

The API runs on a database holding one grant with its first tranche released and a variation awaiting approval,
called by a member of staff holding every finance role and the assessor's (rate limiting off). Each operation gets
valid and invalid requests, with made-up ids and with the ids that exist. "Schema-valid data is accepted" is not
checked: most actions depend on the state of the grant (a tranche already released cannot be held), which a schema
cannot state; those answers are documented 409 problems.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments import bootstrap
from payments.api import create_app
from payments_tests.kit import (
    award_and_open,
    awarded,
    bearer,
    deliver,
    on_grant_awarded,
    on_round_opened,
    round_opened,
    tranches,
)
from tests.support.openapi_fuzz import Api, fuzz

STAFF = bearer(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.ASSESSOR, Role.OPERATOR, subject="sam")


@pytest.fixture
def api(sessions: sessionmaker[Session], redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The payments API on the test database and a real Redis (for /readyz), and the ids of what is in it."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")  # so that the fuzzer reaches the routes
    bootstrap.settings.cache_clear()
    deliver(sessions, round_opened(10**10), on_round_opened)
    award_and_open(sessions, awarded(amount=1_200_000, months=36), on_grant_awarded)
    app = create_app()
    with TestClient(app) as client:
        asked = client.post(
            "/grants/g-1/variations",
            json={"new_total_pence": 1_300_000, "reason": "more"},
            headers=bearer(Role.FINANCE_OFFICER, subject="fiona"),
        ).json()
    yield (
        app,
        {"grant_id": "g-1", "tranche_id": tranches(sessions)[1].tranche_id, "variation_id": asked["variation_id"]},
    )


def test_the_api_honours_its_openapi_document(api: Api) -> None:
    fuzz(api, examples=15, headers=STAFF)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # hundreds of examples per route on PostgreSQL outrun the 300 s default
def test_the_api_honours_its_openapi_document_at_length(api: Api) -> None:
    fuzz(api, examples=300, headers=STAFF)
