"""A partnership change re-assesses its applications, in the transaction that announces the change."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from .conftest import Applicant, make_applicant
from .kit import JOINED, OPERATOR, application_body, counts, outbox_events
from .test_decisions import decided, deliver

CHANGED = "grants.applications.partnership-changed.v1"
ASSESSED = "grants.applications.application-assessed.v1"


def submit(client: TestClient, a: Applicant, **changes: Any) -> dict[str, Any]:
    draft = client.post("/applications", json=application_body(a.partnership["id"], **changes), headers=a.headers)
    done = client.post(f"/applications/{draft.json()['id']}/submit", headers=a.headers)
    assert done.status_code == 200, done.text
    return dict(done.json())


def leave(client: TestClient, a: Applicant, member: int = 0) -> dict[str, Any]:
    mid = a.partnership["members"][member]["id"]
    path = f"/partnerships/{a.partnership['id']}/members/{mid}/leave"
    response = client.post(path, json={"left_on": JOINED}, headers=a.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def join(client: TestClient, a: Applicant, resident: bool = True) -> dict[str, Any]:
    body = {"name": "New member", "resident": resident, "joined_on": JOINED}
    response = client.post(f"/partnerships/{a.partnership['id']}/members", json=body, headers=a.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def assessment(client: TestClient, a: Applicant, app_id: str) -> tuple[str, dict[str, Any]]:
    body = client.get(f"/applications/{app_id}", headers=a.headers).json()
    return body["status"], body["assessment"]


def failed(assessed: dict[str, Any]) -> list[str]:
    return [o["rule"] for o in assessed["outcomes"] if not o["passed"]]


def streams_since(sessions: Any, start: int) -> list[tuple[str, dict[str, Any]]]:
    return [(s, e["payload"]) for s, e in outbox_events(sessions)[start:]]


def test_an_eligible_application_turns_ineligible_and_back_with_its_partnership(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    app = submit(client, applicant)
    assert app["status"] == "eligible" and app["assessment"]["sequence"] == 1
    start = len(outbox_events(sessions))
    assert leave(client, applicant)["compliant"] is False
    status, assessed = assessment(client, applicant, app["id"])
    assert status == "ineligible" and failed(assessed) == ["partnership_min_members", "partnership_resident_share"]
    assert (assessed["version"], assessed["sequence"], assessed["trigger"]) == (1, 2, "partnership_changed")
    [(s1, change), (s2, reassessed)] = streams_since(sessions, start)
    assert (s1, s2) == (CHANGED, ASSESSED) and change["compliant"] is False
    assert reassessed["application_id"] == app["id"] and reassessed["eligible"] is False
    start = len(outbox_events(sessions))
    assert join(client, applicant)["compliant"] is True
    status, assessed = assessment(client, applicant, app["id"])
    assert status == "eligible" and failed(assessed) == [] and assessed["sequence"] == 3
    assert [(s, p.get("eligible")) for s, p in streams_since(sessions, start)] == [(CHANGED, None), (ASSESSED, True)]


def test_a_change_that_alters_no_rule_result_is_not_reassessed(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    app = submit(client, applicant)
    start = len(outbox_events(sessions))
    assert join(client, applicant, resident=True)["member_count"] == 9
    assert [s for s, _ in streams_since(sessions, start)] == [CHANGED]
    assert assessment(client, applicant, app["id"])[1]["sequence"] == 1


def test_an_application_ineligible_for_another_reason_stays_ineligible_with_true_reasons(
    client: TestClient, applicant: Applicant
) -> None:
    app = submit(client, applicant, requested_pence=300_000_000)
    assert failed(app["assessment"]) == ["requested_amount_in_range"]
    leave(client, applicant)
    status, assessed = assessment(client, applicant, app["id"])
    assert status == "ineligible" and "partnership_min_members" in failed(assessed)
    join(client, applicant)
    assert failed(assessment(client, applicant, app["id"])[1]) == ["requested_amount_in_range"]


def test_coming_back_into_compliance_respects_the_one_live_application_rule(
    client: TestClient, applicant: Applicant, registry: Any
) -> None:
    app = submit(client, applicant)
    leave(client, applicant)
    rival = make_applicant(client, registry, n=2, ward=applicant.ward)
    assert submit(client, rival)["status"] == "eligible", "the first application no longer holds the slot"
    join(client, applicant)
    status, assessed = assessment(client, applicant, app["id"])
    assert status == "ineligible" and failed(assessed) == ["one_live_application_per_neighbourhood"]


def test_drafts_withdrawn_and_awarded_applications_are_left_alone(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    h = applicant.headers
    draft = client.post("/applications", json=application_body(applicant.partnership["id"]), headers=h).json()
    withdrawn = submit(client, applicant)
    client.post(f"/applications/{withdrawn['id']}/withdraw", json={"reason": "changed our plans"}, headers=h)
    awarded = submit(client, applicant)
    assert awarded["status"] == "eligible"
    deliver(sessions, decided(awarded["id"], awarded=True))
    start = len(outbox_events(sessions))
    leave(client, applicant)
    assert [s for s, _ in streams_since(sessions, start)] == [CHANGED]
    for app_id, status in ((draft["id"], "draft"), (withdrawn["id"], "withdrawn"), (awarded["id"], "eligible")):
        assert assessment(client, applicant, app_id)[0] == status


def test_the_reassessment_is_audited_as_the_member_change_s_actor(client: TestClient, applicant: Applicant) -> None:
    app = submit(client, applicant)
    leave(client, applicant)
    query = f"/audit?entity_type=application&entity_id={app['id']}"
    actions = [(r["action"], r["actor"]) for r in client.get(query, headers=OPERATOR).json()["items"]]
    assert actions[-1] == ("application.reassessed", "applicant-1")
    assert actions[-2] == ("application.assessed", "applicant-1")


@pytest.fixture
def failing_reassessment(migrated: str) -> Any:
    """A database trigger refusing re-assessment rows, to show the membership change is undone with them."""
    engine = create_engine(migrated)
    with engine.begin() as c:
        if engine.dialect.name == "sqlite":
            c.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON assessments WHEN NEW.trigger = 'partnership_changed'"
                    " BEGIN SELECT RAISE(ABORT, 'injected'); END"
                )
            )
        else:
            c.execute(
                text(
                    "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$"
                    " LANGUAGE plpgsql"
                )
            )
            c.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON assessments FOR EACH ROW"
                    " WHEN (NEW.trigger = 'partnership_changed') EXECUTE FUNCTION refuse()"
                )
            )
    engine.dispose()


def test_the_change_and_the_reassessment_commit_together_or_not_at_all(
    client: TestClient, applicant: Applicant, sessions: Any, failing_reassessment: Any
) -> None:
    app = submit(client, applicant)
    before = counts(sessions)
    mid = applicant.partnership["members"][0]["id"]
    path = f"/partnerships/{applicant.partnership['id']}/members/{mid}/leave"
    refused = client.post(path, json={"left_on": JOINED}, headers=applicant.headers)
    assert refused.status_code in (409, 500), refused.text  # SQLite reports the trigger as a constraint failure
    assert counts(sessions) == before, "no member left, no PartnershipChanged, no assessment, no audit"
    partnership = client.get(f"/partnerships/{applicant.partnership['id']}", headers=applicant.headers).json()
    assert partnership["compliant"] is True and assessment(client, applicant, app["id"])[0] == "eligible"
