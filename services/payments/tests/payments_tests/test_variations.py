"""Variations over HTTP: re-profiles (an amount change needs a second person), early closure, refusals."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments.adapters.ledger_store import balances
from payments.adapters.provider import SandboxBankProvider
from payments_tests.bank import Bank
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import (
    accepted,
    award_and_open,
    awarded,
    bearer,
    deliver,
    events,
    ledger_failures,
    on_grant_awarded,
    on_report_accepted,
    on_round_opened,
    round_opened,
    tranches,
    writes,
)
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
FIONA_APPROVER = bearer(Role.FINANCE_APPROVER, subject="Fiona ")
BOB = bearer(Role.FINANCE_APPROVER, subject="bob")
AWARD = 1_200_000  # six tranches of 200,000p over 36 months


def six_tranches(sessions: Sessions, budget: int = 10_000_000) -> None:
    """Round r-1 with `budget`, and a grant in it whose tranche 1 is released."""
    deliver(sessions, round_opened(budget), on_round_opened)
    award_and_open(sessions, awarded(amount=AWARD, months=36), on_grant_awarded)


def amounts(sessions: Sessions) -> list[int]:
    """The grant's tranche amounts by number."""
    return [t.amount_pence for t in tranches(sessions)]


def vary(client: TestClient, body: dict[str, Any], headers: dict[str, str] = OFFICER) -> Any:
    """POST a variation of g-1."""
    return client.post(
        "/grants/g-1/variations", json={"reason": "the partnership's plan changed", **body}, headers=headers
    )


def test_an_amount_change_waits_for_a_second_person_then_re_spreads_the_remaining_tranches(
    client: TestClient, sessions: Sessions
) -> None:
    six_tranches(sessions)
    asked = vary(client, {"new_total_pence": 1_500_003})
    assert asked.status_code == 202 and asked.json()["status"] == "pending_approval", asked.text
    variation_id = asked.json()["variation_id"]
    assert amounts(sessions) == [200_000] * 6  # nothing changes before the approval
    problem(vary(client, {"new_total_pence": 1_400_000}), 409, "variation-pending")
    path = f"/grants/g-1/variations/{variation_id}/approve"
    problem(client.post(path, headers=FIONA_APPROVER), 409, "approver-is-requester")  # the same person, any case
    problem(client.post(path, headers=OFFICER), 403, "forbidden")
    approved = client.post(path, headers=BOB)
    assert approved.status_code == 200 and approved.json()["status"] == "applied", approved.text
    assert amounts(sessions) == [200_000, 260_001, 260_001, 260_001, 260_000, 260_000]
    [varied] = events(sessions, "grant-varied")
    assert (varied["previous_total_pence"], varied["new_total_pence"], varied["approved_by"]) == (
        AWARD,
        1_500_003,
        "bob",
    )
    assert [t["number"] for t in varied["remaining_tranches"]] == [2, 3, 4, 5, 6]
    with sessions() as session:
        totals = balances(session, None)
    assert totals["fund:awarded"] == 1_500_003 and totals["grant:g-1:commitment"] == -1_500_003
    assert client.get("/grants/g-1", headers=OFFICER).json()["amount_pence"] == 1_500_003
    assert ledger_failures(sessions) == []


def approved(client: TestClient, asked: Any) -> Any:
    """A pending variation, approved by a second person (bob); the answer."""
    assert asked.status_code == 202 and asked.json()["status"] == "pending_approval", asked.text
    variation_id = asked.json()["variation_id"]
    problem(client.post(f"/grants/g-1/variations/{variation_id}/approve", headers=FIONA_APPROVER), 409)
    return client.post(f"/grants/g-1/variations/{variation_id}/approve", headers=BOB)


def test_a_pattern_change_alone_needs_a_second_person_and_keeps_the_end_date(
    client: TestClient, sessions: Sessions
) -> None:
    six_tranches(sessions)
    deliver(sessions, accepted(period=1), on_report_accepted)  # tranches 1 and 2 released; 3..6 remain
    before = [t.tranche_id for t in tranches(sessions)]
    asked = vary(client, {"pattern": "annual"})
    assert amounts(sessions) == [200_000] * 6  # nothing moves until a second person approves
    applied = approved(client, asked)
    assert applied.status_code == 200 and applied.json()["status"] == "applied", applied.text
    after = tranches(sessions)
    assert [(t.number, t.amount_pence, t.of_tranches) for t in after] == [
        (1, 200_000, 4),
        (2, 200_000, 4),
        (3, 400_000, 4),
        (4, 400_000, 4),
    ]
    assert (after[3].due_on - after[2].due_on).days in (365, 366)
    [varied] = events(sessions, "grant-varied")
    assert varied["cancelled_tranche_ids"] == before[4:] and varied["approved_by"] == "bob"
    back = approved(client, vary(client, {"pattern": "semi_annual"}))
    assert back.status_code == 200, back.text
    assert amounts(sessions) == [200_000] * 6 and [t.number for t in tranches(sessions)] == [1, 2, 3, 4, 5, 6]
    new_ids = [t.tranche_id for t in tranches(sessions)][4:]
    assert set(new_ids).isdisjoint(before)  # a tranche added by a variation has an id of its own
    assert [e["tranche_id"] for e in events(sessions, "tranche-scheduled")][-2:] == new_ids
    assert ledger_failures(sessions) == []


def test_a_decrease_releases_commitment_and_an_increase_must_fit_the_round(
    client: TestClient, sessions: Sessions
) -> None:
    six_tranches(sessions, budget=1_300_000)
    problem(vary(client, {"new_total_pence": 1_300_001}), 409, "over-budget")
    down = vary(client, {"new_total_pence": 1_000_000}).json()
    client.post(f"/grants/g-1/variations/{down['variation_id']}/approve", headers=BOB).raise_for_status()
    assert amounts(sessions) == [200_000] + [160_000] * 5
    with sessions() as session:
        assert balances(session, None)["fund:awarded"] == 1_000_000
    up = vary(client, {"new_total_pence": 1_300_000})
    assert up.status_code == 202, up.text  # exactly the budget: allowed
    deliver(sessions, awarded("g-2", amount=AWARD, months=36, round_id="r-2"), on_grant_awarded)
    problem(
        client.post("/grants/g-2/variations", json={"new_total_pence": AWARD + 1, "reason": "more"}, headers=OFFICER),
        409,
        "round-budget-unknown",
    )
    assert ledger_failures(sessions) == []


def test_closing_early_cancels_what_is_unpaid_and_releases_the_commitment(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    six_tranches(sessions)
    held = tranches(sessions)[2].tranche_id
    client.post(f"/tranches/{held}/hold", json={"reason": "query"}, headers=OFFICER).raise_for_status()
    close = {"reason": "the partnership dissolved"}
    asked = client.post("/grants/g-1/close", json=close, headers=OFFICER)
    assert asked.status_code == 202, asked.text
    approve = f"/grants/g-1/variations/{asked.json()['variation_id']}/approve"
    problem(client.post(approve, headers=BOB), 409, "payments-in-flight")  # tranche 1 is on its way to the bank
    pay_what_is_released(sessions, provider, bank)
    closed = client.post(approve, headers=BOB)
    assert closed.status_code == 200 and closed.json()["outcome"]["released_pence"] == 1_000_000, closed.text
    assert [t.status for t in tranches(sessions)] == ["settled"] + ["cancelled"] * 5
    grant = client.get("/grants/g-1", headers=OFFICER).json()
    assert (grant["status"], grant["paid_pence"]) == ("closed", 200_000)
    with sessions() as session:
        totals = {a: b for a, b in balances(session, None).items() if b}
    assert totals == {"fund:awarded": 200_000, "cash:paid": -200_000}
    [event] = events(sessions, "grant-closed")
    assert (event["paid_pence"], event["released_pence"]) == (200_000, 1_000_000)
    assert len(event["cancelled_tranche_ids"]) == 5
    assert events(sessions, "grant-completed")[0]["paid_pence"] == 200_000
    before = writes(sessions)
    deliver(sessions, accepted(period=1), on_report_accepted)  # a late report releases nothing now
    problem(vary(client, {"pattern": "annual"}), 409, "grant-not-active")
    problem(client.post(f"/tranches/{held}/resume", headers=OFFICER), 409, "tranche-not-held-by-finance")
    assert tranches(sessions)[2].status == "cancelled" and tranches(sessions)[2].holds == []
    problem(client.post("/grants/g-1/agreement", json={"signed_on": "2026-01-01"}, headers=OFFICER), 409)
    assert writes(sessions)[0] == before[0] and ledger_failures(sessions) == []  # no event: nothing happened


def test_a_rejected_variation_changes_nothing_and_bad_requests_write_nothing(
    client: TestClient, sessions: Sessions
) -> None:
    six_tranches(sessions)
    asked = vary(client, {"new_total_pence": 900_000}).json()
    rejected = client.post(f"/grants/g-1/variations/{asked['variation_id']}/reject", headers=BOB)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert amounts(sessions) == [200_000] * 6 and events(sessions, "grant-varied") == []
    listed = client.get("/grants/g-1/variations", headers=BOB).json()["items"]
    assert [(v["status"], v["decided_by"]) for v in listed] == [("rejected", "bob")]
    before = writes(sessions)
    for body, status, code in [
        ({}, 422, "empty-variation"),
        ({"pattern": "front_loaded"}, 422, "bad-pattern"),
        ({"pattern": "annual", "first_tranche_bps": 2000}, 422, "bad-pattern"),
        ({"new_total_pence": 0}, 422, "validation-error"),
        ({"new_total_pence": 1.5}, 422, "validation-error"),
        ({"new_total_pence": "1000"}, 422, "validation-error"),
        ({"pattern": "weekly"}, 422, "validation-error"),
        ({"new_total_pence": 200_004}, 409, "variation-not-applicable"),  # 4p for five tranches after 200,000p
        ({"pattern": "front_loaded", "first_tranche_bps": 10_000}, 422, "validation-error"),
    ]:
        problem(vary(client, body), status, code)
    problem(vary(client, {"pattern": "annual"}, headers=BOB), 403, "forbidden")
    problem(client.post("/grants/nope/variations", json={"pattern": "annual", "reason": "x"}, headers=OFFICER), 404)
    problem(
        client.post(f"/grants/g-1/variations/{asked['variation_id']}/approve", headers=BOB),
        409,
        "variation-not-pending",
    )
    problem(client.post("/grants/g-1/variations/nope/approve", headers=BOB), 404, "variation-not-found")
    problem(client.post("/grants/g-1/close", json={"reason": ""}, headers=OFFICER), 422, "validation-error")
    assert writes(sessions) == before
