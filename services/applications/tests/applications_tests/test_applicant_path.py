"""The whole applicant path through the API on a synthetic registry: register, form, draft, submit, withdraw."""

from typing import Any

from fastapi.testclient import TestClient

from .conftest import Applicant, make_applicant
from .kit import ASSESSOR, OPERATOR, application_body, outbox_events

RULES = [
    "partnership_min_members",
    "partnership_resident_share",
    "one_live_application_per_neighbourhood",
    "requested_amount_in_range",
    "duration_in_range",
    "organisation_due_diligence_passed",
    "neighbourhood_left_behind",
]


def test_an_applicant_drafts_submits_and_is_found_eligible(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    assert applicant.partnership["compliant"] is True
    assert applicant.partnership["member_count"] == 8 and applicant.partnership["resident_count"] == 4
    created = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    )
    assert created.status_code == 201, created.text
    app = created.json()
    assert (app["status"], app["version"], app["organisation_id"]) == ("draft", 0, applicant.org_id)
    assert app["neighbourhood_code"] == applicant.ward and app["assessment"] is None and app["decision"] is None

    patched = client.patch(f"/applications/{app['id']}", json={"duration_months": 180}, headers=applicant.headers)
    assert patched.status_code == 200 and patched.json()["duration_months"] == 180

    submitted = client.post(f"/applications/{app['id']}/submit", headers=applicant.headers)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert (body["status"], body["version"]) == ("eligible", 1)
    assert body["assessment"]["eligible"] is True
    assert [o["rule"] for o in body["assessment"]["outcomes"]] == RULES
    assert body["assessment"]["rules_version"] == "cwf-governance-v1"

    streams = [s.split(".")[2] for s, _ in outbox_events(sessions)]
    assert streams[-2:] == ["application-submitted", "application-assessed"]
    _, assessed = outbox_events(sessions)[-1]
    need = assessed["payload"]["neighbourhood"]
    assert need["code"] == applicant.ward and need["left_behind"] is True and need["synthetic"] is True
    assert need["vintage"] == "synthetic-seed0-wards60" and assessed["subject"] == app["id"]

    seen = client.get(f"/applications/{app['id']}", headers=ASSESSOR).json()
    assert seen["status"] == "eligible" and seen["decision"] is None and seen["requested_pence"] == 150_000_000


def test_a_submitted_application_is_immutable(client: TestClient, applicant: Applicant) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    client.post(f"/applications/{app['id']}/submit", headers=applicant.headers)
    patched = client.patch(f"/applications/{app['id']}", json={"summary": "changed"}, headers=applicant.headers)
    assert patched.status_code == 409 and patched.json()["code"] == "application-not-draft"
    again = client.post(f"/applications/{app['id']}/submit", headers=applicant.headers)
    assert again.status_code == 409 and "only a draft" in again.json()["detail"]
    assert client.get(f"/applications/{app['id']}", headers=OPERATOR).json()["summary"] != "changed"


def test_an_ineligible_application_says_which_rules_failed(client: TestClient, registry: Any) -> None:
    not_left_behind = next(w.code for w in registry.wards if not w.left_behind)
    a = make_applicant(client, registry, n=2, ward=not_left_behind)
    body = application_body(a.partnership["id"], requested_pence=99_999_999, duration_months=125)
    app = client.post("/applications", json=body, headers=a.headers).json()
    result = client.post(f"/applications/{app['id']}/submit", headers=a.headers).json()
    assert result["status"] == "ineligible" and result["assessment"]["eligible"] is False
    failed = {o["rule"] for o in result["assessment"]["outcomes"] if not o["passed"]}
    assert failed == {"requested_amount_in_range", "duration_in_range", "neighbourhood_left_behind"}


def test_a_neighbourhood_has_one_live_application_until_it_is_withdrawn(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    pid = applicant.partnership["id"]
    first = client.post("/applications", json=application_body(pid), headers=applicant.headers).json()
    second = client.post("/applications", json=application_body(pid), headers=applicant.headers).json()
    assert client.post(f"/applications/{first['id']}/submit", headers=applicant.headers).json()["status"] == "eligible"
    clash = client.post(f"/applications/{second['id']}/submit", headers=applicant.headers).json()
    assert clash["status"] == "ineligible"
    outcome = next(o for o in clash["assessment"]["outcomes"] if o["rule"] == "one_live_application_per_neighbourhood")
    assert outcome["passed"] is False and first["id"] in outcome["detail"]

    withdrawn = client.post(
        f"/applications/{first['id']}/withdraw", json={"reason": "merging with a neighbour"}, headers=applicant.headers
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    stream, envelope = outbox_events(sessions)[-1]
    assert stream == "grants.applications.application-withdrawn.v1"
    assert envelope["payload"]["reason"] == "merging with a neighbour"
    twice = client.post(f"/applications/{first['id']}/withdraw", json={"reason": "again"}, headers=applicant.headers)
    assert twice.status_code == 409 and twice.json()["detail"] == "the application is already withdrawn"

    third = client.post("/applications", json=application_body(pid), headers=applicant.headers).json()
    assert client.post(f"/applications/{third['id']}/submit", headers=applicant.headers).json()["status"] == "eligible"


def test_withdrawing_a_draft_announces_nothing(client: TestClient, applicant: Applicant, sessions: Any) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    before = len(outbox_events(sessions))
    done = client.post(f"/applications/{app['id']}/withdraw", json={"reason": "not ready"}, headers=applicant.headers)
    assert done.json()["status"] == "withdrawn" and len(outbox_events(sessions)) == before


def test_applicants_list_only_their_own_applications(client: TestClient, applicant: Applicant, registry: Any) -> None:
    other = make_applicant(client, registry, n=2)
    mine = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    client.post("/applications", json=application_body(other.partnership["id"]), headers=other.headers)
    listed = client.get("/applications", headers=applicant.headers).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]] and listed["total"] == 1
    everything = client.get("/applications?status=draft&limit=1", headers=OPERATOR).json()
    assert everything["total"] == 2 and len(everything["items"]) == 1 and everything["limit"] == 1
    assert client.get("/applications?status=eligible", headers=ASSESSOR).json()["total"] == 0


def test_every_change_is_audited(client: TestClient, applicant: Applicant) -> None:
    app = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    ).json()
    client.post(f"/applications/{app['id']}/submit", headers=applicant.headers)
    audit = client.get(f"/audit?entity_type=application&entity_id={app['id']}", headers=OPERATOR).json()
    actions = [a["action"] for a in audit["items"]]
    assert actions == ["application.created", "application.submitted", "application.assessed"]
    submitted = audit["items"][1]
    assert submitted["actor"] == "applicant-1"
    assert (submitted["before"]["status"], submitted["after"]["status"]) == ("draft", "submitted")
    partnership_audit = client.get(f"/audit?entity_id={applicant.partnership['id']}", headers=OPERATOR).json()
    assert partnership_audit["items"][0]["action"] == "partnership.created"
