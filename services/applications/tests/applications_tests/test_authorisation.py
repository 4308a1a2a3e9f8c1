"""Authorisation: no token 401, wrong role 403, another organisation's objects 404, and nothing written."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings

from .conftest import Applicant, make_applicant
from .kit import ASSESSOR, JOINED, OPERATOR, application_body, auth, counts, members, organisation_body


def routes(a: Applicant, app_id: str) -> list[tuple[str, str, Any]]:
    """Every route with an id of `a`'s organisation and a valid body."""
    pid, mid = a.partnership["id"], a.partnership["members"][0]["id"]
    return [
        ("GET", f"/organisations/{a.org_id}", None),
        ("GET", f"/partnerships/{pid}", None),
        ("POST", f"/partnerships/{pid}/members", {"name": "N", "resident": True, "joined_on": JOINED}),
        ("POST", f"/partnerships/{pid}/members/{mid}/leave", {"left_on": JOINED}),
        ("POST", "/applications", application_body(pid)),
        ("GET", f"/applications/{app_id}", None),
        ("PATCH", f"/applications/{app_id}", {"summary": "mine now"}),
        ("POST", f"/applications/{app_id}/submit", None),
        ("POST", f"/applications/{app_id}/withdraw", {"reason": "not yours"}),
    ]


def test_another_organisations_ids_are_not_found(
    client: TestClient, applicant: Applicant, registry: Any, sessions: Any
) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    intruder = make_applicant(client, registry, n=2)
    before = counts(sessions)
    for method, path, body in routes(applicant, app["id"]):
        response = client.request(method, path, json=body, headers=intruder.headers)
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert counts(sessions) == before
    assert client.get(f"/applications/{app['id']}", headers=applicant.headers).json()["summary"] != "mine now"


def test_an_applicant_cannot_form_a_partnership_for_another_organisation(
    client: TestClient, applicant: Applicant, registry: Any, sessions: Any
) -> None:
    intruder = make_applicant(client, registry, n=2)
    body = {
        "organisation_id": applicant.org_id,
        "name": "Takeover",
        "neighbourhood_code": applicant.ward,
        "members": members(),
    }
    before = counts(sessions)
    assert client.post("/partnerships", json=body, headers=intruder.headers).status_code == 403
    assert counts(sessions) == before


def test_wrong_roles_are_forbidden(client: TestClient, applicant: Applicant, sessions: Any) -> None:
    finance = auth(Role.FINANCE_OFFICER, subject="finance-1")
    cases = [
        (applicant.headers, "POST", "/organisations", organisation_body(9)),
        (ASSESSOR, "POST", "/organisations", organisation_body(9)),
        (applicant.headers, "PATCH", f"/organisations/{applicant.org_id}", {"due_diligence": "passed"}),
        (applicant.headers, "GET", "/audit", None),
        (ASSESSOR, "GET", "/audit", None),
        (ASSESSOR, "POST", "/applications", application_body(applicant.partnership["id"])),
        (
            ASSESSOR,
            "POST",
            f"/partnerships/{applicant.partnership['id']}/members",
            {"name": "N", "resident": True, "joined_on": JOINED},
        ),
        (finance, "GET", "/applications", None),
        (finance, "GET", f"/partnerships/{applicant.partnership['id']}", None),
    ]
    before = counts(sessions)
    for headers, method, path, body in cases:
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, f"{method} {path}: {response.status_code}"
        assert response.json()["code"] == "forbidden"
    assert counts(sessions) == before


def test_requests_without_a_valid_token_are_unauthenticated(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    settings = PlatformSettings()
    expired = mint_token(settings, subject="x", roles=[Role.OPERATOR], ttl=timedelta(seconds=-60))
    forged = mint_token(
        PlatformSettings(jwt_secret="another-secret-another-secret-0123456789"), subject="x", roles=[Role.OPERATOR]
    )
    before = counts(sessions)
    for headers in (
        {},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": "Basic b3A6b3A="},
    ):
        for method, path, body in [
            ("GET", "/neighbourhoods", None),
            ("POST", "/organisations", organisation_body(5)),
            *routes(applicant, "any"),
        ]:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, f"{method} {path} {headers}: {response.status_code}"
    assert counts(sessions) == before


def test_every_role_reads_the_registry_and_health_needs_no_token(client: TestClient) -> None:
    for role in Role:
        assert client.get("/neighbourhoods?limit=1", headers=auth(role)).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"


def test_operators_and_assessors_read_any_organisation(client: TestClient, applicant: Applicant) -> None:
    for headers in (OPERATOR, ASSESSOR, applicant.headers):
        assert client.get(f"/organisations/{applicant.org_id}", headers=headers).json()["id"] == applicant.org_id
        assert client.get(f"/partnerships/{applicant.partnership['id']}", headers=headers).status_code == 200
