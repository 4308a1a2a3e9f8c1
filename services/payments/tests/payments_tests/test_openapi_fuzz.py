"""Schemathesis against the payments OpenAPI, in process: no 5xx, every response as documented.

The API runs on a database holding one grant with its first tranche released and a variation awaiting approval,
called by a member of staff holding every finance role and the assessor's (rate limiting off). Each operation gets
valid and invalid requests, with made-up ids and with the ids that exist. "Schema-valid data is accepted" is not
checked: most actions depend on the state of the grant (a tranche already released cannot be held), which a schema
cannot state; those answers are documented 409 problems.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments import bootstrap
from payments.api import create_app
from payments.consumers import on_grant_awarded, on_round_opened
from payments_tests.kit import award_and_open, awarded, bearer, deliver, round_opened, tranches

STAFF = bearer(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.ASSESSOR, Role.OPERATOR, subject="sam")


@pytest.fixture
def api(
    sessions: sessionmaker[Session], redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """The payments API on the test database and a real Redis (for /readyz), and the ids of what is in it."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")  # so that the fuzzer reaches the routes
    bootstrap.settings.cache_clear()
    deliver(sessions, round_opened(10**10), on_round_opened)
    award_and_open(sessions, awarded(amount=1_200_000, months=36), on_grant_awarded)
    app = create_app()
    with TestClient(app) as client:
        asked = client.post("/grants/g-1/variations", json={"new_total_pence": 1_300_000, "reason": "more"},
                            headers=bearer(Role.FINANCE_OFFICER, subject="fiona")).json()  # fmt: skip
    yield app, {"grant_id": "g-1", "tranche_id": tranches(sessions)[1].tranche_id,
                "variation_id": asked["variation_id"]}  # fmt: skip


def _sendable(value: Any) -> bool:
    """A query value the client really sends (None or an empty list would vanish, the case with it)."""
    scalar = (str, int, float, bool)
    return isinstance(value, scalar) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, scalar) for v in value)
    )


def fuzz(api: tuple[FastAPI, dict[str, str]], examples: int) -> None:
    """Every operation, `examples` cases each; the findings of all operations are reported together."""
    app, ids = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, start, operations = [], time.perf_counter(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if known:
            strategies.append(operation.as_strategy(path_parameters=known))

        @given(case=st.one_of(strategies))
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def honours_the_document(case: Any) -> None:
            assume(all(_sendable(v) for v in (case.query or {}).values()))
            case.call_and_validate(headers=STAFF, excluded_checks=[positive_data_acceptance])

        try:
            honours_the_document()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:
            failures.append(f"{operation.label}: {error!r}"[:3000])
    print(f"\n[schemathesis] {operations} operations x {examples} examples: {time.perf_counter() - start:.1f} s")
    assert failures == [], "\n\n".join(failures)


def test_the_api_honours_its_openapi_document(api: tuple[FastAPI, dict[str, str]]) -> None:
    fuzz(api, examples=15)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # hundreds of examples per route on PostgreSQL outrun the 300 s default
def test_the_api_honours_its_openapi_document_at_length(api: tuple[FastAPI, dict[str, str]]) -> None:
    fuzz(api, examples=300)
