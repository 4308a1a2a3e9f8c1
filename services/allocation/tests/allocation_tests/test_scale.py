"""A run over all 225 'left behind' neighbourhoods through the API (timed, never asserted on time)."""

import time

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import AWARDED, DECIDED, outbox
from allocation_tests.seed import seed_pool

FUND = {
    "name": "Community Wealth Fund",
    "budget_pence": 17_500_000_000,
    "min_award_pence": 100_000_000,
    "max_award_pence": 250_000_000,
}


def test_a_run_over_225_applications(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 225)
    round_id = client.post("/rounds", json=FUND, headers=operator).json()["id"]
    timings = {}
    for mode in ("simulate", "commit"):
        started = time.perf_counter()
        response = client.post(f"/rounds/{round_id}/runs", json={"mode": mode}, headers=operator)
        timings[mode] = time.perf_counter() - started
        assert response.status_code == 201, response.text
    body = response.json()
    print(
        f"\n225 applications: simulate {timings['simulate'] * 1000:.0f} ms, commit {timings['commit'] * 1000:.0f} ms"
        f" ({body['totals']['awards']} awards, {body['totals']['awarded_pence']} pence)"
    )
    assert body["totals"]["considered"] == 225 and body["totals"]["awarded_pence"] <= FUND["budget_pence"]
    assert outbox(sessions, DECIDED) == 225 and outbox(sessions, AWARDED) == body["totals"]["awards"]
    started = time.perf_counter()
    verified = client.post(f"/runs/{body['run_id']}/verify", headers=operator).json()
    print(f"verify {(time.perf_counter() - started) * 1000:.0f} ms")
    assert verified["verified"] is True
