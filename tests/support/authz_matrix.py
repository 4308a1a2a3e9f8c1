"""The authorisation matrix every service's tests share: a table of expected answers, checked cell by cell.

A matrix is a text table, one row per route and ownership, one column per caller:

    method route                      whose app  ass  op   int  fo   fa   none exp  aud
    GET    /grants/{grant}            own   200  200  200  403  200  200  401  401  401

"own": the caller's token names the organisation that owns the object; "other": it names another organisation.
Expired and wrong-audience tokens are operator tokens, so only the token's validity can refuse them. Every cell is
sent to the real app on a real database seeded with objects of two organisations. A cell is wrong when its status
differs, a refusal is not problem+json, a request that must not write changes any row of any table (checked a row
of the table at a time), or an applicant of the other organisation is shown an id of the owner's objects.
`uncovered` walks the app's routes, so a route added without rows fails the service's test.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Role, mint_token
from grants_shared.settings import PlatformSettings

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
"""Column heading -> caller: a role, no token, an expired token, a token for another audience."""

INFRASTRUCTURE = frozenset({"GET /healthz", "GET /readyz", "GET /metrics", "GET /metrics/", "GET /docs", "GET /redoc"})
"""Routes of every service that hold no organisation's data (probes, metrics, the API's documentation pages): not
in the matrices."""


@dataclass(frozen=True)
class Cell:
    """One cell: a request of `caller` on `route` for an object of its own or another organisation."""

    method: str
    route: str
    whose: str
    caller: str
    expected: int

    @property
    def writes(self) -> bool:
        """True when the cell is expected to change state (it gets fresh targets of its own)."""
        return self.method != "GET" and self.expected < 400

    def __str__(self) -> str:
        return f"{self.method} {self.route} {self.whose} {self.caller}"


def cells(matrix: str) -> list[Cell]:
    """Every cell of a matrix table."""
    header, *rows = [line.split() for line in matrix.strip().splitlines()]
    callers = [CALLERS[c] for c in header[3:]]
    return [
        Cell(method, route, whose, caller, int(status))
        for method, route, whose, *statuses in rows
        for caller, status in zip(callers, statuses, strict=True)
    ]


def headers(caller: str, organisation_id: str) -> dict[str, str]:
    """The Authorization header of `caller`, its token naming `organisation_id`."""
    settings = PlatformSettings()
    if caller == "no_token":
        return {}
    if caller == "expired":
        token = mint_token(
            settings, subject="t-exp", roles=[Role.OPERATOR], organisation_id=organisation_id, ttl=timedelta(-1)
        )
    elif caller == "wrong_audience":
        other = PlatformSettings(jwt_audience="another-api")
        token = mint_token(other, subject="t-aud", roles=[Role.OPERATOR], organisation_id=organisation_id)
    else:
        token = mint_token(settings, subject=f"t-{caller}", roles=[Role(caller)], organisation_id=organisation_id)
    return {"Authorization": f"Bearer {token}"}


def provider_headers(provider: Any, caller: str, organisation_id: str) -> dict[str, str]:
    """The same callers as `headers`, with tokens of an OpenID Connect provider (production refuses HS256 tokens)."""
    if caller == "no_token":
        return {}
    if caller == "expired":
        token = provider.mint("t-exp", [Role.OPERATOR], organisation_id, exp=datetime.now(UTC) - timedelta(days=1))
    elif caller == "wrong_audience":
        token = provider.mint("t-aud", [Role.OPERATOR], organisation_id, aud="another-api")
    else:
        token = provider.mint(f"t-{caller}", [Role(caller)], organisation_id)
    return {"Authorization": f"Bearer {token}"}


def template(route: str) -> str:
    """A route with its query string dropped and every `{placeholder}` written `{}`: `/grants/{}/timeline`."""
    path, out, depth = route.split("?")[0], [], 0
    for char in path:
        depth += char == "{"
        if depth == 0:
            out.append(char)
        depth -= char == "}"
        if char == "}" and depth == 0:
            out.append("{}")
    return "".join(out)


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix, route
        elif hasattr(route, "original_router"):  # FastAPI 0.16x keeps included routers as branches
            context = getattr(route, "include_context", None)
            yield from _walk(route.original_router.routes, prefix + (getattr(context, "prefix", "") or ""))


def app_routes(app: FastAPI) -> set[str]:
    """Every route the app answers ("METHOD /path/{}"), from its routers and its OpenAPI document."""
    found = {f"{m} {template(p + r.path)}" for p, r in _walk(app.routes) for m in r.methods or () if m != "HEAD"}
    documented = {f"{m.upper()} {template(p)}" for p, ops in app.openapi()["paths"].items() for m in ops}
    return (found | documented) - INFRASTRUCTURE


def uncovered(app: FastAPI, matrix: list[Cell]) -> list[str]:
    """What the matrix misses: routes without both an own and an other row, and rows naming no route."""
    routes = app_routes(app)
    rows = {(f"{c.method} {template(c.route)}", c.whose) for c in matrix}
    missing = [
        f"no {whose} row for {r}" for r in sorted(routes) for whose in ("own", "other") if (r, whose) not in rows
    ]
    stale = sorted({f"a row for {r}, which no route answers" for r, _ in rows if r not in routes})
    return missing + stale


class Snapshot:
    """Every row of every table of a database (the migration record aside), to prove a request wrote nothing."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions, self.metadata = sessions, MetaData()
        with sessions() as session:
            self.metadata.reflect(bind=session.connection())

    def __call__(self) -> dict[str, list[str]]:
        """The database's rows, table by table, in a stable order."""
        with self.sessions() as session:
            return {
                name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
                for name, table in self.metadata.tables.items()
                if name != "alembic_version"
            }


@dataclass
class World:
    """What a service's matrix needs: the two organisations and how to make the ids a route names.

    `fresh(cell)` makes new objects of the owner for a cell that writes (so cells never disturb each other);
    `body(cell, ids)` is the request body of a cell, or None; `public` names ids anyone may see (a ward's code);
    `read_only` names the routes ("POST /runs/{run}/verify") that must write nothing even when they succeed;
    `published` names the routes ("GET /publication/360giving.json") that publish every organisation's grants openly.
    """

    owner: str
    stranger: str
    shared: dict[str, str]
    fresh: Callable[[Cell], dict[str, str]]
    body: Callable[[Cell, dict[str, str]], Any]
    public: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()
    published: frozenset[str] = frozenset()

    def writes(self, cell: Cell) -> bool:
        """True when the cell may change state: it then gets fresh objects and no snapshot."""
        return cell.writes and f"{cell.method} {cell.route}" not in self.read_only


def wrong_cells(
    client: TestClient,
    matrix: list[Cell],
    world: World,
    snapshot: Snapshot,
    tokens: Callable[[str, str], dict[str, str]] = headers,
) -> list[str]:
    """Send every cell to the app; the cells whose answer is not the expected one, each saying why.

    The cells that must not write go first, a row (route and ownership) at a time between two snapshots of the
    whole database; then those that write, each on fresh objects.
    """
    wrong: list[str] = []
    rows: dict[tuple[str, str, str], list[Cell]] = {}
    for cell in matrix:
        if not world.writes(cell):
            rows.setdefault((cell.method, cell.route, cell.whose), []).append(cell)
    for (method, route, whose), row in rows.items():
        before = snapshot()
        for cell in row:
            wrong += _send(client, cell, world, world.shared, tokens)
        if snapshot() != before:
            wrong.append(f"{method} {route} {whose}: a refused or reading request wrote to the database")
    for cell in matrix:
        if world.writes(cell):
            wrong += _send(client, cell, world, world.fresh(cell), tokens)
    return wrong


def _send(
    client: TestClient, cell: Cell, world: World, ids: dict[str, str], tokens: Callable[[str, str], dict[str, str]]
) -> list[str]:
    token_org = world.owner if cell.whose == "own" else world.stranger
    response = client.request(
        cell.method, cell.route.format(**ids), json=world.body(cell, ids), headers=tokens(cell.caller, token_org)
    )
    published = f"{cell.method} {cell.route}" in world.published
    private = {} if published else {key: value for key, value in ids.items() if key not in world.public}
    return [f"{cell}: {why}" for why in _faults(cell, response, private)]


def _faults(cell: Cell, response: Any, ids: dict[str, str]) -> Iterator[str]:
    status = response.status_code
    if status != cell.expected:
        yield f"{status}, expected {cell.expected} ({response.text[:160]})"
    if status >= 400 and not response.headers["content-type"].startswith("application/problem+json"):
        yield f"{status} is not problem+json"
    if cell.caller == "applicant" and cell.whose == "other" and status < 400:
        leaked = sorted(key for key, value in ids.items() if value in response.text)
        if leaked:
            yield f"shows the owner's {', '.join(leaked)}"
