"""Partnership membership: joining and leaving re-evaluate the rules and announce PartnershipChanged."""

from typing import Any

from fastapi.testclient import TestClient

from .conftest import Applicant
from .kit import JOINED, OPERATOR, application_body, members, outbox_events


def last_change(sessions: Any) -> dict[str, Any]:
    stream, envelope = outbox_events(sessions)[-1]
    assert stream == "grants.applications.partnership-changed.v1"
    return dict(envelope["payload"])


def test_forming_a_partnership_reports_compliance_and_announces_it(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    p = applicant.partnership
    assert [o["rule"] for o in p["outcomes"]] == ["partnership_min_members", "partnership_resident_share"]
    assert all(o["passed"] for o in p["outcomes"]) and len(p["members"]) == 8
    change = last_change(sessions)
    assert change["partnership_id"] == p["id"] and change["compliant"] is True and change["member_count"] == 8


def test_a_resident_leaving_breaks_compliance_and_a_new_one_restores_it(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    pid, h = applicant.partnership["id"], applicant.headers
    resident = applicant.partnership["members"][0]
    left = client.post(f"/partnerships/{pid}/members/{resident['id']}/leave", json={"left_on": "2024-06-30"}, headers=h)
    assert left.status_code == 200, left.text
    body = left.json()
    assert (body["compliant"], body["member_count"], body["resident_count"]) == (False, 7, 3)
    gone = next(m for m in body["members"] if m["id"] == resident["id"])
    assert gone["current"] is False and gone["left_on"] == "2024-06-30"
    assert last_change(sessions)["compliant"] is False

    joined = client.post(
        f"/partnerships/{pid}/members", json={"name": "New", "resident": True, "joined_on": JOINED}, headers=h
    )
    assert joined.status_code == 200 and joined.json()["compliant"] is True and joined.json()["resident_count"] == 4
    assert last_change(sessions)["compliant"] is True
    assert client.get(f"/partnerships/{pid}", headers=OPERATOR).json() == joined.json()


def test_a_partnership_short_of_residents_is_formed_but_not_compliant(client: TestClient, applicant: Applicant) -> None:
    body = {
        "organisation_id": applicant.org_id,
        "name": "Mostly outsiders",
        "neighbourhood_code": applicant.ward,
        "members": members(total=8, residents=3),
    }
    p = client.post("/partnerships", json=body, headers=applicant.headers).json()
    assert p["compliant"] is False
    assert [o["passed"] for o in p["outcomes"]] == [True, False]
    assert "3 of 8" in p["outcomes"][1]["detail"]


def test_an_application_of_a_non_compliant_partnership_is_ineligible(client: TestClient, applicant: Applicant) -> None:
    body = {
        "organisation_id": applicant.org_id,
        "name": "Too few",
        "neighbourhood_code": applicant.ward,
        "members": members(total=5, residents=5),
    }
    p = client.post("/partnerships", json=body, headers=applicant.headers).json()
    app = client.post("/applications", json=application_body(p["id"]), headers=applicant.headers).json()
    result = client.post(f"/applications/{app['id']}/submit", headers=applicant.headers).json()
    assert result["status"] == "ineligible"
    assert [o["rule"] for o in result["assessment"]["outcomes"] if not o["passed"]] == ["partnership_min_members"]
