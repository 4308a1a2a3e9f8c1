"""The authorisation matrix of allocation: every route x every caller x own / other organisation, every cell checked.

Only an application's decision belongs to an organisation: rounds, runs, the pool and the registry are the fund's
own, read by operators, assessors and integrators and changed by operators alone. The machinery is
tests/support/authz_matrix.py; the objects are real (applications of two organisations assessed through the
consumer, a round opened and a run committed through the API).
"""

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from allocation import bootstrap
from allocation.api import create_app
from allocation_tests.kit import ROUND, bearer
from allocation_tests.seed import assessed, deliver, need
from grants_shared.auth import Role
from tests.support.authz_matrix import Cell, Snapshot, World, cells, uncovered, wrong_cells

MATRIX = """
method route                             whose app  ass  op   int  fo   fa   none exp  aud
POST   /rounds                           own   403  403  201  403  403  403  401  401  401
POST   /rounds                           other 403  403  201  403  403  403  401  401  401
GET    /rounds                           own   403  200  200  200  403  403  401  401  401
GET    /rounds                           other 403  200  200  200  403  403  401  401  401
GET    /rounds/{round}                   own   403  200  200  200  403  403  401  401  401
GET    /rounds/{round}                   other 403  200  200  200  403  403  401  401  401
GET    /rounds/{round}/runs              own   403  200  200  200  403  403  401  401  401
GET    /rounds/{round}/runs              other 403  200  200  200  403  403  401  401  401
POST   /rounds/{round}/close             own   403  403  200  403  403  403  401  401  401
POST   /rounds/{round}/close             other 403  403  200  403  403  403  401  401  401
POST   /rounds/{round}/runs              own   403  403  201  403  403  403  401  401  401
POST   /rounds/{round}/runs              other 403  403  201  403  403  403  401  401  401
GET    /runs/diff?a={run}&b={run}        own   403  200  200  200  403  403  401  401  401
GET    /runs/diff?a={run}&b={run}        other 403  200  200  200  403  403  401  401  401
GET    /runs/{run}                       own   403  200  200  200  403  403  401  401  401
GET    /runs/{run}                       other 403  200  200  200  403  403  401  401  401
GET    /runs/{run}/decisions             own   403  200  200  200  403  403  401  401  401
GET    /runs/{run}/decisions             other 403  200  200  200  403  403  401  401  401
POST   /runs/{run}/verify                own   403  200  200  200  403  403  401  401  401
POST   /runs/{run}/verify                other 403  200  200  200  403  403  401  401  401
GET    /applications/{app}/decision      own   200  200  200  200  403  403  401  401  401
GET    /applications/{app}/decision      other 404  200  200  200  403  403  401  401  401
GET    /pool                             own   403  200  200  200  403  403  401  401  401
GET    /pool                             other 403  200  200  200  403  403  401  401  401
GET    /registry                         own   403  200  200  200  403  403  401  401  401
GET    /registry                         other 403  200  200  200  403  403  401  401  401
GET    /pools                            own   403  200  200  200  403  403  401  401  401
GET    /pools                            other 403  200  200  200  403  403  401  401  401
POST   /pools                            own   403  403  201  403  403  403  401  401  401
POST   /pools                            other 403  403  201  403  403  403  401  401  401
GET    /fund/stress                      own   403  200  200  200  403  403  401  401  401
GET    /fund/stress                      other 403  200  200  200  403  403  401  401  401
"""
OPERATOR = bearer(Role.OPERATOR, subject="seed-operator")
OWNER, STRANGER = "org-owner", "org-stranger"


@pytest.fixture
def unlimited(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API without rate limiting: the matrix makes hundreds of calls in a second."""
    monkeypatch.setenv("ALLOCATION_DATABASE_URL", db_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    bootstrap.reset()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    bootstrap.reset()


def world(client: TestClient, sessions: sessionmaker[Session]) -> World:
    """An application of each organisation decided by a committed run, and a round for each cell that writes."""
    deliver(sessions, assessed("app-owner", need(1), organisation_id=OWNER))
    deliver(sessions, assessed("app-stranger", need(2), organisation_id=STRANGER))
    decided = post(client, "/rounds", ROUND)["id"]
    run = post(client, f"/rounds/{decided}/runs", {"mode": "commit"})["run_id"]
    shared = {"round": decided, "run": run, "app": "app-owner", "org": OWNER}

    def fresh(cell: Cell) -> dict[str, str]:
        return {**shared, "round": post(client, "/rounds", ROUND)["id"], "pool": f"pool-{uuid4().hex[:12]}"}

    def body(cell: Cell, ids: dict[str, str]) -> Any:
        pool = {"id": ids.get("pool", "pool-x"), "name": "A pool", "total_pence": 1_000_000}
        return {"POST /rounds": ROUND, "POST /rounds/{round}/runs": {"mode": "simulate"}, "POST /pools": pool}.get(
            f"{cell.method} {cell.route}"
        )

    return World(OWNER, STRANGER, shared, fresh, body, read_only=frozenset({"POST /runs/{run}/verify"}))


def post(client: TestClient, path: str, body: Any) -> dict[str, Any]:
    """An operator's POST that must succeed."""
    response = client.post(path, json=body, headers=OPERATOR)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_every_route_has_rows_in_the_matrix(unlimited: TestClient) -> None:
    assert uncovered(unlimited.app, cells(MATRIX)) == []  # type: ignore[arg-type]


def test_every_cell_of_the_authorisation_matrix(unlimited: TestClient) -> None:
    sessions = bootstrap.sessions()
    matrix = cells(MATRIX)
    wrong = wrong_cells(unlimited, matrix, world(unlimited, sessions), Snapshot(sessions))
    assert wrong == [], "\n".join(wrong)
    assert len(matrix) == 16 * 2 * 9
