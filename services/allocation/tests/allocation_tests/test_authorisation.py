"""Who may call what: no token is 401, a wrong role is 403, applicants see only their own decisions."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import written
from allocation_tests.kit import ROUND, bearer
from allocation_tests.seed import assessed, deliver, need
from grants_shared.auth import Role

ROUTES = [
    ("POST", "/rounds", ROUND),
    ("GET", "/rounds", None),
    ("GET", "/rounds/r1", None),
    ("GET", "/rounds/r1/runs", None),
    ("POST", "/rounds/r1/close", None),
    ("POST", "/rounds/r1/runs", {"mode": "simulate"}),
    ("GET", "/runs/x1", None),
    ("GET", "/runs/x1/decisions", None),
    ("POST", "/runs/x1/verify", None),
    ("GET", "/runs/diff?a=x1&b=x2", None),
    ("GET", "/applications/a1/decision", None),
    ("GET", "/pool", None),
    ("GET", "/registry", None),
]
OPERATOR_ONLY = [r for r in ROUTES if r[0] == "POST" and not r[1].endswith("/verify")]


def test_every_route_needs_a_valid_token(client: TestClient, sessions: sessionmaker[Session]) -> None:
    for method, path, body in ROUTES:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert set(written(sessions).values()) == {0}


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER])
def test_roles_outside_allocation_are_forbidden(
    client: TestClient, sessions: sessionmaker[Session], role: Role
) -> None:
    for method, path, body in ROUTES:
        if role == Role.APPLICANT and path.startswith("/applications/"):
            continue  # applicants may ask about their own application (below)
        response = client.request(method, path, json=body, headers=bearer(role, organisation_id="org-1"))
        assert response.status_code == 403 and response.json()["code"] == "forbidden", (method, path)
    assert set(written(sessions).values()) == {0}


@pytest.mark.parametrize("role", [Role.ASSESSOR, Role.INTEGRATOR])
def test_readers_may_read_but_not_open_close_or_run(
    client: TestClient, sessions: sessionmaker[Session], role: Role
) -> None:
    for method, path, body in OPERATOR_ONLY:
        assert client.request(method, path, json=body, headers=bearer(role)).status_code == 403, path
    assert client.get("/rounds", headers=bearer(role)).status_code == 200
    assert set(written(sessions).values()) == {0}


def test_an_applicant_sees_only_its_own_organisations_decision(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    deliver(sessions, assessed("mine", need(1), organisation_id="org-1"))
    deliver(sessions, assessed("theirs", need(2), organisation_id="org-2"))
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    assert client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator).status_code == 201
    applicant = bearer(Role.APPLICANT, subject="chair", organisation_id="org-1")
    own = client.get("/applications/mine/decision", headers=applicant)
    assert own.status_code == 200 and own.json()["awarded"] is True
    other = client.get("/applications/theirs/decision", headers=applicant)
    assert other.status_code == 404 and other.json()["code"] == "decision-not-found"
    orphan = client.get("/applications/theirs/decision", headers=bearer(Role.APPLICANT))  # no organisation
    assert orphan.status_code == 404
