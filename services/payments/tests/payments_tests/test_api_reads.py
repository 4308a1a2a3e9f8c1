"""Reading grants, tranches, instructions and balances: shapes, pagination, roles and object-level access."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments import bootstrap
from payments.api import create_app
from payments_tests.kit import AWARDED_AT, award_and_open, awarded, bearer, on_grant_awarded, tranches

Sessions = sessionmaker[Session]
APPLICANT = bearer(Role.APPLICANT, subject="amy", org="org-1")
OTHER_APPLICANT = bearer(Role.APPLICANT, subject="mal", org="org-2")
ASSESSOR = bearer(Role.ASSESSOR, subject="asha")
OPERATOR = bearer(Role.OPERATOR, subject="otto")
INTEGRATOR = bearer(Role.INTEGRATOR, subject="ivy")


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a problem+json answer with `status` (and `code`); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert code is None or body["code"] == code
    return body


@pytest.fixture(scope="module")
def reads(module_env: str) -> Iterator[TestClient]:
    """The API on one database holding two grants (these tests only read, so they share it)."""
    sessions = bootstrap.sessions()
    award_and_open(sessions, awarded("g-1", amount=800_000, months=12), on_grant_awarded)
    award_and_open(sessions, awarded("g-2", amount=900_000, months=18, organisation_id="org-2"), on_grant_awarded)
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def client(reads: TestClient) -> TestClient:
    """The shared API (overrides the per-test one)."""
    return reads


@pytest.fixture
def two_grants(reads: TestClient) -> None:
    """Two grants: g-1 of org-1 (two tranches) and g-2 of org-2 (three tranches)."""


def test_a_grant_shows_its_schedule_and_what_is_paid(client: TestClient, two_grants: None) -> None:
    body = client.get("/grants/g-1", headers=ASSESSOR).json()
    assert {
        k: body[k] for k in ("grant_id", "application_id", "organisation_id", "amount_pence", "paid_pence", "status")
    } == {
        "grant_id": "g-1",
        "application_id": "app-g-1",
        "organisation_id": "org-1",
        "amount_pence": 800_000,
        "paid_pence": 0,
        "status": "active",
    }
    first, second = body["tranches"]
    assert {k: first[k] for k in ("number", "due_on", "amount_pence", "status", "held_reasons")} == {
        "number": 1,
        "due_on": AWARDED_AT.date().isoformat(),
        "amount_pence": 400_000,
        "status": "released",
        "held_reasons": [],
    }
    assert second["unmet_conditions"][0].startswith("previous_report_accepted")


def test_an_applicant_sees_only_its_own_organisations_grants(client: TestClient, two_grants: None) -> None:
    assert client.get("/grants/g-1", headers=APPLICANT).status_code == 200
    problem(client.get("/grants/g-2", headers=APPLICANT), 404, "grant-not-found")
    page = client.get("/grants", headers=OTHER_APPLICANT).json()
    assert [g["grant_id"] for g in page["items"]] == ["g-2"] and page["total"] == 1
    tranche = tranches_of(client, "g-2")[0]
    problem(client.get(f"/tranches/{tranche}", headers=APPLICANT), 404, "grant-not-found")
    problem(client.get("/grants", headers=bearer(Role.APPLICANT, subject="nobody")), 403, "no-organisation")


def tranches_of(client: TestClient, grant_id: str) -> list[str]:
    """The tranche ids of a grant, read as an operator."""
    return [t["tranche_id"] for t in client.get(f"/grants/{grant_id}", headers=OPERATOR).json()["tranches"]]


def test_grants_are_paginated(client: TestClient, two_grants: None) -> None:
    page = client.get("/grants", params={"limit": 1, "offset": 1}, headers=OPERATOR).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (2, 1, 1, 1)
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": "ten"}, {"status": "paid"}):
        problem(client.get("/grants", params=params, headers=OPERATOR), 422, "validation-error")


def test_reads_need_a_valid_token_and_a_suitable_role(client: TestClient, two_grants: None) -> None:
    problem(client.get("/grants/g-1"), 401, "unauthenticated")
    problem(client.get("/grants/g-1", headers={"Authorization": "Bearer not-a-token"}), 401, "invalid-token")
    problem(client.get("/grants/g-1", headers=INTEGRATOR), 403, "forbidden")
    problem(client.get("/instructions", headers=ASSESSOR), 403, "forbidden")
    problem(client.get("/ledger/balances", headers=APPLICANT), 403, "forbidden")
    problem(client.get("/ledger/check", headers=APPLICANT), 403, "forbidden")
    problem(client.get("/grants/nope", headers=OPERATOR), 404, "grant-not-found")
    problem(client.get("/tranches/nope", headers=OPERATOR), 404, "tranche-not-found")


def test_instructions_are_listed_by_status(client: TestClient, two_grants: None) -> None:
    page = client.get("/instructions", params={"status": "created"}, headers=OPERATOR).json()
    assert page["total"] == 2 and {i["grant_id"] for i in page["items"]} == {"g-1", "g-2"}
    assert client.get("/instructions", params={"status": "settled"}, headers=OPERATOR).json()["items"] == []
    problem(client.get("/instructions", params={"status": "lost"}, headers=OPERATOR), 422)
    problem(client.get("/instructions", params={"limit": 500}, headers=OPERATOR), 422)


def test_balances_as_of_a_moment(client: TestClient, two_grants: None) -> None:
    now = client.get("/ledger/balances", headers=OPERATOR).json()
    assert now["committed_pence"] == 1_700_000 and now["paid_pence"] == 0
    assert {b["account"]: b["balance_pence"] for b in now["balances"]}["grant:g-2:commitment"] == -900_000
    page = client.get("/ledger/balances", params={"limit": 1, "offset": 1}, headers=OPERATOR).json()
    assert page["total"] == 3 and page["balances"] == [now["balances"][1]] and page["committed_pence"] == 1_700_000
    just_before = (AWARDED_AT - timedelta(seconds=1)).isoformat()
    before = client.get("/ledger/balances", params={"as_of": just_before}, headers=OPERATOR).json()
    assert before["balances"] == [] and before["committed_pence"] == 0
    at_award = AWARDED_AT.replace(tzinfo=None).isoformat()  # naive: taken as UTC
    naive = client.get("/ledger/balances", params={"as_of": at_award}, headers=OPERATOR).json()
    assert naive["committed_pence"] == 1_700_000
    problem(client.get("/ledger/balances", params={"as_of": "yesterday"}, headers=OPERATOR), 422)
    problem(client.get("/ledger/balances", params={"as_of": "1024"}, headers=OPERATOR), 422)  # not seconds since 1970
    problem(client.get("/ledger/balances", params={"as_of": "9999-12-31T23:59:59-05:00"}, headers=OPERATOR), 422)
    assert len(tranches(bootstrap.sessions(), "g-2")) == 3


def test_a_misspelt_query_parameter_is_refused_not_ignored(client: TestClient, two_grants: None) -> None:
    body = problem(client.get("/grants", params={"stauts": "completed"}, headers=OPERATOR), 422, "validation-error")
    assert body["errors"] == [{"loc": ["query", "stauts"], "msg": "unknown query parameter", "type": "extra_forbidden"}]
    assert client.get("/grants", params={"status": "completed", "limit": 5}, headers=OPERATOR).status_code == 200


def test_a_filter_given_twice_is_refused_not_reduced_to_the_last(client: TestClient, two_grants: None) -> None:
    doubled = client.get("/instructions?grant_id=g-1&grant_id=g-2", headers=OPERATOR)
    body = problem(doubled, 422, "validation-error")
    assert body["errors"] == [{"loc": ["query", "grant_id"], "msg": "given more than once", "type": "repeated"}]
    assert client.get("/instructions?grant_id=g-1", headers=OPERATOR).status_code == 200
