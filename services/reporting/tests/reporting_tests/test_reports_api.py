"""Impact reports through the API: lifecycle, events emitted, idempotency and the live-report rule."""

import json
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Role
from reporting.adapters.orm import ImpactReport, ReportIndicator

from .conftest import APPLICANT, ASSESSOR, OPERATOR, auth, problem
from .story import Story, count, deliver

OUTCOMES = {
    "places_to_meet": 2,
    "civic_organisations": 1,
    "residents_engaged": 340,
    "volunteering_hours": 1200,
    "people_into_education": 12,
    "people_into_employment": 7,
    "health_activities": 30,
}


def report_body(period: int = 1, grant_id: str = "grant-1", **changes: Any) -> dict[str, Any]:
    """A valid report request."""
    return {
        "grant_id": grant_id,
        "period_number": period,
        "outcomes": dict(OUTCOMES),
        "narrative": "A new community hub opened.",
        **changes,
    }


def awarded_grant(sessions: sessionmaker[Session], story: Story | None = None) -> Story:
    """Project an awarded grant with tranche 1 paid and tranche 2 due: periods 1 and 2 have begun."""
    story = story or Story()
    for envelope in [
        *story.up_to_award(),
        *story.paid_tranche(1, date(2026, 2, 1)),
        story.scheduled(2, date(2026, 7, 1)),
    ]:
        deliver(sessions, envelope)
    return story


def outbox(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """The envelopes written to the outbox, oldest first."""
    with sessions() as s:
        rows = s.execute(select(tables.outbox.c.body).order_by(tables.outbox.c.id)).scalars()
        return [json.loads(body) for body in rows]


def test_a_report_is_submitted_then_accepted(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    created = client.post("/reports", json=report_body(), headers=APPLICANT)
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["status"] == "submitted" and report["grant_id"] == "grant-1" and report["period_number"] == 1
    assert report["submitted_by"] == "alice" and report["outcomes"] == OUTCOMES
    accepted = client.post(f"/reports/{report['id']}/accept", headers=ASSESSOR)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["reviewed_by"] == "asha"
    problem(client.post(f"/reports/{report['id']}/accept", headers=ASSESSOR), 409, "report-not-submitted")
    submitted, accepted_event = outbox(sessions)
    assert submitted["event_type"] == "report-submitted" and submitted["subject"] == "grant-1"
    assert accepted_event["event_type"] == "report-accepted" and accepted_event["subject"] == "grant-1"
    assert accepted_event["payload"] | {"accepted_at": None} == {
        "report_id": report["id"],
        "grant_id": "grant-1",
        "period_number": 1,
        "accepted_by": "asha",
        "accepted_at": None,
        "version": 1,
    }
    assert count(sessions, ReportIndicator) == len(OUTCOMES)
    assert client.get(f"/reports/{report['id']}", headers=APPLICANT).json()["status"] == "accepted"


def test_a_second_live_report_for_a_period_is_refused(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    assert client.post("/reports", json=report_body(), headers=APPLICANT).status_code == 201
    problem(client.post("/reports", json=report_body(), headers=APPLICANT), 409, "report-exists")
    assert client.post("/reports", json=report_body(period=2), headers=APPLICANT).status_code == 201
    assert count(sessions, ImpactReport) == 2 and len(outbox(sessions)) == 2


def test_changes_requested_then_the_period_is_reported_again(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    awarded_grant(sessions)
    first = client.post("/reports", json=report_body(), headers=APPLICANT).json()
    sent_back = client.post(
        f"/reports/{first['id']}/request-changes", json={"reasons": ["Add attendance figures"]}, headers=ASSESSOR
    )
    assert sent_back.status_code == 200, sent_back.text
    assert sent_back.json()["status"] == "changes_requested"
    assert sent_back.json()["change_reasons"] == ["Add attendance figures"]
    problem(client.post(f"/reports/{first['id']}/accept", headers=ASSESSOR), 409, "report-not-submitted")
    again = client.post("/reports", json=report_body(narrative="With attendance."), headers=APPLICANT)
    assert again.status_code == 201 and again.json()["id"] != first["id"]
    listed = client.get("/reports", params={"grant_id": "grant-1"}, headers=ASSESSOR).json()
    assert listed["total"] == 2 and {r["status"] for r in listed["items"]} == {"submitted", "changes_requested"}
    event = outbox(sessions)[1]
    assert event["event_type"] == "report-changes-requested"
    assert event["payload"]["reasons"] == ["Add attendance figures"]


def test_an_idempotency_key_replays_the_first_response(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    headers = {**APPLICANT, "Idempotency-Key": "report-1-once"}
    first = client.post("/reports", json=report_body(), headers=headers)
    second = client.post("/reports", json=report_body(), headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    problem(client.post("/reports", json=report_body(period=2), headers=headers), 409, "idempotency-key-reused")
    assert count(sessions, ImpactReport) == 1 and len(outbox(sessions)) == 1


def test_an_operator_may_report_for_any_grant_but_not_review_its_own_report(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    awarded_grant(sessions)
    both = auth(Role.OPERATOR, Role.ASSESSOR, subject="otto")
    report = client.post("/reports", json=report_body(), headers=OPERATOR).json()
    assert report["submitted_by"] == "otto"
    problem(client.post(f"/reports/{report['id']}/accept", headers=both), 403, "own-report")
    otto_again = auth(Role.ASSESSOR, subject=" Otto ")  # the same person by the platform's one rule (people.py)
    problem(client.post(f"/reports/{report['id']}/accept", headers=otto_again), 403, "own-report")
    assert client.post(f"/reports/{report['id']}/accept", headers=ASSESSOR).status_code == 200


def test_report_events_join_the_grant_timeline(client: TestClient, sessions: sessionmaker[Session]) -> None:
    awarded_grant(sessions)
    report = client.post("/reports", json=report_body(), headers=APPLICANT).json()
    client.post(f"/reports/{report['id']}/accept", headers=ASSESSOR)
    events = client.get("/grants/grant-1/timeline", headers=APPLICANT).json()["events"]
    assert [e["event_type"] for e in events][-2:] == ["report-submitted", "report-accepted"]
