"""Object-level authorisation: an applicant sees only its own organisation's grants and reports."""

from grants_shared.auth import Principal, Role
from grants_shared.http.problems import Problem

STAFF: tuple[Role, ...] = (Role.OPERATOR, Role.ASSESSOR, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.INTEGRATOR)
EVERYONE: tuple[Role, ...] = (Role.APPLICANT, *STAFF)


def organisation_scope(principal: Principal) -> str | None:
    """None when the caller may see every organisation, else the one organisation it may see."""
    if principal.has(*STAFF):
        return None
    return principal.organisation_id or ""  # an applicant token without an organisation sees nothing


def can_see(principal: Principal, organisation_id: str) -> bool:
    """True when the caller may see things belonging to `organisation_id`."""
    scope = organisation_scope(principal)
    return scope is None or scope == organisation_id


def not_found(kind: str, key: str) -> Problem:
    """The answer for an unknown object and for one the caller may not see (so ids cannot be probed)."""
    return Problem(404, f"{kind}-not-found", f"No such {kind}", f"There is no {kind} {key} that you can see.")
