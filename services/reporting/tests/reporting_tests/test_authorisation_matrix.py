"""The authorisation matrix of reporting: every route x every caller x own / other organisation, every cell checked.

Grants, their timelines and impact reports belong to an organisation: its applicants read them and report on its
grants, another organisation's applicants get the 404 an unknown id gets. The fund's figures are for staff; only an
assessor reviews a report; the 360Giving publication shows every grant to everyone. The API runs with production
settings, where the dashboard is an operator's (elsewhere it is open, like a local tool). The machinery is
tests/support/authz_matrix.py; grants are projected through the consumer, reports sent to the API.
"""

from collections.abc import Iterator
from datetime import date
from functools import partial
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role
from reporting import bootstrap
from reporting.api import create_app
from tests.support.authz_matrix import Cell, Snapshot, World, cells, provider_headers, uncovered, wrong_cells
from tests.support.oidc import OidcProvider

from .story import Story, deliver
from .test_reports_api import report_body
from .webhooks.life import WEBHOOK_BODIES, subscribe

MATRIX = """
method route                                 whose app  ass  op   int  fo   fa   none exp  aud
POST   /reports                              own   201  403  201  403  403  403  401  401  401
POST   /reports                              other 404  403  201  403  403  403  401  401  401
GET    /reports                              own   200  200  200  200  200  200  401  401  401
GET    /reports                              other 200  200  200  200  200  200  401  401  401
GET    /reports/{report}                     own   200  200  200  200  200  200  401  401  401
GET    /reports/{report}                     other 404  200  200  200  200  200  401  401  401
POST   /reports/{report}/accept              own   403  200  403  403  403  403  401  401  401
POST   /reports/{report}/accept              other 403  200  403  403  403  403  401  401  401
POST   /reports/{report}/request-changes     own   403  200  403  403  403  403  401  401  401
POST   /reports/{report}/request-changes     other 403  200  403  403  403  403  401  401  401
GET    /grants/{grant}                       own   200  200  200  200  200  200  401  401  401
GET    /grants/{grant}                       other 404  200  200  200  200  200  401  401  401
GET    /grants/{grant}/timeline              own   200  200  200  200  200  200  401  401  401
GET    /grants/{grant}/timeline              other 404  200  200  200  200  200  401  401  401
GET    /fund/position                        own   403  200  200  200  200  200  401  401  401
GET    /fund/position                        other 403  200  200  200  200  200  401  401  401
GET    /fund/obligations                     own   403  200  200  200  200  200  401  401  401
GET    /fund/obligations                     other 403  200  200  200  200  200  401  401  401
GET    /outcomes                             own   403  200  200  200  200  200  401  401  401
GET    /outcomes                             other 403  200  200  200  200  200  401  401  401
GET    /dashboard                            own   403  403  200  403  403  403  401  401  401
GET    /dashboard                            other 403  403  200  403  403  403  401  401  401
GET    /publication/360giving.json          own   200  200  200  200  200  200  200  200  200
GET    /publication/360giving.json          other 200  200  200  200  200  200  200  200  200
GET    /publication/360giving.csv           own   200  200  200  200  200  200  200  200  200
GET    /publication/360giving.csv           other 200  200  200  200  200  200  200  200  200
GET    /publication/360giving.xlsx          own   200  200  200  200  200  200  200  200  200
GET    /publication/360giving.xlsx          other 200  200  200  200  200  200  200  200  200
GET    /indicators                           own   200  200  200  200  200  200  401  401  401
GET    /indicators                           other 200  200  200  200  200  200  401  401  401
PUT    /grants/{grant}/outcome-plan          own   200  200  200  403  403  403  401  401  401
PUT    /grants/{grant}/outcome-plan          other 404  200  200  403  403  403  401  401  401
GET    /grants/{grant}/outcome-plan          own   200  200  200  200  200  200  401  401  401
GET    /grants/{grant}/outcome-plan          other 404  200  200  200  200  200  401  401  401
GET    /grants/{grant}/outcomes              own   200  200  200  200  200  200  401  401  401
GET    /grants/{grant}/outcomes              other 404  200  200  200  200  200  401  401  401
GET    /grants/{grant}/report-schedule       own   200  200  200  200  200  200  401  401  401
GET    /grants/{grant}/report-schedule       other 404  200  200  200  200  200  401  401  401
GET    /fund/outcomes                        own   403  200  200  200  200  200  401  401  401
GET    /fund/outcomes                        other 403  200  200  200  200  200  401  401  401
GET    /reports/due                          own   403  200  200  200  200  200  401  401  401
GET    /reports/due                          other 403  200  200  200  200  200  401  401  401
GET    /dashboard/figures                    own   403  403  200  403  403  403  401  401  401
GET    /dashboard/figures                    other 403  403  200  403  403  403  401  401  401
GET    /dashboard/lists/{list}               own   403  403  200  403  403  403  401  401  401
GET    /dashboard/lists/{list}               other 403  403  200  403  403  403  401  401  401
GET    /public/                              own   200  200  200  200  200  200  200  200  200
GET    /public/                              other 200  200  200  200  200  200  200  200  200
GET    /public/api/fund                      own   200  200  200  200  200  200  200  200  200
GET    /public/api/fund                      other 200  200  200  200  200  200  200  200  200
GET    /public/neighbourhoods/{ward}         own   200  200  200  200  200  200  200  200  200
GET    /public/neighbourhoods/{ward}         other 200  200  200  200  200  200  200  200  200
GET    /public/api/neighbourhoods/{ward}     own   200  200  200  200  200  200  200  200  200
GET    /public/api/neighbourhoods/{ward}     other 200  200  200  200  200  200  200  200  200
POST   /webhooks/subscriptions               own   403  403  403  201  403  403  401  401  401
POST   /webhooks/subscriptions               other 403  403  403  201  403  403  401  401  401
GET    /webhooks/subscriptions               own   403  403  403  200  403  403  401  401  401
GET    /webhooks/subscriptions               other 403  403  403  200  403  403  401  401  401
GET    /webhooks/subscriptions/{sub}         own   403  403  403  200  403  403  401  401  401
GET    /webhooks/subscriptions/{sub}         other 403  403  403  404  403  403  401  401  401
PATCH  /webhooks/subscriptions/{sub}         own   403  403  403  200  403  403  401  401  401
PATCH  /webhooks/subscriptions/{sub}         other 403  403  403  404  403  403  401  401  401
DELETE /webhooks/subscriptions/{sub}         own   403  403  403  204  403  403  401  401  401
DELETE /webhooks/subscriptions/{sub}         other 403  403  403  404  403  403  401  401  401
POST   /webhooks/subscriptions/{sub}/rotate-secret own   403  403  403  200  403  403  401  401  401
POST   /webhooks/subscriptions/{sub}/rotate-secret other 403  403  403  404  403  403  401  401  401
POST   /webhooks/subscriptions/{sub}/replay  own   403  403  403  202  403  403  401  401  401
POST   /webhooks/subscriptions/{sub}/replay  other 403  403  403  404  403  403  401  401  401
GET    /webhooks/subscriptions/{sub}/deliveries own   403  403  403  200  403  403  401  401  401
GET    /webhooks/subscriptions/{sub}/deliveries other 403  403  403  404  403  403  401  401  401
GET    /events                               own   403  403  200  200  403  403  401  401  401
GET    /events                               other 403  403  200  200  403  403  401  401  401
"""
PLAN = {
    "indicators": [
        {
            "indicator": "residents_engaged",
            "baseline_value": 100,
            "baseline_on": "2025-12-01",
            "target_value": 400,
            "target_by": "2027-12-01",
        }
    ]
}
OWNER, STRANGER = "org-owner", "org-stranger"


@pytest.fixture
def unlimited(db: str, redis_url: str, monkeypatch: pytest.MonkeyPatch, provider: OidcProvider) -> Iterator[TestClient]:
    """The API in production (the provider's tokens) without rate limiting: the matrix makes hundreds of calls."""
    monkeypatch.setenv("REPORTING_DATABASE_URL", db)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("GRANTS_RATE_LIMIT_ENABLED", "false")
    bootstrap.reset()
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        yield client
    bootstrap.reset()


class Seed:
    """Grants projected from their events (numbered 100-999, so no id is a prefix of another) and their reports."""

    def __init__(self, client: TestClient, sessions: sessionmaker[Session], provider: OidcProvider) -> None:
        self.client, self.sessions, self.numbers = client, sessions, count(100)
        self.operator = provider.bearer("seed", Role.OPERATOR)

    def grant(self, organisation_id: str = OWNER) -> str:
        """An awarded grant of the organisation, its first two tranches scheduled and begun; its id."""
        story = Story(n=next(self.numbers), organisation_id=organisation_id)
        for envelope in [
            *story.up_to_award(),
            story.scheduled(1, date(2026, 1, 5)),
            story.scheduled(2, date(2026, 7, 5)),
        ]:
            deliver(self.sessions, envelope)
        return story.grant_id

    def report(self, grant_id: str) -> str:
        """A submitted report on period 1 of the grant, sent by an operator."""
        response = self.client.post("/reports", json=report_body(1, grant_id), headers=self.operator)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def subscription(self, organisation_id: str = OWNER) -> str:
        """A webhook subscription of the organisation's integrator; its id."""
        return subscribe(self.sessions, organisation_id)

    def targets(self) -> dict[str, str]:
        """A grant of the owner with a report on it, and a webhook subscription of the owner."""
        grant_id = self.grant()
        return {"org": OWNER, "grant": grant_id, "report": self.report(grant_id), "sub": self.subscription()}


def world(client: TestClient, sessions: sessionmaker[Session], provider: OidcProvider) -> World:
    """A grant and a report of each organisation; a fresh grant and report for every cell that writes."""
    seed = Seed(client, sessions, provider)
    seed.report(seed.grant(STRANGER))
    shared = seed.targets()
    # The public pages name the owner's ward (anyone may see it) and the dashboard a list.
    shared |= {"ward": f"W{int(shared['grant'].removeprefix('grant-')):08d}", "list": "held-tranches"}

    def body(cell: Cell, ids: dict[str, str]) -> Any:
        if cell.route.startswith("/webhooks"):
            return WEBHOOK_BODIES.get(f"{cell.method} {cell.route}")
        if cell.route == "/reports":
            return report_body(1, ids["grant"])
        if cell.method == "PUT":
            return PLAN
        return {"reasons": ["Say how many residents came."]} if cell.route.endswith("/request-changes") else None

    def fresh(cell: Cell) -> dict[str, str]:
        return {**shared, "grant": seed.grant()} if cell.route == "/reports" else seed.targets()

    published = frozenset(f"GET /publication/360giving.{fmt}" for fmt in ("json", "csv", "xlsx"))
    return World(OWNER, STRANGER, shared, fresh, body, published=published, public=frozenset({"ward", "list"}))


def test_every_route_has_rows_in_the_matrix(unlimited: TestClient) -> None:
    assert uncovered(unlimited.app, cells(MATRIX)) == []  # type: ignore[arg-type]


def test_every_cell_of_the_authorisation_matrix(
    unlimited: TestClient, sessions: sessionmaker[Session], provider: OidcProvider
) -> None:
    matrix = cells(MATRIX)
    tokens = partial(provider_headers, provider)
    wrong = wrong_cells(unlimited, matrix, world(unlimited, sessions, provider), Snapshot(sessions), tokens)
    assert wrong == [], "\n".join(wrong)
    assert len(matrix) == 36 * 2 * 9
