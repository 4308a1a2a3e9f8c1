"""Bad input is a 4xx problem with nothing written; roles and organisations limit who sees and does what."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Role
from reporting.adapters.orm import ImpactReport, ReportIndicator

from .conftest import APPLICANT, ASSESSOR, FINANCE, OPERATOR, OTHER_APPLICANT, auth, problem
from .story import count
from .test_reports_api import OUTCOMES, awarded_grant, report_body

BAD_REPORTS: dict[str, dict[str, Any]] = {
    "period zero": report_body(period=0),
    "period as text": report_body(period="one"),
    "period as float": report_body(period=1.5),
    "negative outcome": report_body(outcomes={**OUTCOMES, "places_to_meet": -1}),
    "fractional outcome": report_body(outcomes={**OUTCOMES, "volunteering_hours": 2.5}),
    "unknown outcome": report_body(outcomes={**OUTCOMES, "happiness": 3}),
    "narrative too long": report_body(narrative="x" * 20_001),
    "empty narrative": report_body(narrative=""),
    "client sets status": report_body(status="accepted"),
    "client sets reviewer": report_body(reviewed_by="asha"),
    "missing grant": {k: v for k, v in report_body().items() if k != "grant_id"},
    "outcomes not an object": report_body(outcomes=[1, 2]),
    "NUL in narrative": report_body(narrative="A hub\x00"),  # PostgreSQL text cannot hold it: a 422, never a 500
    "narrative only spaces": report_body(narrative="   \n "),
    "control character in grant id": report_body(grant_id="grant-1\x07"),
    "escape in narrative": report_body(narrative="A hub\x1b[2J"),
    "C1 control in narrative": report_body(narrative="A hub\x9b"),
    "line break in grant id": report_body(grant_id="grant-1\n"),
}


def nothing_written(sessions: sessionmaker[Session]) -> None:
    for table in (ImpactReport, ReportIndicator, tables.outbox, tables.audit_log, tables.idempotency_keys):
        assert count(sessions, table) == 0, table


def test_a_bad_report_is_refused_and_nothing_written(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    for case, body in BAD_REPORTS.items():  # one database for every case keeps the PostgreSQL run quick
        response = client.post("/reports", json=body, headers={**APPLICANT, "Idempotency-Key": "k1"})
        assert response.status_code == 422, case
        problem(response, 422, "validation-error")
    nothing_written(sessions)


def test_malformed_json_and_oversized_bodies_are_problems(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    problem(
        client.post("/reports", content=b"{not json", headers={**APPLICANT, "content-type": "application/json"}), 422
    )
    problem(client.post("/reports", json=report_body(narrative="x" * 300_000), headers=APPLICANT), 413)
    nothing_written(sessions)


def test_an_unknown_grant_and_another_organisations_grant_are_both_not_found(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    awarded_grant(sessions)
    problem(client.post("/reports", json=report_body(grant_id="grant-404"), headers=APPLICANT), 404, "grant-not-found")
    problem(client.post("/reports", json=report_body(), headers=OTHER_APPLICANT), 404, "grant-not-found")
    no_org = auth(Role.APPLICANT, subject="nobody")
    problem(client.post("/reports", json=report_body(), headers=no_org), 404, "grant-not-found")
    nothing_written(sessions)


def test_another_organisation_cannot_see_a_report_or_a_timeline(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    awarded_grant(sessions)
    report = client.post("/reports", json=report_body(), headers=APPLICANT).json()
    problem(client.get(f"/reports/{report['id']}", headers=OTHER_APPLICANT), 404, "report-not-found")
    assert client.get("/reports", params={"grant_id": "grant-1"}, headers=OTHER_APPLICANT).json()["total"] == 0
    assert client.get("/reports", headers=APPLICANT).json()["total"] == 1
    problem(client.get("/grants/grant-1/timeline", headers=OTHER_APPLICANT), 404, "grant-not-found")
    problem(client.get("/grants/grant-1", headers=OTHER_APPLICANT), 404, "grant-not-found")
    assert client.get("/grants/grant-1", headers=APPLICANT).json()["paid_pence"] == 37_500_000


ROLE_CASES = [
    ("post", "/reports", FINANCE, 403),
    ("post", "/reports", ASSESSOR, 403),
    ("post", "/reports", None, 401),
    ("post", "/reports/r1/accept", APPLICANT, 403),
    ("post", "/reports/r1/accept", OPERATOR, 403),
    ("post", "/reports/r1/request-changes", APPLICANT, 403),
    ("get", "/fund/position", APPLICANT, 403),
    ("get", "/fund/position", None, 401),
    ("get", "/outcomes", APPLICANT, 403),
    ("get", "/reports", None, 401),
    ("get", "/grants/grant-1/timeline", None, 401),
]


def test_roles_are_enforced(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    for method, path, headers, status in ROLE_CASES:
        body = {"reasons": ["x"]} if path.endswith("request-changes") else report_body()
        response = client.request(method, path, json=body if method == "post" else None, headers=headers or {})
        assert response.status_code == status, (method, path, headers, response.text)
        problem(response, status)
    problem(client.get("/reports", headers={"Authorization": "Bearer not.a.token"}), 401, "invalid-token")
    nothing_written(sessions)


def test_list_pages_are_bounded(client: TestClient) -> None:
    for path, params in [
        ("/reports", {"limit": 201}),
        ("/reports", {"offset": -1}),
        ("/reports", {"status": "lost"}),
        ("/grants/grant-1/timeline", {"limit": 0}),
        ("/fund/position", {"as_of": "yesterday"}),
        ("/fund/position", {"as_of": "0"}),
        ("/dashboard", {"as_of": "1024"}),  # not 1970
        ("/fund/position", {"as_of": "2026-08-01T00:00:00"}),
        ("/dashboard", {"colour": "red"}),
    ]:
        problem(client.get(path, params=params, headers=ASSESSOR), 422)


def test_unknown_or_repeated_query_parameters_are_refused(client: TestClient) -> None:
    for path, params, expected in [
        ("/reports", {"grant": "grant-1"}, ("grant", "extra_forbidden")),
        ("/reports", [("grant_id", "a"), ("grant_id", "b")], ("grant_id", "repeated")),
        ("/fund/position", {"asof": "2026-08-01"}, ("asof", "extra_forbidden")),
    ]:
        body = problem(
            client.get(path, params=params, headers=FINANCE if path.startswith("/fund") else ASSESSOR),
            422,
            "validation-error",
        )
        assert [(e["loc"][-1], e["type"]) for e in body["errors"]] == [expected], (path, params)


def test_reviewing_an_unknown_report_or_with_bad_reasons_is_refused(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    awarded_grant(sessions)
    problem(client.post("/reports/nope/accept", headers=ASSESSOR), 404, "report-not-found")
    report = client.post("/reports", json=report_body(), headers=APPLICANT).json()
    for bad in (
        {"reasons": []},
        {"reasons": [""]},
        {"reasons": "fix it"},
        {},
        {"reasons": ["x"], "status": "x"},
        {"reasons": ["fix\x00"]},
        {"reasons": ["fix\x7f"]},
    ):
        problem(client.post(f"/reports/{report['id']}/request-changes", json=bad, headers=ASSESSOR), 422)
    assert client.get(f"/reports/{report['id']}", headers=ASSESSOR).json()["status"] == "submitted"
