"""Release conditions: tranche 1 waits for a signed agreement and an endorsed plan; later ones for the report.

A tranche that falls due with a condition unmet is held with the reasons, and released when the condition is met.
"""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.clock import Clock
from grants_shared.delivery.writer import Database
from payments.usecases import awards
from payments.usecases.conditions import due_turn
from payments_tests.conftest import POLICY, THRESHOLD
from payments_tests.kit import (
    AWARDED_AT,
    accepted,
    awarded,
    bearer,
    deliver,
    events,
    instructions,
    on_grant_awarded,
    on_report_accepted,
    open_first_tranche,
    partnership,
    tranches,
    writes,
)
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
ASSESSOR = bearer(Role.ASSESSOR, subject="asha")
APPROVER = bearer(Role.FINANCE_APPROVER, subject="bob")
AGREEMENT = {"signed_on": AWARDED_AT.date().isoformat(), "reference": "AGR-2026-001"}


def days_after_award(days: int) -> Clock:
    """A clock stopped `days` after the award."""
    return lambda: AWARDED_AT + timedelta(days=days)


def reasons_of(body: dict[str, object], number: int) -> list[str]:
    """The held reasons of a tranche in a grant view, by condition name."""
    tranche = next(t for t in body["tranches"] if t["number"] == number)  # type: ignore[attr-defined]
    return [r.split(":")[0] for r in tranche["held_reasons"]]


def test_tranche_one_is_held_until_the_agreement_is_signed_and_the_plan_endorsed(
    client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    grant = client.get("/grants/g-1", headers=OFFICER).json()
    assert grant["tranches"][0]["status"] == "held"
    assert reasons_of(grant, 1) == ["agreement_signed", "plan_endorsed"]
    problem(client.post("/grants/g-1/agreement", json=AGREEMENT, headers=ASSESSOR), 403, "forbidden")
    signed = client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER)
    assert signed.status_code == 200, signed.text
    assert reasons_of(signed.json(), 1) == ["plan_endorsed"] and instructions(sessions) == []
    assert [r.split(":")[0] for r in events(sessions, "tranche-held")[-1]["reasons"]] == ["plan_endorsed"]
    problem(client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER), 409, "agreement-signed-already")
    problem(client.post("/grants/g-1/plan/endorse", headers=OFFICER), 403, "forbidden")
    endorsed = client.post("/grants/g-1/plan/endorse", json={"note": "clear and resident-led"}, headers=ASSESSOR)
    assert endorsed.status_code == 200, endorsed.text
    first = endorsed.json()["tranches"][0]
    assert (first["status"], first["released_by"], first["held_reasons"]) == ("released", "asha", [])
    [resumed] = events(sessions, "tranche-resumed")
    assert resumed["number"] == 1 and resumed["resumed_by"] == "asha"
    [released] = events(sessions, "tranche-released")
    assert released["tranche_id"] == first["tranche_id"] and [i.status for i in instructions(sessions)] == ["created"]


def test_a_repeated_request_with_its_key_is_answered_once_and_bad_ones_write_nothing(
    client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    before = writes(sessions)
    bad = [
        ("/grants/g-1/agreement", {"signed_on": "yesterday"}, OFFICER, 422, "validation-error"),
        ("/grants/g-1/agreement", {**AGREEMENT, "released": True}, OFFICER, 422, "validation-error"),
        ("/grants/g-1/agreement", {**AGREEMENT, "reference": "x" * 101}, OFFICER, 422, "validation-error"),
        ("/grants/nope/agreement", AGREEMENT, OFFICER, 404, "grant-not-found"),
        ("/grants/g-1/agreement", AGREEMENT, {}, 401, "unauthenticated"),
        ("/grants/g-1/plan/endorse", {"note": "x" * 501}, ASSESSOR, 422, "validation-error"),
        ("/grants/nope/plan/endorse", None, ASSESSOR, 404, "grant-not-found"),
    ]
    for path, body, headers, status, code in bad:
        problem(client.post(path, json=body, headers=headers), status, code)
    assert writes(sessions) == before
    keyed = {**OFFICER, "Idempotency-Key": "agreement-1"}
    first = client.post("/grants/g-1/agreement", json=AGREEMENT, headers=keyed)
    again = client.post("/grants/g-1/agreement", json=AGREEMENT, headers=keyed)
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert len(events(sessions, "tranche-held")) == 2  # at the award, then with the plan alone


def test_a_tranche_falling_due_without_its_report_is_held_then_released_by_the_late_report(
    sessions: Sessions,
) -> None:
    deliver(sessions, awarded(amount=1_200_000, months=18), on_grant_awarded)
    open_first_tranche(sessions)
    second = tranches(sessions)[1]
    assert due_turn(Database(sessions), policy=POLICY, clock=days_after_award(150)) == 0
    assert tranches(sessions)[1].status == "scheduled"
    after_due = days_after_award(200)
    assert due_turn(Database(sessions), policy=POLICY, clock=after_due) == 1
    assert due_turn(Database(sessions), policy=POLICY, clock=after_due) == 0  # held once, not again
    held = tranches(sessions)[1]
    assert held.status == "held" and [h["reason"].split(":")[0] for h in held.holds] == ["previous_report_accepted"]
    [event] = [e for e in events(sessions, "tranche-held") if e["tranche_id"] == second.tranche_id]
    assert event["held_at"].startswith((AWARDED_AT + timedelta(days=200)).date().isoformat())
    assert [t.status for t in tranches(sessions)][2] == "scheduled"  # tranche 3 is not due yet
    deliver(sessions, accepted(period=1, by="asha"), on_report_accepted)
    released = tranches(sessions)[1]
    assert (released.status, released.released_by, released.holds) == ("released", "asha", [])
    assert [e["number"] for e in events(sessions, "tranche-resumed")] == [1, 2]


def test_above_the_threshold_whoever_met_the_last_condition_cannot_approve(
    client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=4 * (THRESHOLD + 1), months=24), on_grant_awarded)
    client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER)
    client.post("/grants/g-1/plan/endorse", headers=bearer(Role.ASSESSOR, subject="bob"))
    first = tranches(sessions)[0]
    assert (first.status, first.released_by) == ("awaiting_approval", "bob")
    problem(client.post(f"/tranches/{first.tranche_id}/approve", headers=APPROVER), 409, "approver-is-releaser")
    approved = client.post(
        f"/tranches/{first.tranche_id}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="carol")
    )
    assert approved.status_code == 200 and approved.json()["approved_by"] == "carol"


def test_a_partnership_complying_again_leaves_a_due_tranche_held_for_its_report_in_one_change(
    sessions: Sessions,
) -> None:
    deliver(sessions, awarded(amount=1_200_000, months=18), on_grant_awarded)
    open_first_tranche(sessions)
    late = days_after_award(200)  # tranche 2 fell due at 6 months; its report has not come
    for compliant, day in ((False, 190), (True, 200)):
        change = partnership(compliant, AWARDED_AT + timedelta(days=day))
        deliver(
            sessions,
            change,
            lambda e, uow: awards.change_partnership(uow, e.payload, policy=POLICY, event_id=e.event_id, clock=late),
        )
    second = tranches(sessions)[1]
    assert second.status == "held" and [h["kind"] for h in second.holds] == ["conditions"]
    assert [e["number"] for e in events(sessions, "tranche-resumed")] == [1, 3]  # not 2: it never stopped being held
    assert [
        r.split(":")[0] for r in [e for e in events(sessions, "tranche-held") if e["number"] == 2][-1]["reasons"]
    ] == ["previous_report_accepted"]
