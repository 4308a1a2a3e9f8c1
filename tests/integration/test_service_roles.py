"""A service's own role reaches only what that service needs: allocation's registry_reader reads the registry only."""

import pytest

from grants_shared.auth import current_principal
from grants_shared.tokens import SERVICE_ROLES, Role

from .test_query_routes import api_routes
from .test_read_routes import SERVICES, calls

# Everything a service role may call, by role: (service, method, route template).
ALLOWED = {
    Role.REGISTRY_READER: {
        ("applications", "GET", "/neighbourhoods"),
        ("applications", "GET", "/neighbourhoods/{code}"),
        ("applications", "GET", "/registry/vintages"),
    }
}


def open_to(service: str) -> dict[tuple[str, str, str], frozenset[Role]]:
    """Every authenticated route of a service and the roles its gate admits (empty when it has no gate)."""
    found: dict[tuple[str, str, str], frozenset[Role]] = {}
    for _, route in api_routes(service):
        called = calls(route.dependant)
        if current_principal not in called:
            continue
        roles = frozenset().union(*(getattr(c, "roles", frozenset()) for c in called))
        for method in route.methods:
            found[(service, method, route.path)] = roles
    return found


def test_every_service_role_is_admitted_exactly_where_it_is_allowed() -> None:
    assert set(ALLOWED) == SERVICE_ROLES
    routes = {key: roles for service in SERVICES for key, roles in open_to(service).items()}
    assert ALLOWED[Role.REGISTRY_READER] <= set(routes)
    for role, allowed in ALLOWED.items():
        admitted = {key for key, roles in routes.items() if role in roles}
        assert admitted == allowed, f"{role} is admitted to {sorted(admitted - allowed)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_authenticated_route_names_the_roles_it_admits(service: str) -> None:
    ungated = sorted(key for key, roles in open_to(service).items() if not roles)
    assert ungated == [], f"routes any valid token may call (a service role too): {ungated}"
