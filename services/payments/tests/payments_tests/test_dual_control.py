"""Dual control and time (issue 11): no one person moves money, and no tranche goes before its time.

Each test here is a case that one person could get through before: redirecting a repayment to a new account alone,
a release below the old £250k threshold with nobody else looking, both of tranche 1's conditions recorded by one
person holding two roles, and an accepted report releasing a tranche due years later.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.clock import Clock
from grants_shared.delivery.writer import Database
from payments import bootstrap
from payments.adapters.orm import Grant
from payments.adapters.provider import SandboxBankProvider
from payments.usecases import conditions
from payments_tests.bank import Bank
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import (
    AWARDED_AT,
    accepted,
    award_and_open,
    awarded,
    bearer,
    deliver,
    instructions,
    on_grant_awarded,
    on_report_accepted,
    tranches,
)
from payments_tests.test_api_reads import problem
from payments_tests.test_repay import NEW_PAYEE, paid_then_returned

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
OFFICER_ALSO_APPROVER = bearer(Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, subject="fiona")
APPROVER = bearer(Role.FINANCE_APPROVER, subject="bob")
TWO_HATS = bearer(Role.FINANCE_OFFICER, Role.ASSESSOR, subject="fiona")
TRANCHE = 5_000_000  # £50k: a typical small tranche, far below the old £250k threshold
AGREEMENT = {"signed_on": AWARDED_AT.date().isoformat(), "reference": "AGR-1"}


@pytest.fixture
def fund_policy(env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The service as deployed: no policy file named, so the fund's default policy (and no old threshold)."""
    monkeypatch.delenv("PAYMENTS_RELEASE_POLICY_FILE", raising=False)
    monkeypatch.delenv("PAYMENTS_APPROVAL_THRESHOLD_PENCE", raising=False)
    bootstrap.settings.cache_clear()
    yield
    bootstrap.settings.cache_clear()


def after_award(days: int) -> Clock:
    """A clock `days` after the award."""
    return lambda: AWARDED_AT + timedelta(days=days)


def view(client: TestClient, number: int) -> dict[str, Any]:
    """Tranche `number` of g-1 as the API shows it to finance."""
    grant = client.get("/grants/g-1", headers=OFFICER).json()
    found: dict[str, Any] = next(t for t in grant["tranches"] if t["number"] == number)
    return found


def test_a_repayment_to_a_new_payee_waits_for_a_second_person_who_sees_the_change(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)  # 400_000p: below any threshold
    tranche_id = paid_then_returned(sessions, provider, bank)
    with sessions() as session:
        old_account = session.get_one(Grant, "g-1").payee_account_number
    asked = client.post(f"/tranches/{tranche_id}/repay", json={"payee": NEW_PAYEE}, headers=OFFICER_ALSO_APPROVER)
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "awaiting_approval"  # not released to the new account by one person
    pay_what_is_released(sessions, provider, bank)
    assert [i.status for i in instructions(sessions)] == ["returned", "awaiting_approval"]  # nothing sent
    with sessions() as session:
        assert session.get_one(Grant, "g-1").payee_account_number == old_account  # unchanged until approved
    approval = client.get(f"/tranches/{tranche_id}", headers=APPROVER).json()["approval"]
    assert approval["kind"] == "repayment" and approval["amount_pence"] == 400_000
    assert approval["requested_by"] == "fiona" and approval["second_person_needed"] is True
    change = approval["payee_change"]
    assert change["before"]["account_number"] == old_account and change["after"] == NEW_PAYEE
    problem(client.post(f"/tranches/{tranche_id}/approve", headers=OFFICER_ALSO_APPROVER), 409, "approver-is-releaser")
    same_again = bearer(Role.FINANCE_APPROVER, subject=" FIONA ")
    problem(client.post(f"/tranches/{tranche_id}/approve", headers=same_again), 409, "approver-is-releaser")
    approved = client.post(f"/tranches/{tranche_id}/approve", headers=APPROVER)
    assert approved.json()["approved_by"] == "bob", approved.text
    pay_what_is_released(sessions, provider, bank)
    second = instructions(sessions)[-1]
    assert second.status == "settled"
    paid = bank.payment_for(second.instruction_id)
    assert paid is not None and paid["payee_account"]["account_number"] == "87654321"


def test_a_repayment_to_the_same_payee_still_needs_a_second_person(
    client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    tranche_id = paid_then_returned(sessions, provider, bank)
    asked = client.post(f"/tranches/{tranche_id}/repay", headers=OFFICER).json()
    assert asked["status"] == "awaiting_approval" and asked["approval"]["payee_change"] is None
    assert asked["approval"]["threshold_pence"] == 0


def test_under_the_funds_policy_a_typical_tranche_needs_a_second_person_and_records_the_policy(
    fund_policy: None, client: TestClient, sessions: Sessions
) -> None:
    award_and_open(sessions, awarded(amount=4 * TRANCHE, months=24), on_grant_awarded)
    first = view(client, 1)
    assert first["status"] == "awaiting_approval", first  # £50k: a second person, whatever the old threshold said
    approval = first["approval"]
    assert approval["policy_version"] == bootstrap.policy().version == "cwf-release-2026-12"
    assert approval["requested_by"] == "asha"  # who met the last condition
    problem(
        client.post(f"/tranches/{first['tranche_id']}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="Asha")),
        409,
    )
    assert client.post(f"/tranches/{first['tranche_id']}/approve", headers=APPROVER).json()["status"] == "approved"


def test_one_person_with_two_roles_cannot_meet_both_conditions_of_tranche_one(
    client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    assert client.post("/grants/g-1/agreement", json=AGREEMENT, headers=TWO_HATS).status_code == 200
    refused = problem(client.post("/grants/g-1/plan/endorse", headers=TWO_HATS), 409, "conditions-need-two-people")
    assert "fiona" in refused["detail"]
    assert view(client, 1)["status"] == "held" and instructions(sessions) == []
    endorsed = client.post("/grants/g-1/plan/endorse", headers=bearer(Role.ASSESSOR, subject="asha"))
    assert endorsed.status_code == 200 and view(client, 1)["status"] == "released"


def test_an_accepted_report_waits_for_the_next_tranches_release_window(
    fund_policy: None, client: TestClient, sessions: Sessions
) -> None:
    award_and_open(sessions, awarded(amount=4 * TRANCHE, months=24), on_grant_awarded)
    client.post(f"/tranches/{tranches(sessions)[0].tranche_id}/approve", headers=APPROVER)  # tranche 1 goes first
    assert tranches(sessions)[0].status in ("approved", "released")
    deliver(sessions, accepted(period=1), on_report_accepted)  # accepted on award day; tranche 2 due in 6 months
    second = view(client, 2)
    assert second["status"] == "scheduled", second
    assert [w["code"] for w in second["waiting_for"]] == ["tranche-not-yet-due"]
    due = tranches(sessions)[1].due_on
    early = (due - AWARDED_AT.date()).days - 31  # a day before the 30-day lead time
    assert conditions.due_turn(Database(sessions), policy=bootstrap.policy(), clock=after_award(early)) == 0
    assert conditions.due_turn(Database(sessions), policy=bootstrap.policy(), clock=after_award(early + 1)) == 1
    assert tranches(sessions)[1].status == "awaiting_approval"


def test_a_later_tranche_never_goes_before_the_one_before_it(
    fund_policy: None, client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=4 * TRANCHE, months=24), on_grant_awarded)  # tranche 1 held: nothing signed
    due = tranches(sessions)[1].due_on
    in_window = after_award((due - AWARDED_AT.date()).days - 5)
    deliver(sessions, accepted(period=1), on_report_accepted)
    assert [t.status for t in tranches(sessions)][:2] == ["held", "scheduled"]
    assert conditions.due_turn(Database(sessions), policy=bootstrap.policy(), clock=in_window) == 0
    assert [t.status for t in tranches(sessions)][:2] == ["held", "scheduled"]
    assert [w["code"] for w in view(client, 2)["waiting_for"]] == [
        "tranche-not-yet-due",
        "previous-tranche-not-released",
    ]
    client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER).raise_for_status()
    client.post("/grants/g-1/plan/endorse", headers=bearer(Role.ASSESSOR, subject="asha")).raise_for_status()
    assert conditions.due_turn(Database(sessions), policy=bootstrap.policy(), clock=in_window) == 0  # 1 awaits approval
    client.post(f"/tranches/{tranches(sessions)[0].tranche_id}/approve", headers=APPROVER).raise_for_status()
    assert conditions.due_turn(Database(sessions), policy=bootstrap.policy(), clock=in_window) == 1
    assert [t.status for t in tranches(sessions)][:2] == ["approved", "awaiting_approval"]
