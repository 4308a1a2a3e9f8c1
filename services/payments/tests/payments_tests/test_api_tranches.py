"""Finance actions over HTTP: maker-checker approval, holds and resumes, retries; bad input writes nothing."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.uow import UnitOfWork
from payments.usecases import releases
from payments_tests.conftest import THRESHOLD
from payments_tests.kit import (
    accepted,
    award_and_open,
    awarded,
    bearer,
    deliver,
    events,
    instructions,
    on_grant_awarded,
    on_report_accepted,
    staff,
    tranches,
    writes,
)
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
ALICE_APPROVER = bearer(Role.FINANCE_APPROVER, Role.ASSESSOR, subject="alice")
BOB_APPROVER = bearer(Role.FINANCE_APPROVER, subject="bob")
BIG = 2 * (THRESHOLD + 1) * 2  # four tranches over 24 months, each above the threshold


def big_tranche_released_by_alice(sessions: Sessions) -> str:
    """A grant whose second tranche, above the threshold, was released by alice's report acceptance."""
    award_and_open(sessions, awarded(amount=BIG, months=24), on_grant_awarded)
    with UnitOfWork(sessions) as uow:  # tranche 1 goes first: tranche 2 waits for it
        releases.approve(uow, tranches(sessions)[0].tranche_id, staff("bob", Role.FINANCE_APPROVER))
        uow.commit()
    deliver(sessions, accepted(period=1, by="alice"), on_report_accepted)
    second = tranches(sessions)[1]
    assert second.status == "awaiting_approval" and second.released_by == "alice"
    return second.tranche_id


def test_the_releaser_cannot_approve_and_another_approver_can(client: TestClient, sessions: Sessions) -> None:
    tranche_id = big_tranche_released_by_alice(sessions)
    before = writes(sessions)
    problem(client.post(f"/tranches/{tranche_id}/approve", headers=ALICE_APPROVER), 409, "approver-is-releaser")
    assert writes(sessions) == before and tranches(sessions)[1].status == "awaiting_approval"
    problem(client.post(f"/tranches/{tranche_id}/approve", headers=OFFICER), 403, "forbidden")
    response = client.post(f"/tranches/{tranche_id}/approve", headers=BOB_APPROVER)
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["approved_by"]) == ("approved", "bob")
    [released] = [e for e in events(sessions, "tranche-released") if e["tranche_id"] == tranche_id]
    assert (released["released_by"], released["approved_by"]) == ("alice", "bob")
    assert [i.status for i in instructions(sessions) if i.tranche_id == tranche_id] == ["created"]
    problem(client.post(f"/tranches/{tranche_id}/approve", headers=BOB_APPROVER), 409, "tranche-not-awaiting-approval")


def test_an_approval_retried_with_its_key_is_answered_once(client: TestClient, sessions: Sessions) -> None:
    tranche_id = big_tranche_released_by_alice(sessions)
    headers = {**BOB_APPROVER, "Idempotency-Key": "approve-1"}
    first = client.post(f"/tranches/{tranche_id}/approve", headers=headers)
    again = client.post(f"/tranches/{tranche_id}/approve", headers=headers)
    assert first.status_code == again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len([e for e in events(sessions, "tranche-released") if e["tranche_id"] == tranche_id]) == 1
    reused = client.post(f"/tranches/{tranche_id}/approve", headers=headers, json={"note": "different"})
    problem(reused, 409, "idempotency-key-reused")


def test_finance_holds_and_resumes_an_unreleased_tranche(client: TestClient, sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    first, second = (t.tranche_id for t in tranches(sessions))
    held = client.post(f"/tranches/{second}/hold", json={"reason": "audit query open"}, headers=OFFICER)
    assert held.status_code == 200 and held.json()["held_reasons"] == ["held by finance: audit query open"]
    assert events(sessions, "tranche-held")[-1]["reasons"] == ["held by finance: audit query open"]
    deliver(sessions, accepted(period=1, by="asha"), on_report_accepted)
    assert tranches(sessions)[1].status == "held"  # the report counts, the hold still stands
    resumed = client.post(f"/tranches/{second}/resume", headers=OFFICER)
    assert resumed.status_code == 200 and resumed.json()["status"] == "released"
    assert resumed.json()["released_by"] == "fiona"
    problem(client.post(f"/tranches/{second}/resume", headers=OFFICER), 409, "tranche-not-held-by-finance")
    problem(
        client.post(f"/tranches/{first}/hold", json={"reason": "late"}, headers=OFFICER),
        409,
        "tranche-already-released",
    )


def test_bad_tranche_requests_are_refused_and_write_nothing(client: TestClient, sessions: Sessions) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    second = tranches(sessions)[1].tranche_id
    before = writes(sessions)
    bad: list[tuple[str, Any, dict[str, str], int, str]] = [
        (f"/tranches/{second}/hold", {"reason": ""}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", {"reason": "   "}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", {}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", {"reason": "x" * 501}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", {"reason": "ok", "status": "released"}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", ["reason"], OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/hold", {"reason": "ok"}, BOB_APPROVER, 403, "forbidden"),
        (f"/tranches/{second}/hold", {"reason": "ok"}, {}, 401, "unauthenticated"),
        ("/tranches/nope/hold", {"reason": "ok"}, OFFICER, 404, "tranche-not-found"),
        (f"/tranches/{second}/resume", None, OFFICER, 409, "tranche-not-held-by-finance"),
        (f"/tranches/{second}/resume", {"note": "x", "approved_by": "me"}, OFFICER, 422, "validation-error"),
        (f"/tranches/{second}/approve", None, BOB_APPROVER, 409, "tranche-not-awaiting-approval"),
        (f"/tranches/{second}/approve", {"amount_pence": 1}, BOB_APPROVER, 422, "validation-error"),
        (f"/tranches/{second}/retry", None, OFFICER, 409, "tranche-not-failed"),
        (f"/tranches/{'x' * 101}/retry", None, OFFICER, 422, "validation-error"),
    ]
    for path, body, headers, status, code in bad:
        problem(client.post(path, json=body, headers=headers), status, code)
    long_key = {**OFFICER, "Idempotency-Key": "k" * 201}
    problem(client.post(f"/tranches/{second}/hold", json={"reason": "ok"}, headers=long_key), 400)
    assert writes(sessions) == before and tranches(sessions)[1].status == "scheduled"
