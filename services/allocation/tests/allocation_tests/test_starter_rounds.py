"""Starter rounds: least-first among the places not yet ready for a main award, over the 225 left-behind wards."""

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import AWARDED
from allocation_tests.seed import T0, assessed, deliver, need, partnership
from grants_shared import tables

WARDS = 225
MAIN_AWARDED = range(0, 30)  # a main award already: not a starter place
MAIN_ELIGIBLE = range(30, 60)  # a main application assessed eligible: ready for the main award
STARTER = {
    "name": "Starter round 1",
    "grant_type": "starter",
    "budget_pence": 200_000_000,  # £2m: not enough for every forming place
    "min_award_pence": 500_000,
    "max_award_pence": 5_000_000,
}
MAIN = {
    "name": "Main round 1",
    "budget_pence": 17_500_000_000,
    "min_award_pence": 100_000_000,
    "max_award_pence": 250_000_000,
}


def _starter_asks(i: int) -> int:
    return 1_000_000 + (i % 5) * 1_000_000  # £10k to £50k


def _starter_application(sessions: sessionmaker[Session], i: int) -> str:
    envelope = assessed(f"starter-{i:04d}", need(i), requested_pence=_starter_asks(i), at=T0 + timedelta(minutes=i))
    payload = envelope.payload.model_copy(update={"grant_type": "starter", "duration_months": 12})
    deliver(sessions, envelope.model_copy(update={"payload": payload}))
    return f"starter-{i:04d}"


def _main_application(sessions: sessionmaker[Session], i: int) -> str:
    deliver(sessions, assessed(f"main-{i:04d}", need(i), at=T0 + timedelta(minutes=i)))
    return f"main-{i:04d}"


def _commit(client: TestClient, operator: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    opened = client.post("/rounds", json=body, headers=operator)
    assert opened.status_code == 201, opened.text
    run = client.post(f"/rounds/{opened.json()['id']}/runs", json={"mode": "commit"}, headers=operator)
    assert run.status_code == 201, run.text
    result: dict[str, Any] = run.json()
    return result


def _awarded_events(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as session:
        rows = session.scalars(select(tables.outbox.c.body).where(tables.outbox.c.stream == AWARDED))
        return [json.loads(body)["payload"] for body in rows]


def test_a_starter_round_over_the_left_behind_wards_funds_only_places_not_ready_for_a_main_award(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    main_awarded = [_main_application(sessions, i) for i in MAIN_AWARDED]
    main_run = _commit(client, operator, MAIN)
    assert {d["application_id"] for d in main_run["decisions"] if d["awarded"]} == set(main_awarded)
    for i in MAIN_ELIGIBLE:
        _main_application(sessions, i)
    starters = [_starter_application(sessions, i) for i in range(WARDS)]
    forming = set(starters[MAIN_ELIGIBLE.stop :])

    pool = client.get("/pool?grant_type=starter&limit=200", headers=operator).json()
    assert pool["total"] == len(forming)
    main_pool = client.get("/pool?limit=200", headers=operator).json()
    assert {a["application_id"] for a in main_pool["items"]} == {f"main-{i:04d}" for i in MAIN_ELIGIBLE}

    run = _commit(client, operator, STARTER)
    decided = {d["application_id"]: d for d in run["decisions"]}
    assert set(decided) == forming and run["totals"]["considered"] == len(forming)
    awarded = [d for d in run["decisions"] if d["awarded"]]
    assert 0 < len(awarded) < len(forming), "the budget must bind for the test to show least-first"
    assert run["totals"]["awarded_pence"] == sum(d["awarded_pence"] for d in awarded) <= STARTER["budget_pence"]
    ranked = sorted((d for d in run["decisions"] if d["rank"] is not None), key=lambda d: d["rank"])
    # Least-first: the awards are the neediest places, in rank order, until the budget runs out.
    assert [d["application_id"] for d in ranked[: len(awarded)]] == [d["application_id"] for d in awarded]
    assert all(not d["awarded"] for d in ranked[len(awarded) :])
    for d in awarded:
        assert d["awarded_pence"] == _starter_asks(int(d["application_id"].split("-")[1]))

    events = [e for e in _awarded_events(sessions) if e["round_id"] == run["round_id"]]
    assert len(events) == len(awarded) and {e["grant_type"] for e in events} == {"starter"}
    main_events = [e for e in _awarded_events(sessions) if e["round_id"] == main_run["round_id"]]
    assert {e["grant_type"] for e in main_events} == {"main"}
    assert client.post(f"/runs/{run['run_id']}/verify", headers=operator).json()["verified"] is True
    left = client.get("/pool?grant_type=starter&limit=200", headers=operator).json()["total"]
    assert left == len(forming) - len(awarded)


def test_a_forming_partnership_judged_by_the_starter_rules_is_awarded(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    application_id = _starter_application(sessions, 3)
    deliver(sessions, partnership(f"p-{application_id}", False, at=T0 + timedelta(hours=1)))  # main rules: too few
    round_id = client.post("/rounds", json=STARTER, headers=operator).json()["id"]
    simulated = client.post(f"/rounds/{round_id}/runs", json={"mode": "simulate"}, headers=operator).json()
    assert [d["awarded"] for d in simulated["decisions"]] == [False]
    change = partnership(f"p-{application_id}", True, at=T0 + timedelta(hours=2))
    starter_rules = change.payload.model_copy(update={"grant_type": "starter"})
    deliver(sessions, change.model_copy(update={"payload": starter_rules}))
    run = client.post(f"/rounds/{round_id}/runs", json={"mode": "commit"}, headers=operator).json()
    assert [d["awarded"] for d in run["decisions"]] == [True]


def test_a_starter_round_refuses_main_sized_awards(client: TestClient, operator: dict[str, str]) -> None:
    refused = client.post("/rounds", json={**STARTER, "max_award_pence": 100_000_000}, headers=operator)
    assert refused.status_code == 422 and refused.json()["code"] == "starter-award-too-large"
    opened = client.post("/rounds", json=STARTER, headers=operator).json()
    assert opened["grant_type"] == "starter"
    assert client.get(f"/rounds/{opened['id']}", headers=operator).json()["grant_type"] == "starter"
