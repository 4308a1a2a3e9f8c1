"""Schemathesis against the applications OpenAPI, in process: no 5xx, and every response matches its schema.

The API runs on a migrated SQLite database holding the synthetic registry and one organisation, partnership and
draft application, called with an operator token (rate limiting off, so that the fuzzer reaches the routes).
Every operation gets valid and invalid requests, with made-up ids and with the ids of the objects that exist.
Every check runs but one: "schema-valid data is accepted" cannot hold where a rule depends on stored facts or on
today (a member joining in the future, leaving before joining, a ward outside the registry in force), which an
OpenAPI document cannot state, nor where the API is stricter than JSON Schema on purpose (150000000.0 is not
pence); those answers are 422 problems, documented as such.
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

from applications import bootstrap
from applications.api import create_app

from .conftest import make_applicant
from .kit import OPERATOR, application_body


@pytest.fixture
def api(registry: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FastAPI, dict[str, str]]]:
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


def _sendable(value: Any) -> bool:
    scalar = (str, int, float, bool)
    return isinstance(value, scalar) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, scalar) for v in value)
    )


def fuzz(api: tuple[FastAPI, dict[str, str]], examples: int) -> None:
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
            # A query value that is not a scalar or a list of them is not sent: that "negative" case is a valid request.
            assume(all(_sendable(v) for v in (case.query or {}).values()))
            case.call_and_validate(headers=OPERATOR, excluded_checks=[positive_data_acceptance])

        try:
            honours_the_document()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # each operation's findings are collected, so one run shows them all
            failures.append(f"{operation.label}: {error!r}"[:3000])
    print(f"\n[schemathesis] {operations} operations x {examples} examples: {time.perf_counter() - start:.1f} s")
    assert failures == [], "\n\n".join(failures)


def test_the_api_honours_its_openapi_document(api: tuple[FastAPI, dict[str, str]]) -> None:
    fuzz(api, examples=25)


@pytest.mark.slow
@pytest.mark.timeout(3600)  # hundreds of examples per route on PostgreSQL outrun the 300 s default
def test_the_api_honours_its_openapi_document_at_length(api: tuple[FastAPI, dict[str, str]]) -> None:
    fuzz(api, examples=500)
