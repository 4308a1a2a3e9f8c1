"""Every GET route of the four services reads one read-only snapshot (`ReadSession`, or through the read cache,
which opens one on a miss), taken after its auth check."""

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from grants_shared.http.app import cached_reader, get_sessions, read_session

SERVICES = ("applications", "allocation", "payments", "reporting")
READERS = (read_session, cached_reader)
# who asks: the bearer token, the dashboard's own rule, or no one in particular (the public pages)
AUTH = {"current_principal", "dashboard_viewer", "public_visitor"}
# GET routes that read no database: reporting's event feed (the streams' history in Redis) and its indicator
# catalogue (versioned data shipped with the service)
NO_DATABASE = {"/events", "/indicators"}


def get_routes(service: str) -> Iterator[APIRoute]:
    """The GET routes of every router module under `<service>.routes`."""
    package = importlib.import_module(f"{service}.routes")
    for module in pkgutil.iter_modules(package.__path__):
        router = getattr(importlib.import_module(f"{service}.routes.{module.name}"), "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in NO_DATABASE:
                yield route


def calls(dependant: Dependant) -> list[object]:
    """The dependency callables of a route, depth first, in the order FastAPI resolves them."""
    found: list[object] = []
    for sub in dependant.dependencies:
        found += [*calls(sub), sub.call]
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_get_route_reads_through_a_read_session(service: str) -> None:
    routes = list(get_routes(service))
    assert routes, f"{service} has no GET routes under {service}.routes"
    for route in routes:
        resolved = calls(route.dependant)
        assert any(reader in resolved for reader in READERS), f"{service} GET {route.path} takes no ReadSession"
        assert get_sessions not in resolved, f"{service} GET {route.path} also takes the writing Sessions"


@pytest.mark.parametrize("service", SERVICES)
def test_the_snapshot_is_opened_after_the_caller_is_known(service: str) -> None:
    for route in get_routes(service):
        resolved = calls(route.dependant)
        first = min(resolved.index(reader) for reader in READERS if reader in resolved)
        assert any(getattr(call, "__name__", "") in AUTH for call in resolved[:first]), (
            f"{service} GET {route.path} opens its snapshot before checking who asks"
        )
