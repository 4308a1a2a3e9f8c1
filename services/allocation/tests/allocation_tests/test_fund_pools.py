"""The 225 left-behind wards funded over several rounds from one pool under a 20-year drawdown plan, over HTTP."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.fund_store import obligations_by_year
from allocation.adapters.orm import AssessedApplication, Award
from allocation_tests.kit import ROUND
from allocation_tests.seed import seed_pool
from grants_shared.clock import now
from grants_shared.drawdown import by_year, financial_year, start_year, tranches, year_label

WARDS = 225
YEARLY = 3_000_000_000  # £30m a year: two £175m rounds of 10-year grants need more than that in a full year
ENDOWMENT = 60_000_000_000
FUND_ROUND = {**ROUND, "budget_pence": 17_500_000_000}


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """A 20-year plan of £30m a year from this financial year, named by GRANTS_DRAWDOWN_PLAN_FILE."""
    first = start_year(financial_year(now().date()))
    years = {year_label(first + i): YEARLY for i in range(20)}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"version": "test-1", "endowment_pence": ENDOWMENT, "years": years}))
    monkeypatch.setenv("GRANTS_DRAWDOWN_PLAN_FILE", str(path))
    yield years


def post(client: TestClient, headers: dict[str, str], path: str, body: Any, status: int = 201) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def owed(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Obligations recomputed from every award and its application's duration by the schedule rule."""
    with sessions() as session:
        rows = session.execute(
            select(Award.amount_pence, Award.awarded_at, AssessedApplication.duration_months).join(
                AssessedApplication, AssessedApplication.application_id == Award.application_id
            )
        ).all()
        assert obligations_by_year(session) == by_year(
            t for amount, at, months in rows for t in tranches(amount, months, at.date())
        )
        return obligations_by_year(session)


def test_rounds_from_one_pool_never_break_the_plan_and_the_one_that_would_says_so(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session], plan: dict[str, int]
) -> None:
    seed_pool(sessions, WARDS)
    first = post(client, operator, "/rounds", {**FUND_ROUND, "name": "Round one"})
    assert first["pool_id"] == "main" and first["scenario"] is False
    one = post(client, operator, f"/rounds/{first['id']}/runs", {"mode": "commit"})
    assert one["totals"]["awarded_pence"] > 16_000_000_000
    assert all(owed(sessions).get(y, 0) <= limit for y, limit in plan.items())

    second = post(client, operator, "/rounds", {**FUND_ROUND, "name": "Round two"})
    two = post(client, operator, f"/rounds/{second['id']}/runs", {"mode": "commit"})
    stopped = [d for d in two["decisions"] if d["binding_constraint"] == "drawdown_limit"]
    full_year = year_label(start_year(financial_year(now().date())) + 1)
    assert len(stopped) == 1 and f"would exceed the {full_year} drawdown limit" in stopped[0]["rationale"]
    assert 0 < two["totals"]["awarded_pence"] < 17_500_000_000
    after = owed(sessions)
    assert all(after.get(y, 0) <= limit for y, limit in plan.items())
    assert after[full_year] > YEARLY - 250_000_000  # the plan, not the budget, stopped the round

    committed = one["totals"]["awarded_pence"] + two["totals"]["awarded_pence"]
    pools = client.get("/pools", headers=operator).json()
    assert pools == [
        {
            "id": "main",
            "name": "Main pool",
            "total_pence": ENDOWMENT,
            "committed_pence": committed,
            "left_pence": ENDOWMENT - committed,
        }
    ]
    again = post(client, operator, f"/rounds/{first['id']}/runs", {"mode": "simulate"})  # after its commit
    assert again["totals"]["awarded_pence"] + again["totals"]["budget_left_pence"] == (
        FUND_ROUND["budget_pence"] - one["totals"]["awarded_pence"]
    )
    assert again["totals"]["considered"] == WARDS - one["totals"]["awards"] - two["totals"]["awards"]


def test_a_round_beyond_its_pool_is_refused_and_a_scenario_counts_nowhere(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session], plan: dict[str, int]
) -> None:
    seed_pool(sessions, 40)
    refused = post(client, operator, "/rounds", {**FUND_ROUND, "budget_pence": ENDOWMENT + 1}, status=422)
    assert refused["code"] == "pool-exhausted" and refused["pool_left_pence"] == ENDOWMENT
    post(client, operator, "/pools", {"id": "north", "name": "North", "total_pence": 500_000_000})
    small = post(client, operator, "/rounds", {**ROUND, "budget_pence": 500_000_000, "pool_id": "north"})
    assert small["pool_id"] == "north"
    post(client, operator, f"/rounds/{small['id']}/runs", {"mode": "commit"})
    beyond = post(client, operator, "/rounds", {**ROUND, "budget_pence": 500_000_000, "pool_id": "north"}, 422)
    assert beyond["code"] == "pool-exhausted"

    what_if = post(client, operator, "/rounds", {**FUND_ROUND, "scenario": True, "name": "What if"})
    tight = dict.fromkeys(plan, 10_000_000)
    narrow = post(client, operator, f"/rounds/{what_if['id']}/runs", {"mode": "simulate", "plan": tight})
    wide = post(client, operator, f"/rounds/{what_if['id']}/runs", {"mode": "simulate"})
    assert narrow["totals"]["awarded_pence"] < wide["totals"]["awarded_pence"]
    assert any(d["binding_constraint"] == "drawdown_limit" for d in narrow["decisions"])
    refused = post(client, operator, f"/rounds/{what_if['id']}/runs", {"mode": "commit"}, status=409)
    assert refused["code"] == "scenario-round"
    main = next(p for p in client.get("/pools", headers=operator).json() if p["id"] == "main")
    assert main["committed_pence"] == 0


def test_stress_lists_the_years_and_grants_at_risk_and_changes_nothing(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session], plan: dict[str, int]
) -> None:
    seed_pool(sessions, 60)
    round_ = post(client, operator, "/rounds", FUND_ROUND)
    run = post(client, operator, f"/rounds/{round_['id']}/runs", {"mode": "commit"})
    calm = client.get("/fund/stress", headers=operator).json()
    assert calm["years_at_risk"] == [] and calm["grants_at_risk"] == 0
    before = owed(sessions)
    shocked = client.get("/fund/stress?endowment_fall_bps=2000&cut_from=2030-31&cut_bps=9000", headers=operator)
    body = shocked.json()
    assert body["years_at_risk"] and min(body["years_at_risk"]) >= "2030-31"
    assert body["grants_at_risk"] == run["totals"]["awards"]
    assert owed(sessions) == before
