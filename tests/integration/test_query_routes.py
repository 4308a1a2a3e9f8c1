"""Every route of the four services reads its query string strictly: unknown or repeated parameters are a 422."""

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute

from grants_shared.http.query import strict_query

from .test_read_routes import SERVICES, calls


def api_routes(service: str) -> Iterator[tuple[str, APIRoute]]:
    """Every route, any method, of the router modules under `<service>.routes`, with its module's name."""
    package = importlib.import_module(f"{service}.routes")
    for module in pkgutil.iter_modules(package.__path__):
        name = f"{service}.routes.{module.name}"
        for route in getattr(getattr(importlib.import_module(name), "router", None), "routes", []):
            if isinstance(route, APIRoute):
                yield name, route


def strict(route: APIRoute) -> bool:
    """True when a route refuses unknown and repeated query parameters with the shared `StrictQuery`."""
    return strict_query in calls(route.dependant)


@pytest.mark.parametrize("service", SERVICES)
def test_every_api_route_refuses_unknown_and_repeated_query_parameters(service: str) -> None:
    routes = list(api_routes(service))
    assert routes, f"{service} has no routes under {service}.routes"
    loose = [f"{sorted(route.methods)} {route.path} ({module})" for module, route in routes if not strict(route)]
    assert loose == [], f"{service}: routes that ignore unknown or repeated query parameters: {loose}"
