"""Bad input on every route: a clear 4xx problem+json, and nothing written (not even an outbox or audit row)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import Applicant
from .kit import JOINED, OPERATOR, application_body, counts, members, organisation_body

Case = tuple[str, str, Any, int]


def refused(client: TestClient, sessions: Any, headers: dict[str, str], cases: list[Case]) -> None:
    """Each request gets its status as problem+json, and every table keeps its row count."""
    for method, path, body, status in cases:
        before = counts(sessions)
        kwargs: dict[str, Any] = {"headers": headers}
        if isinstance(body, str | bytes):
            kwargs["content"] = body
            kwargs["headers"] = {**headers, "Content-Type": "application/json"}
        elif body is not None:
            kwargs["json"] = body
        response = client.request(method, path, **kwargs)
        where = f"{method} {path} {body!r}: {response.status_code} {response.text[:300]}"
        assert response.status_code == status, where
        assert response.headers["content-type"].startswith("application/problem+json"), where
        problem = response.json()
        assert problem["status"] == status and problem["code"] and problem["title"], where
        assert counts(sessions) == before, where


@pytest.fixture
def world(client: TestClient, applicant: Applicant) -> dict[str, Any]:
    """A draft, a submitted application and a member who already left."""
    h, pid = applicant.headers, applicant.partnership["id"]
    draft = client.post("/applications", json=application_body(pid), headers=h).json()
    submitted = client.post("/applications", json=application_body(pid), headers=h).json()
    client.post(f"/applications/{submitted['id']}/submit", headers=h)
    member = applicant.partnership["members"][0]["id"]
    left = client.post(f"/partnerships/{pid}/members/{member}/leave", json={"left_on": JOINED}, headers=h)
    assert left.status_code == 200
    return {"draft": draft["id"], "submitted": submitted["id"], "left": member, "pid": pid, "headers": h}


def test_registry_and_audit_routes_refuse_bad_queries(client: TestClient, sessions: Any) -> None:
    refused(
        client,
        sessions,
        OPERATOR,
        [
            ("GET", "/neighbourhoods?limit=0", None, 422),
            ("GET", "/neighbourhoods?limit=201", None, 422),
            ("GET", "/neighbourhoods?offset=-1", None, 422),
            ("GET", "/neighbourhoods?imd_decile=11", None, 422),
            ("GET", "/neighbourhoods?left_behind=perhaps", None, 422),
            ("GET", "/neighbourhoods/NOPE0001", None, 404),
            ("GET", "/registry/vintages?limit=500", None, 422),
            ("GET", "/audit?limit=0", None, 422),
            ("GET", "/audit?entity_type=" + "x" * 101, None, 422),
            ("GET", "/audit?entity_id=a%00b", None, 422),
            ("GET", "/neighbourhoods?offset=1000000000000", None, 422),
            ("GET", "/neighbourhoods?region=E12%00", None, 422),
            ("GET", "/neighbourhoods/SYN%000001", None, 422),
        ],
    )


def test_organisation_routes_refuse_bad_input(client: TestClient, sessions: Any) -> None:
    org = client.post("/organisations", json=organisation_body(1), headers=OPERATOR).json()
    good = organisation_body(2)
    refused(
        client,
        sessions,
        OPERATOR,
        [
            ("POST", "/organisations", {**good, "name": ""}, 422),
            ("POST", "/organisations", {**good, "name": "Null\u0000Trust"}, 422),
            ("POST", "/organisations", {**good, "name": "Escape\u001b[2JTrust"}, 422),
            ("POST", "/organisations", {**good, "name": "Two\nLines Trust"}, 422),
            ("POST", "/organisations", {k: v for k, v in good.items() if k != "name"}, 422),
            ("POST", "/organisations", {**good, "org_id": "GB-XYZ-1234567"}, 422),
            ("POST", "/organisations", {**good, "org_id": "GB-CHC-12"}, 422),
            ("POST", "/organisations", {**good, "fund_holding": "yes"}, 422),
            ("POST", "/organisations", {**good, "due_diligence": "done"}, 422),
            ("POST", "/organisations", {**good, "id": "chosen-by-client"}, 422),
            ("POST", "/organisations", {**good, "org_id": organisation_body(1)["org_id"]}, 409),
            ("POST", "/organisations", "{not json", 422),
            ("POST", "/organisations", [good], 422),
            ("POST", "/organisations", {**good, "name": "x" * 300_000}, 413),
            ("PATCH", f"/organisations/{org['id']}", {}, 422),
            ("PATCH", f"/organisations/{org['id']}", {"due_diligence": "maybe"}, 422),
            ("PATCH", "/organisations/no-such-id", {"due_diligence": "passed"}, 404),
            ("GET", "/organisations/no-such-id", None, 404),
        ],
    )


def test_partnership_routes_refuse_bad_input(
    client: TestClient, sessions: Any, world: dict[str, Any], applicant: Applicant
) -> None:
    pid, member = world["pid"], applicant.partnership["members"][1]["id"]
    good = {
        "organisation_id": applicant.org_id,
        "name": "Second",
        "neighbourhood_code": applicant.ward,
        "members": members(),
    }
    refused(
        client,
        sessions,
        world["headers"],
        [
            ("POST", "/partnerships", {**good, "neighbourhood_code": "NOWHERE"}, 422),
            ("POST", "/partnerships", {**good, "members": [{"name": "A", "joined_on": JOINED}]}, 422),
            (
                "POST",
                "/partnerships",
                {**good, "members": [{"name": "A", "resident": True, "joined_on": "2999-01-01"}]},
                422,
            ),
            ("POST", "/partnerships", {**good, "members": members(501)}, 422),
            ("POST", "/partnerships", {**good, "compliant": True}, 422),
            ("POST", "/partnerships", {**good, "name": "   "}, 422),
            ("POST", f"/partnerships/{pid}/members", {"name": "B", "resident": "true", "joined_on": JOINED}, 422),
            ("POST", f"/partnerships/{pid}/members", {"name": "B", "resident": True, "joined_on": "15/01/2024"}, 422),
            ("POST", "/partnerships/no-such-id/members", {"name": "B", "resident": True, "joined_on": JOINED}, 404),
            ("POST", f"/partnerships/{pid}/members/{member}/leave", {"left_on": "2000-01-01"}, 422),
            ("POST", f"/partnerships/{pid}/members/{member}/leave", {}, 422),
            ("POST", f"/partnerships/{pid}/members/no-such-member/leave", {"left_on": JOINED}, 404),
            ("POST", f"/partnerships/{pid}/members/{world['left']}/leave", {"left_on": JOINED}, 409),
            ("GET", "/partnerships/no-such-id", None, 404),
        ],
    )
    refused(client, sessions, OPERATOR, [("POST", "/partnerships", {**good, "organisation_id": "no-such-org"}, 404)])


def test_application_routes_refuse_bad_input(client: TestClient, sessions: Any, world: dict[str, Any]) -> None:
    good, draft, submitted = application_body(world["pid"]), world["draft"], world["submitted"]
    refused(
        client,
        sessions,
        world["headers"],
        [
            ("POST", "/applications", {**good, "requested_pence": 150_000_000.0}, 422),
            ("POST", "/applications", {**good, "requested_pence": "150000000"}, 422),
            ("POST", "/applications", {**good, "requested_pence": -1}, 422),
            ("POST", "/applications", {**good, "requested_pence": 10**19}, 422),
            ("POST", "/applications", {**good, "duration_months": 120.5}, 422),
            ("POST", "/applications", {**good, "themes": ["football"]}, 422),
            ("POST", "/applications", {**good, "themes": []}, 422),
            ("POST", "/applications", {**good, "themes": ["youth", "youth"]}, 422),
            ("POST", "/applications", {**good, "summary": ""}, 422),
            ("POST", "/applications", {**good, "status": "eligible"}, 422),
            ("POST", "/applications", {**good, "organisation_id": "someone-else"}, 422),
            ("POST", "/applications", {**good, "partnership_id": "no-such-partnership"}, 404),
            ("PATCH", f"/applications/{draft}", {}, 422),
            ("PATCH", f"/applications/{draft}", {"status": "eligible"}, 422),
            ("PATCH", f"/applications/{draft}", {"summary": None}, 422),
            ("PATCH", f"/applications/{draft}", {"awarded_pence": 1}, 422),
            ("PATCH", f"/applications/{submitted}", {"summary": "new"}, 409),
            ("PATCH", "/applications/no-such-id", {"summary": "new"}, 404),
            ("POST", f"/applications/{submitted}/submit", None, 409),
            ("POST", "/applications/no-such-id/submit", None, 404),
            ("POST", f"/applications/{draft}/withdraw", {}, 422),
            ("POST", f"/applications/{draft}/withdraw", {"reason": " "}, 422),
            ("POST", "/applications/no-such-id/withdraw", {"reason": "r"}, 404),
            ("GET", "/applications?status=awarded", None, 422),
            ("GET", "/applications?limit=1000", None, 422),
            ("GET", "/applications/no-such-id", None, 404),
            ("GET", "/applications/a%00b", None, 422),
            ("POST", "/applications", {**good, "summary": "bad\u0000byte"}, 422),
            ("POST", "/applications", {**good, "summary": "bad\u009bbyte"}, 422),
            ("POST", "/applications", {**good, "partnership_id": "x\u0000"}, 422),
        ],
    )
