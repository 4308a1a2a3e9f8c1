"""Payments' money words match reporting's: paid_pence is net of returns in the grant view and the ledger balances."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from payments.adapters.provider import SandboxBankProvider
from payments_tests.bank import Bank
from payments_tests.kit import award_and_open, awarded, on_grant_awarded
from payments_tests.test_repay import OFFICER, paid_then_returned


def test_after_a_return_the_grant_and_the_ledger_say_paid_net_with_gross_and_returned_beside_it(
    client: TestClient, sessions: sessionmaker[Session], provider: SandboxBankProvider, bank: Bank
) -> None:
    award_and_open(sessions, awarded(amount=800_000, months=12), on_grant_awarded)
    paid_then_returned(sessions, provider, bank)
    ledger = client.get("/ledger/balances", params={"limit": 1}, headers=OFFICER).json()
    words = ("paid_pence", "paid_net_pence", "paid_gross_pence", "returned_pence")
    assert {w: ledger[w] for w in words} == {
        "paid_pence": 0,
        "paid_net_pence": 0,
        "paid_gross_pence": 400_000,
        "returned_pence": 400_000,
    }
    assert client.get("/grants/g-1", headers=OFFICER).json()["paid_pence"] == ledger["paid_pence"]
