"""Demonstration rounds: their awards are published and labelled, and count in no pool or drawdown figure."""

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.fund_store import obligations_by_year
from allocation.adapters.orm import RegistryVintage, RegistryWard
from allocation_tests.db import AWARDED
from allocation_tests.kit import ROUND
from allocation_tests.seed import T0, need, seed_pool
from grants_shared import tables


def post(client: TestClient, headers: dict[str, str], path: str, body: Any = None, status: int = 201) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def fund_figures(client: TestClient, headers: dict[str, str], sessions: sessionmaker[Session]) -> Any:
    """The pools, the drawdown obligations and a stress test: every fund figure allocation shows."""
    with sessions() as session:
        owed = obligations_by_year(session)
    stress = client.get("/fund/stress?endowment_fall_bps=5000&cut_bps=9000", headers=headers)
    assert stress.status_code == 200, stress.text
    return client.get("/pools", headers=headers).json(), owed, stress.json()


def awarded_payloads(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    with sessions() as session:
        bodies = session.scalars(select(tables.outbox.c.body).where(tables.outbox.c.stream == AWARDED)).all()
    return [json.loads(body)["payload"] for body in bodies]


def test_a_demonstration_round_awards_labelled_grants_and_moves_no_fund_figure(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 12)
    before = fund_figures(client, operator, sessions)
    opened = post(client, operator, "/rounds", {**ROUND, "name": "Demo", "demonstration": True})
    assert opened["demonstration"] is True and opened["scenario"] is False
    run = post(client, operator, f"/rounds/{opened['id']}/runs", {"mode": "commit"})
    assert run["totals"]["awards"] > 0
    payloads = awarded_payloads(sessions)
    assert len(payloads) == run["totals"]["awards"] and all(p["demonstration"] is True for p in payloads)
    assert fund_figures(client, operator, sessions) == before
    assert client.get(f"/rounds/{opened['id']}", headers=operator).json()["demonstration"] is True

    real = post(client, operator, "/rounds", {**ROUND, "name": "Real"})
    assert real["demonstration"] is False
    post(client, operator, f"/rounds/{real['id']}/runs", {"mode": "commit"})
    pools = client.get("/pools", headers=operator).json()
    main = next(p for p in pools if p["id"] == "main")
    real_awards = [p for p in awarded_payloads(sessions) if not p["demonstration"]]
    assert real_awards and main["committed_pence"] == sum(p["amount_pence"] for p in real_awards)


def _hold_synthetic_registry(sessions: sessionmaker[Session], wards: int) -> str:
    """A synthetic vintage in force and held, with the pool's wards (as the applications registry would give)."""
    inputs_hash = "5" * 64
    with sessions() as session:
        session.add(
            RegistryVintage(
                inputs_hash=inputs_hash,
                name="IoD2019-synthetic",
                ward_count=wards,
                left_behind_count=wards,
                synthetic=True,
                loaded_at=T0,
                status="held",
                wards_held=wards,
                fetched_at=T0,
                attempts=1,
                event_id="e" * 36,
            )
        )
        session.flush()
        for i in range(wards):
            session.add(RegistryWard(inputs_hash=inputs_hash, code=need(i).code, snapshot=need(i).model_dump()))
        session.commit()
    return inputs_hash


def test_a_run_committed_on_a_synthetic_registry_is_marked_a_demonstration(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 6)
    inputs_hash = _hold_synthetic_registry(sessions, 6)
    before = fund_figures(client, operator, sessions)
    opened = post(client, operator, "/rounds", {**ROUND, "name": "Looks real"})
    assert opened["demonstration"] is False
    run = post(client, operator, f"/rounds/{opened['id']}/runs", {"mode": "commit"})
    assert run["registry"]["source"] == "registry" and run["registry"]["inputs_hash"] == inputs_hash
    assert run["totals"]["awards"] > 0
    assert all(p["demonstration"] is True for p in awarded_payloads(sessions))
    assert client.get(f"/rounds/{opened['id']}", headers=operator).json()["demonstration"] is True
    assert fund_figures(client, operator, sessions) == before


def test_demonstration_must_be_a_boolean(client: TestClient, operator: dict[str, str]) -> None:
    refused = client.post("/rounds", json={**ROUND, "demonstration": "yes"}, headers=operator)
    assert refused.status_code == 422 and refused.json()["code"] == "validation-error"
