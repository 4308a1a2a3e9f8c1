"""Bad requests to the run routes are 4xx problems and write nothing."""

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation_tests.db import written
from allocation_tests.kit import ROUND
from allocation_tests.seed import seed_pool

BAD_RUNS: list[Any] = [
    {},
    {"mode": "dry-run"},
    {"mode": "COMMIT"},
    {"mode": "commit", "awarded_pence": 5},  # clients never set amounts
    {"mode": "commit", "decisions": []},
    ["commit"],
    "commit",
    None,
]


def test_a_bad_run_request_is_a_422_problem_and_writes_nothing(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    seed_pool(sessions, 3)
    round_id = client.post("/rounds", json=ROUND, headers=operator).json()["id"]
    before = written(sessions)
    for body in BAD_RUNS:
        response = client.post(f"/rounds/{round_id}/runs", json=body, headers={**operator, "Idempotency-Key": "k"})
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert written(sessions) == before


def test_bad_paging_and_references_are_problems(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    for query in ("limit=0", "limit=201", "offset=-1", "limit=abc", "offset=99999999999"):
        for path in ("/rounds", "/runs/x1/decisions"):
            response = client.get(f"{path}?{query}", headers=operator)
            assert response.status_code == 422 and response.json()["code"] == "validation-error", (path, query)
    assert client.get("/runs/diff?a=x1", headers=operator).status_code == 422
    assert client.get("/runs/diff?a=&b=x", headers=operator).status_code == 422
    assert client.get(f"/rounds/{'x' * 101}", headers=operator).status_code == 422
    for method, path in (("GET", "/runs/x1"), ("GET", "/runs/x1/decisions"), ("POST", "/runs/x1/verify")):
        response = client.request(method, path, headers=operator)
        assert response.status_code == 404 and response.json()["code"] == "run-not-found", path
    assert set(written(sessions).values()) == {0}


def test_a_bad_idempotency_key_is_refused(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = client.post("/rounds", json=ROUND, headers={**operator, "Idempotency-Key": "k" * 201})
    assert response.status_code == 400 and response.json()["code"] == "bad-idempotency-key"
    assert set(written(sessions).values()) == {0}


def test_an_oversized_body_is_a_413_problem(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    response = client.post("/rounds", json={**ROUND, "name": "x" * 300_000}, headers=operator)
    assert response.status_code == 413 and response.json()["code"] == "body-too-large"
    assert set(written(sessions).values()) == {0}


def test_unknown_or_repeated_query_parameters_are_refused(client: TestClient, operator: dict[str, str]) -> None:
    # A misspelt or doubled filter would otherwise be ignored, or cut to its last value, and change the answer silently.
    for path, expected in (
        ("/pool?limt=5", [["query", "limt"], "extra_forbidden"]),
        ("/runs/diff?a=x1&a=x2&b=x3", [["query", "a"], "repeated"]),
        ("/rounds?limit=5&limit=6", [["query", "limit"], "repeated"]),
    ):
        response = client.get(path, headers=operator)
        assert response.status_code == 422 and response.json()["code"] == "validation-error", path
        assert [[e["loc"], e["type"]] for e in response.json()["errors"]] == [expected], path
    assert client.get("/rounds?limit=5&offset=0", headers=operator).status_code == 200


def test_a_round_named_with_control_characters_is_a_422_and_writes_nothing(
    client: TestClient, operator: dict[str, str], sessions: sessionmaker[Session]
) -> None:
    before = written(sessions)
    for name in ("\x00", "Round\x00one", "   ", "Round \ud800", "Round\x1b[2J", "Round\x7f", "Round\none"):
        body = json.dumps({**ROUND, "name": name})  # ASCII escapes: a lone surrogate travels as \\ud800
        response = client.post("/rounds", content=body, headers={**operator, "content-type": "application/json"})
        assert response.status_code == 422, (name, response.text)
        assert response.json()["code"] == "validation-error"
    caps = {**ROUND, "region_caps": {"North\x00East": 5000}}
    assert client.post("/rounds", json=caps, headers=operator).status_code == 422
    floors = {**ROUND, "region_floors": {"North\x85East": 5000}}
    assert client.post("/rounds", json=floors, headers=operator).status_code == 422
    assert written(sessions) == before
