"""Reporting's money words mean what payments' do: paid_pence is net of returns, gross and returned beside it."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.money import paid_words

from .conftest import APPLICANT, OPERATOR
from .story import Story, deliver_eventually


def a_grant_with_one_payment_returned(sessions: sessionmaker[Session]) -> Story:
    story = Story()
    deliver_eventually(
        sessions,
        [
            story.round_opened(),
            *story.up_to_award(),
            *story.paid_tranche(1, date(2026, 2, 1)),
            *story.paid_tranche(2, date(2026, 8, 1)),
            story.returned(2),
        ],
    )
    return story


def test_a_grant_shows_paid_net_of_returns_with_gross_and_returned_beside_it(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    story = a_grant_with_one_payment_returned(sessions)
    grant = client.get(f"/grants/{story.grant_id}", headers=APPLICANT).json()
    one = story.tranche_amount
    assert {k: grant[k] for k in ("paid_pence", "paid_net_pence", "paid_gross_pence", "returned_pence")} == {
        "paid_pence": one,
        "paid_net_pence": one,
        "paid_gross_pence": 2 * one,
        "returned_pence": one,
    }


def test_the_fund_position_uses_the_same_words(client: TestClient, sessions: sessionmaker[Session]) -> None:
    story = a_grant_with_one_payment_returned(sessions)
    position = client.get("/fund/position", headers=OPERATOR).json()
    one = story.tranche_amount
    assert (position["paid_pence"], position["paid_gross_pence"], position["returned_pence"]) == (one, 2 * one, one)
    assert position["unpaid_commitments_pence"] == story.amount - one


def test_the_words_are_one_definition() -> None:
    assert paid_words(500, 200) == {
        "paid_pence": 300,
        "paid_net_pence": 300,
        "paid_gross_pence": 500,
        "returned_pence": 200,
    }
