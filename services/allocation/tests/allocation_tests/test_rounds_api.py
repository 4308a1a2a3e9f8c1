"""Opening, reading and closing rounds over HTTP; every refusal is a problem with nothing written."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import outbox, written
from allocation_tests.kit import ROUND
from grants_shared.events import RoundClosed, RoundOpened


def test_opening_a_round_publishes_round_opened(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = client.post("/rounds", json=ROUND, headers=operator)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "open" and body["name"] == "Round one" and len(body["policy_hash"]) == 64
    assert body["policy"]["budget_pence"] == 1_000_000_000 and body["policy"]["eligibility"] == "left_behind"
    assert body["policy"]["imd_weight"] == 100 and body["policy"]["cni_weight"] == 0
    assert outbox(sessions, RoundOpened.stream()) == 1
    assert client.get(f"/rounds/{body['id']}", headers=operator).json() == body
    listed = client.get("/rounds?limit=10&offset=0", headers=operator).json()
    assert listed["total"] == 1 and listed["items"] == [body]


def test_closing_a_round_publishes_round_closed_once(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    closed = client.post(f"/rounds/{round_id}/close", headers=operator)
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_at"]
    again = client.post(f"/rounds/{round_id}/close", headers=operator)
    assert again.status_code == 409 and again.json()["code"] == "round-closed"
    assert outbox(sessions, RoundClosed.stream()) == 1


def test_a_retried_post_with_the_same_key_opens_one_round(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    headers = {**operator, "Idempotency-Key": "round-1"}
    first = client.post("/rounds", json=ROUND, headers=headers)
    second = client.post("/rounds", json=ROUND, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    reused = client.post("/rounds", json={**ROUND, "name": "Other"}, headers=headers)
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency-key-reused"
    assert written(sessions)["rounds"] == 1 and outbox(sessions) == 1


BAD_ROUNDS: list[dict[str, Any]] = [
    {**ROUND, "min_award_pence": 300_000_000},  # min above max
    {**ROUND, "max_award_pence": 2_000_000_000},  # max above budget
    {**ROUND, "budget_pence": 0},
    {**ROUND, "budget_pence": -5},
    {**ROUND, "budget_pence": 10.5},  # a float near money
    {**ROUND, "budget_pence": "1000000000"},  # a string is not pence
    {**ROUND, "budget_pence": 10**20},  # beyond any fund
    {**ROUND, "reserve_pence": 1_000_000_000},  # reserve swallows the budget
    {**ROUND, "reserve_pence": 950_000_000},  # what is left cannot fund one minimum award
    {**ROUND, "imd_weight": 60, "cni_weight": 60},
    {**ROUND, "imd_weight": 101, "cni_weight": -1},
    {**ROUND, "eligibility": "everyone"},
    {**ROUND, "partial_awards": "yes"},
    {**ROUND, "name": ""},
    {**ROUND, "name": "x" * 201},
    {**ROUND, "status": "closed"},  # clients never set status
    {**ROUND, "region_floors": {"North East": 2_000_000_000}},  # floors above the budget
    {**ROUND, "region_caps": {"North East": 1}, "region_floors": {"North East": 100_000_000}},  # floor above cap
    {key: value for key, value in ROUND.items() if key != "budget_pence"},
]


def test_a_bad_round_is_a_422_problem_and_writes_nothing(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for body in BAD_ROUNDS:
        response = client.post("/rounds", json=body, headers={**operator, "Idempotency-Key": "k"})
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] in ("validation-error", "invalid-policy")
    assert set(written(sessions).values()) == {0}


def test_malformed_json_is_a_problem(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = client.post("/rounds", content=b"{not json", headers={**operator, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "validation-error"
    assert set(written(sessions).values()) == {0}


def test_unknown_rounds_are_404_problems(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    assert client.get("/rounds/nope", headers=operator).json()["code"] == "round-not-found"
    closed = client.post("/rounds/nope/close", headers=operator)
    run = client.post("/rounds/nope/runs", json={"mode": "simulate"}, headers=operator)
    assert closed.status_code == run.status_code == 404
    assert set(written(sessions).values()) == {0}
