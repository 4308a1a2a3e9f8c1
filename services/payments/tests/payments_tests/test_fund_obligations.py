"""The fund's obligations by financial year: the 225 left-behind wards' grants, recomputed from schedules and ledger."""

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Role
from grants_shared.db import make_engine, migrate, session_factory
from grants_shared.delivery.apply import apply_event
from grants_shared.delivery.messages import Route
from grants_shared.drawdown import financial_year, load_plan
from grants_shared.events import Envelope, event_class
from grants_shared.events.envelope import envelope_of
from payments import bootstrap
from payments.adapters.ledger_store import balances
from payments.domain.schedule import SEMI_ANNUAL, build_schedule
from payments_tests.kit import AWARDED_AT, awarded, bearer, deliver, on_grant_awarded
from reporting.consumers.events import consumed
from reporting.read.obligations import obligations_view
from tests.support.infra import fresh_database

Sessions = sessionmaker[Session]
WARDS = 225
OPERATOR = bearer(Role.OPERATOR, subject="otto")
REPORTING = [Route(event, handle) for event, handle in consumed()]


def published(sessions: Sessions) -> list[Envelope[Any]]:
    """Every envelope payments wrote to its outbox, in order, as a consumer reads it."""
    with sessions() as session:
        bodies = session.scalars(
            tables.outbox.select().with_only_columns(tables.outbox.c.body).order_by(tables.outbox.c.id)
        )
        documents = [json.loads(body) for body in bodies]
    return [
        envelope_of(event_class(d["event_type"], d["event_version"], d["producer"])).model_validate(d)
        for d in documents
    ]


def reporting_obligations(envelopes: list[Envelope[Any]], database_url: str, tmp: Path) -> dict[str, Any]:
    """Reporting's obligations after it applies the awards and everything payments published."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with fresh_database(kind, tmp, "reportingobl") as url:
        migrate(url, "reporting")
        engine = make_engine(url)
        try:
            reporting = session_factory(engine)
            for envelope in envelopes:
                assert apply_event(reporting, "reporting", REPORTING, envelope)
            with reporting() as session:
                return obligations_view(session)
        finally:
            engine.dispose()


def test_obligations_equal_the_unpaid_scheduled_tranches_and_the_ledger_to_the_penny(
    client: TestClient, env: str, tmp_path: Path
) -> None:
    sessions = bootstrap.sessions()
    rng = random.Random(13)
    grants = [(f"g-{i}", rng.randint(100_000_000, 250_000_000) + i, rng.choice([120, 150, 180])) for i in range(WARDS)]
    awards = [awarded(grant_id, amount=amount, months=months) for grant_id, amount, months in grants]
    for award in awards:
        assert deliver(sessions, award, on_grant_awarded)

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
    assert reporting_obligations([*awards, *published(sessions)], env, tmp_path) == body


def test_obligations_are_for_finance_and_operators(client: TestClient) -> None:
    assert client.get("/fund/obligations", headers=bearer(Role.APPLICANT, subject="a", org="o")).status_code == 403
    assert client.get("/fund/obligations?years=0", headers=OPERATOR).status_code in (400, 422)
