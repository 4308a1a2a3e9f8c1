"""The authorisation matrix: every id-bearing route x every caller x own / other organisation, every cell checked.

"own": the caller's token names the organisation that owns the object; "other": it names another organisation.
Expired and wrong-audience tokens are operator tokens, so only the token's validity can refuse them.
A refused cell must write nothing; a cell that succeeds gets objects of its own, so cells cannot disturb each other.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from applications.api import create_app
from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings

from .kit import JOINED, OPERATOR, application_body, counts, members, organisation_body

# Callers: app = applicant, ass = assessor, op = operator, int = integrator, fo = finance_officer,
# fa = finance_approver, none = no token, exp = expired token, aud = token for another audience.
CALLERS = {
    "app": "applicant",
    "ass": "assessor",
    "op": "operator",
    "int": "integrator",
    "fo": "finance_officer",
    "fa": "finance_approver",
    "none": "no_token",
    "exp": "expired",
    "aud": "wrong_audience",
}
MATRIX = """
method route                                           whose app  ass  op   int  fo   fa   none exp  aud
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
GET    /audit?entity_type=application&entity_id={app}  own   403  403  200  403  403  403  401  401  401
GET    /audit?entity_type=application&entity_id={app}  other 403  403  200  403  403  403  401  401  401
GET    /neighbourhoods/{ward}                          own   200  200  200  200  200  200  401  401  401
GET    /neighbourhoods/{ward}                          other 200  200  200  200  200  200  401  401  401
"""
BODIES: dict[str, Any] = {
    "PATCH /organisations/{org}": {"due_diligence": "passed"},
    "POST /partnerships/{p}/members": {"name": "New member", "resident": True, "joined_on": JOINED},
    "POST /partnerships/{p}/members/{m}/leave": {"left_on": JOINED},
    "PATCH /applications/{app}": {"summary": "A changed plan."},
    "POST /applications/{app}/withdraw": {"reason": "Checking who may withdraw."},
}


def cells() -> list[tuple[str, str, str, str, int]]:
    """(method, route, whose, caller, expected status) for every cell of the table."""
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return [
        (method, route, whose, caller, int(status))
        for method, route, whose, *statuses in rows
        for caller, status in zip((CALLERS[c] for c in header[3:]), statuses, strict=True)
    ]


def headers(caller: str, org: str) -> dict[str, str]:
    """The Authorization header of `caller`, its token naming organisation `org`."""
    settings = PlatformSettings()
    if caller == "no_token":
        return {}
    if caller == "expired":
        token = mint_token(settings, subject="t-exp", roles=[Role.OPERATOR], organisation_id=org, ttl=timedelta(-1))
    elif caller == "wrong_audience":
        other = PlatformSettings(jwt_audience="another-api")
        token = mint_token(other, subject="t-aud", roles=[Role.OPERATOR], organisation_id=org)
    else:
        token = mint_token(settings, subject=f"t-{caller}", roles=[Role(caller)], organisation_id=org)
    return {"Authorization": f"Bearer {token}"}


class World:
    """Two organisations; objects of the first are the targets, made afresh for every cell that may change them."""

    def __init__(self, client: TestClient, ward: str) -> None:
        self.client, self.ward = client, ward
        self.owner = self._post("/organisations", organisation_body(1))["id"]
        self.stranger = self._post("/organisations", organisation_body(2))["id"]

    def _post(self, path: str, body: Any) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=OPERATOR)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def targets(self) -> dict[str, str]:
        """A partnership of the owner with a current member, and a draft application of it."""
        body = {"organisation_id": self.owner, "name": "R", "neighbourhood_code": self.ward, "members": members()}
        p = self._post("/partnerships", body)
        app = self._post("/applications", application_body(p["id"]))
        return {"org": self.owner, "p": p["id"], "m": p["members"][0]["id"], "app": app["id"], "ward": self.ward}


@pytest.fixture
def unlimited(registry: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The API without rate limiting: the matrix makes hundreds of calls in a second."""
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client


def test_every_cell_of_the_authorisation_matrix(unlimited: TestClient, registry: Any, sessions: Any) -> None:
    world = World(unlimited, registry.left_behind_wards()[0].code)
    shared = world.targets()
    wrong = []
    for method, route, whose, caller, expected in cells():
        writes = method != "GET" and expected < 400
        ids = world.targets() if writes else shared
        path = route.format(**ids)
        body = BODIES.get(f"{method} {route}")
        if route == "/partnerships":
            body = {"organisation_id": ids["org"], "name": "R", "neighbourhood_code": world.ward, "members": members()}
        if route == "/applications":
            body = application_body(ids["p"])
        before = None if writes else counts(sessions)
        token_org = world.owner if whose == "own" else world.stranger
        response = unlimited.request(method, path, json=body, headers=headers(caller, token_org))
        problem = response.status_code >= 400 and not response.headers["content-type"].startswith("application/problem")
        if response.status_code != expected or problem or (before is not None and counts(sessions) != before):
            wrong.append(f"{method} {route} {whose} {caller}: {response.status_code}, expected {expected}")
    assert wrong == [], "\n".join(wrong)
    assert len(cells()) == 26 * 9
