"""The authorisation matrix of applications: every route x every caller x own / other organisation, every cell checked.

"own": the caller's token names the organisation that owns the object; "other": it names another organisation.
A refused cell must write nothing; a cell that succeeds gets objects of its own, so cells cannot disturb each other.
The machinery (tokens, the walk of the app's routes, the whole-database snapshot) is tests/support/authz_matrix.py.
"""

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from applications.api import create_app
from tests.support.authz_matrix import Cell, Snapshot, World, cells, uncovered, wrong_cells

from .kit import JOINED, OPERATOR, application_body, members, organisation_body

MATRIX = """
method route                                           whose app  ass  op   int  fo   fa   none exp  aud
POST   /organisations                                  own   403  403  201  403  403  403  401  401  401
POST   /organisations                                  other 403  403  201  403  403  403  401  401  401
GET    /organisations/{org}                            own   200  200  200  403  403  403  401  401  401
GET    /organisations/{org}                            other 404  200  200  403  403  403  401  401  401
PATCH  /organisations/{org}                            own   403  403  200  403  403  403  401  401  401
PATCH  /organisations/{org}                            other 403  403  200  403  403  403  401  401  401
POST   /partnerships                                   own   201  403  201  403  403  403  401  401  401
POST   /partnerships                                   other 403  403  201  403  403  403  401  401  401
GET    /partnerships/{p}                               own   200  200  200  403  403  403  401  401  401
GET    /partnerships/{p}                               other 404  200  200  403  403  403  401  401  401
POST   /partnerships/{p}/members                       own   200  403  200  403  403  403  401  401  401
POST   /partnerships/{p}/members                       other 404  403  200  403  403  403  401  401  401
POST   /partnerships/{p}/members/{m}/leave             own   200  403  200  403  403  403  401  401  401
POST   /partnerships/{p}/members/{m}/leave             other 404  403  200  403  403  403  401  401  401
POST   /applications                                   own   201  403  201  403  403  403  401  401  401
POST   /applications                                   other 404  403  201  403  403  403  401  401  401
GET    /applications/{app}                             own   200  200  200  403  403  403  401  401  401
GET    /applications/{app}                             other 404  200  200  403  403  403  401  401  401
PATCH  /applications/{app}                             own   200  403  200  403  403  403  401  401  401
PATCH  /applications/{app}                             other 404  403  200  403  403  403  401  401  401
POST   /applications/{app}/submit                      own   200  403  200  403  403  403  401  401  401
POST   /applications/{app}/submit                      other 404  403  200  403  403  403  401  401  401
POST   /applications/{app}/withdraw                    own   200  403  200  403  403  403  401  401  401
POST   /applications/{app}/withdraw                    other 404  403  200  403  403  403  401  401  401
GET    /applications                                   own   200  200  200  403  403  403  401  401  401
GET    /applications                                   other 200  200  200  403  403  403  401  401  401
GET    /audit?entity_type=application&entity_id={app}  own   403  403  200  403  403  403  401  401  401
GET    /audit?entity_type=application&entity_id={app}  other 403  403  200  403  403  403  401  401  401
GET    /neighbourhoods/{ward}                          own   200  200  200  200  200  200  401  401  401
GET    /neighbourhoods/{ward}                          other 200  200  200  200  200  200  401  401  401
GET    /neighbourhoods                                 own   200  200  200  200  200  200  401  401  401
GET    /neighbourhoods                                 other 200  200  200  200  200  200  401  401  401
GET    /registry/vintages                              own   200  200  200  200  200  200  401  401  401
GET    /registry/vintages                              other 200  200  200  200  200  200  401  401  401
POST   /partnerships/{p}/adviser                       own   403  200  200  403  403  403  401  401  401
POST   /partnerships/{p}/adviser                       other 403  200  200  403  403  403  401  401  401
GET    /partnerships/{p}/adviser                       own   403  404  404  403  403  403  401  401  401
GET    /partnerships/{p}/adviser                       other 403  404  404  403  403  403  401  401  401
GET    /neighbourhoods/{ward}/history                  own   403  200  200  403  403  403  401  401  401
GET    /neighbourhoods/{ward}/history                  other 403  200  200  403  403  403  401  401  401
"""
BODIES: dict[str, Any] = {
    "PATCH /organisations/{org}": {"due_diligence": "passed"},
    "POST /partnerships/{p}/members": {"name": "New member", "resident": True, "joined_on": JOINED},
    "POST /partnerships/{p}/members/{m}/leave": {"left_on": JOINED},
    "PATCH /applications/{app}": {"summary": "A changed plan."},
    "POST /applications/{app}/withdraw": {"reason": "Checking who may withdraw."},
    "POST /partnerships/{p}/adviser": {"name": "A named adviser"},
}


class Seed:
    """Two organisations; objects of the first are the targets, made afresh for every cell that may change them."""

    def __init__(self, client: TestClient, ward: str) -> None:
        self.client, self.ward, self.numbers = client, ward, count(3)
        self.owner = self._post("/organisations", organisation_body(1))["id"]
        self.stranger = self._post("/organisations", organisation_body(2))["id"]

    def _post(self, path: str, body: Any) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=OPERATOR)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def partnership_body(self) -> dict[str, Any]:
        """A compliant partnership of the owner in the ward."""
        return {"organisation_id": self.owner, "name": "R", "neighbourhood_code": self.ward, "members": members()}

    def targets(self) -> dict[str, str]:
        """A partnership of the owner with a current member, and a draft application of it."""
        p = self._post("/partnerships", self.partnership_body())
        app = self._post("/applications", application_body(p["id"]))
        return {"org": self.owner, "p": p["id"], "m": p["members"][0]["id"], "app": app["id"], "ward": self.ward}

    def body(self, cell: Cell, ids: dict[str, str]) -> Any:
        """The request body of a cell."""
        if cell.route == "/organisations":
            return organisation_body(next(self.numbers))
        if cell.route == "/partnerships":
            return self.partnership_body()
        if cell.route == "/applications":
            return application_body(ids["p"])
        return BODIES.get(f"{cell.method} {cell.route}")


@pytest.fixture
def unlimited(registry: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API without rate limiting: the matrix makes hundreds of calls in a second."""
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def test_every_route_has_rows_in_the_matrix(unlimited: TestClient) -> None:
    assert uncovered(unlimited.app, cells(MATRIX)) == []  # type: ignore[arg-type]


def test_every_cell_of_the_authorisation_matrix(
    unlimited: TestClient, registry: Any, sessions: sessionmaker[Session]
) -> None:
    seed = Seed(unlimited, registry.left_behind_wards()[0].code)
    shared = seed.targets()
    world = World(seed.owner, seed.stranger, shared, lambda cell: seed.targets(), seed.body, frozenset({"ward"}))
    wrong = wrong_cells(unlimited, cells(MATRIX), world, Snapshot(sessions))
    assert wrong == [], "\n".join(wrong)
    assert len(cells(MATRIX)) == 20 * 2 * 9
