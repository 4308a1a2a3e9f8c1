"""A returned payment: the commitment is restored and the tranche is paid again (to corrected bank details) once a
second person approves."""

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.delivery.writer import Database
from payments.adapters.ledger_store import balances
from payments.adapters.orm import Grant
from payments.adapters.provider import SandboxBankProvider
from payments.consumers.loops import returns_turn
from payments_tests.bank import Bank
from payments_tests.conftest import THRESHOLD
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import (
    award_and_open,
    awarded,
    bearer,
    events,
    instructions,
    ledger_failures,
    on_grant_awarded,
    tranches,
)
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, subject="fiona")
NEW_PAYEE = {"name": "Ward 12 Partnership (new account)", "sort_code": "309634", "account_number": "87654321"}


def paid_then_returned(sessions: Sessions, provider: SandboxBankProvider, bank: Bank) -> str:
    """Tranche 1 paid, then returned by the payee's bank; its id."""
    bank.queue("return")
    pay_what_is_released(sessions, provider, bank)
    deadline = time.monotonic() + 60  # generous: the machine may be busy
    # Read from the report, or already seen returned by the poll when it came after the bank's 0.2 s (a loaded machine)
    while tranches(sessions)[0].status != "returned":
        assert time.monotonic() < deadline, "the bank never returned the payment"
        time.sleep(0.1)
        returns_turn(Database(sessions), provider)
    first = tranches(sessions)[0]
    return first.tranche_id


def test_a_returned_tranche_is_paid_again_to_corrected_details_and_counted_once(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    tranche_id = paid_then_returned(sessions, provider, bank)
    with sessions() as session:
        assert balances(session, None)["grant:g-1:commitment"] == -800_000  # restored: the grant is owed it again
    repaid = client.post(f"/tranches/{tranche_id}/repay", json={"payee": NEW_PAYEE}, headers=OFFICER)
    assert repaid.status_code == 200 and repaid.json()["status"] == "awaiting_approval", repaid.text
    problem(client.post(f"/tranches/{tranche_id}/repay", headers=OFFICER), 409, "tranche-not-returned")
    client.post(
        f"/tranches/{tranche_id}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="bob")
    ).raise_for_status()
    pay_what_is_released(sessions, provider, bank)
    first, second = (i for i in instructions(sessions) if i.tranche_id == tranche_id)
    assert (first.status, second.status, second.attempt) == ("returned", "settled", 2)
    assert bank.payment_for(second.instruction_id)["payee_account"]["account_number"] == "87654321"  # type: ignore[index]
    assert bank.payment_for(first.instruction_id)["status"] == "returned"  # type: ignore[index]
    with sessions() as session:
        assert session.get(Grant, "g-1").payee_account_number == "87654321"  # type: ignore[union-attr]
        totals = balances(session, None)
    assert (totals["cash:paid"], totals["cash:returned"], totals["grant:g-1:commitment"]) == (
        -800_000,
        400_000,
        -400_000,
    )
    assert [e["tranche_id"] for e in events(sessions, "tranche-released")] == [tranche_id, tranche_id]
    assert client.get("/grants/g-1", headers=OFFICER).json()["paid_pence"] == 400_000
    assert ledger_failures(sessions) == []


def test_a_repayment_needs_another_person(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=4 * (THRESHOLD + 1), months=24), on_grant_awarded)
    first = tranches(sessions)[0].tranche_id
    client.post(f"/tranches/{first}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="bob")).raise_for_status()
    paid_then_returned(sessions, provider, bank)
    problem(
        client.post(f"/tranches/{first}/repay", json={"payee": {**NEW_PAYEE, "sort_code": "12"}}, headers=OFFICER),
        422,
        "validation-error",
    )
    again = client.post(f"/tranches/{first}/repay", headers=OFFICER)
    assert again.json()["status"] == "awaiting_approval" and again.json()["released_by"] == "fiona"
    problem(client.post(f"/tranches/{first}/approve", headers=OFFICER), 409, "approver-is-releaser")
    client.post(f"/tranches/{first}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="bob")).raise_for_status()
    pay_what_is_released(sessions, provider, bank)
    assert [i.status for i in instructions(sessions) if i.tranche_id == first] == ["returned", "settled"]
    assert ledger_failures(sessions) == []


def test_a_payment_returned_after_the_grant_closed_goes_back_to_the_fund(
    client: TestClient, sessions: Sessions, clock_bank: Bank
) -> None:
    # The bank of the module's own returns an hour after settling by its clock, which only the test moves: the
    # return cannot arrive before the closure, however slow the machine.
    provider = clock_bank.provider(timeout=5)
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    clock_bank.queue("return")
    pay_what_is_released(sessions, provider, clock_bank)  # settled now, on its way back later
    asked = client.post("/grants/g-1/close", json={"reason": "the partnership dissolved"}, headers=OFFICER).json()
    closed = client.post(
        f"/grants/g-1/variations/{asked['variation_id']}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="bob")
    )
    assert closed.json()["outcome"]["released_pence"] == 400_000
    assert returns_turn(Database(sessions), provider) == 0  # not back yet
    clock_bank.move_clock(clock_bank.clock() + timedelta(hours=2))
    deadline = time.monotonic() + 30
    while returns_turn(Database(sessions), provider) == 0:
        assert time.monotonic() < deadline, "the bank never returned the payment"
        time.sleep(0.1)
    assert [t.status for t in tranches(sessions)] == ["cancelled", "cancelled"]
    with sessions() as session:
        totals = {a: b for a, b in balances(session, None).items() if b}
    assert totals == {"cash:paid": -400_000, "cash:returned": 400_000}  # nothing committed, nothing paid for good
    problem(client.post(f"/tranches/{tranches(sessions)[0].tranche_id}/repay", headers=OFFICER), 409)
    assert ledger_failures(sessions) == []
