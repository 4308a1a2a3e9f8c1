"""The fund's obligations by financial year: the 225 left-behind wards' grants, recomputed from schedules and ledger."""

import random
from collections import defaultdict

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from grants_shared.drawdown import financial_year, load_plan
from payments import bootstrap
from payments.adapters.ledger_store import balances
from payments.domain.schedule import SEMI_ANNUAL, build_schedule
from payments_tests.kit import AWARDED_AT, awarded, bearer, deliver, on_grant_awarded

Sessions = sessionmaker[Session]
WARDS = 225
OPERATOR = bearer(Role.OPERATOR, subject="otto")


def test_obligations_equal_the_unpaid_scheduled_tranches_and_the_ledger_to_the_penny(client: TestClient) -> None:
    sessions = bootstrap.sessions()
    rng = random.Random(13)
    grants = [(f"g-{i}", rng.randint(100_000_000, 250_000_000) + i, rng.choice([120, 150, 180])) for i in range(WARDS)]
    for grant_id, amount, months in grants:
        assert deliver(sessions, awarded(grant_id, amount=amount, months=months), on_grant_awarded)

    body = client.get("/fund/obligations", headers=OPERATOR).json()

    expected: dict[str, int] = defaultdict(int)
    for _, amount, months in grants:
        for tranche in build_schedule(amount, months, AWARDED_AT.date(), SEMI_ANNUAL):
            expected[financial_year(tranche.due_on)] += tranche.amount_pence
    owed = {row["year"]: row["obligations_pence"] for row in body["years"] if row["obligations_pence"]}
    assert owed == dict(expected)
    with sessions() as session:
        commitments = sum(v for k, v in balances(session, None).items() if k.endswith(":commitment"))
    assert body["total_pence"] == abs(commitments) == sum(a for _, a, _ in grants)
    plan = load_plan()
    assert [row["year"] for row in body["years"]][: len(plan.years)] == list(plan.years)
    assert not any(row["over"] for row in body["years"])


def test_obligations_are_for_finance_and_operators(client: TestClient) -> None:
    assert client.get("/fund/obligations", headers=bearer(Role.APPLICANT, subject="a", org="o")).status_code == 403
    assert client.get("/fund/obligations?years=0", headers=OPERATOR).status_code in (400, 422)
