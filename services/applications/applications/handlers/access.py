"""Object-level authorisation: who may see or change what belongs to an organisation."""

from grants_shared.auth import Principal, Role
from grants_shared.http.problems import Problem


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


def not_found(kind: str, ident: str) -> Problem:
    """The answer for a missing object and for one the caller may not see alike, so nothing leaks."""
    return Problem(404, "not-found", f"{kind.capitalize()} not found", f"No {kind} {ident} that you may see.")


def conflict(detail: str, code: str = "invalid-transition") -> Problem:
    """A 409 problem: the request is valid but the object's state refuses it."""
    return Problem(409, code, "The request conflicts with the current state", detail)
