"""A starter grant in payments: one or two tranches, tranche 1 on the signed agreement alone, and still a second
person for every release (dual control stays)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from payments import bootstrap
from payments.adapters.provider import SandboxBankProvider
from payments_tests.bank import Bank
from payments_tests.flow import pay_what_is_released
from payments_tests.kit import AWARDED_AT, awarded, bearer, deliver, instructions, ledger_failures, on_grant_awarded
from payments_tests.test_api_reads import problem

Sessions = sessionmaker[Session]
OFFICER = bearer(Role.FINANCE_OFFICER, subject="fiona")
APPROVER = bearer(Role.FINANCE_APPROVER, subject="bob")
AGREEMENT = {"signed_on": AWARDED_AT.date().isoformat(), "reference": "AGR-S1"}
STARTER_PENCE = 2_500_001  # £25,000.01: the odd penny goes to tranche 1


@pytest.fixture
def fund_policy(env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fund's default release policy (every release needs a second person)."""
    monkeypatch.delenv("PAYMENTS_RELEASE_POLICY_FILE", raising=False)
    monkeypatch.delenv("PAYMENTS_APPROVAL_THRESHOLD_PENCE", raising=False)
    bootstrap.settings.cache_clear()
    yield
    bootstrap.settings.cache_clear()


def test_a_starter_grant_is_paid_on_its_agreement_with_a_second_person(
    fund_policy: None, client: TestClient, sessions: Sessions, provider: SandboxBankProvider, bank: Bank
) -> None:
    deliver(sessions, awarded(amount=STARTER_PENCE, months=12, grant_type="starter"), on_grant_awarded)
    grant = client.get("/grants/g-1", headers=OFFICER).json()
    tranches = grant["tranches"]
    assert [t["amount_pence"] for t in tranches] == [1_250_001, 1_250_000]
    assert tranches[0]["conditions"] == ["agreement_signed", "partnership_compliant"]
    assert tranches[0]["status"] == "held"

    assert client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER).status_code == 200
    first = client.get(f"/tranches/{tranches[0]['tranche_id']}", headers=OFFICER).json()
    assert first["status"] == "awaiting_approval"  # no plan to endorse, but not paid on one person's word
    problem(
        client.post(f"/tranches/{first['tranche_id']}/approve", headers=bearer(Role.FINANCE_APPROVER, subject="fiona")),
        409,
    )
    approved = client.post(f"/tranches/{first['tranche_id']}/approve", headers=APPROVER)
    assert approved.status_code == 200 and approved.json()["approved_by"] == "bob", approved.text
    pay_what_is_released(sessions, provider, bank)
    assert [i.status for i in instructions(sessions)] == ["settled"]
    assert ledger_failures(sessions) == []


def test_a_main_grant_still_waits_for_its_plan_after_the_agreement(
    fund_policy: None, client: TestClient, sessions: Sessions
) -> None:
    deliver(sessions, awarded(amount=150_000_000, months=120), on_grant_awarded)
    assert client.post("/grants/g-1/agreement", json=AGREEMENT, headers=OFFICER).status_code == 200
    grant = client.get("/grants/g-1", headers=OFFICER).json()
    assert len(grant["tranches"]) == 20 and grant["tranches"][0]["status"] == "held"
    assert any("plan_endorsed" in reason for reason in grant["tranches"][0]["unmet_conditions"])
