"""Object-level authorisation: who may see or change what belongs to an organisation, and the refusals."""

from grants_shared.auth import Principal, Role
from grants_shared.errors import Conflict, NotFound


class StateConflict(Conflict):
    """The request is valid but the object's state refuses it (409)."""

    default_code = "invalid-transition"
    default_title = "The request conflicts with the current state"


def may_read(principal: Principal, organisation_id: str) -> bool:
    """Operators and assessors read everything; an applicant reads its own organisation's objects."""
    if principal.has(Role.OPERATOR, Role.ASSESSOR):
        return True
    return principal.has(Role.APPLICANT) and principal.organisation_id == organisation_id


def may_change(principal: Principal, organisation_id: str) -> bool:
    """Operators change everything; an applicant changes its own organisation's objects."""
    if principal.has(Role.OPERATOR):
        return True
    return principal.has(Role.APPLICANT) and principal.organisation_id == organisation_id


def not_found(kind: str, ident: str) -> NotFound:
    """The error for a missing object and for one the caller may not see alike, so nothing leaks."""
    return NotFound(f"No {kind} {ident} that you may see.", title=f"{kind.capitalize()} not found")


def conflict(detail: str, code: str = StateConflict.default_code) -> StateConflict:
    """A 409: the request is valid but the object's state refuses it."""
    return StateConflict(detail, code=code)
