"""Object-level authorisation: an applicant sees only its own organisation's grants and reports."""

from grants_shared.auth import Principal, Role
from grants_shared.errors import NotFound

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


class GrantNotFound(NotFound):
    """No grant with that id that the caller can see (404): unknown and not yours answer alike."""

    default_code = "grant-not-found"
    default_title = "No such grant"


class ReportNotFound(NotFound):
    """No report with that id that the caller can see (404): unknown and not yours answer alike."""

    default_code = "report-not-found"
    default_title = "No such report"


def unseen(kind: str, key: str) -> str:
    """The detail of a not-found refusal (the same whether the object is unknown or another organisation's)."""
    return f"There is no {kind} {key} that you can see."
