"""What the routers share: role sets, pagination, settings and object-level access to a grant."""

from typing import Annotated

from fastapi import Header, Query, Request

from grants_shared.auth import Principal, Role
from grants_shared.http import query
from grants_shared.http.problems import API_PROBLEMS, Problem
from payments.adapters.orm import Grant
from payments.adapters.release_policy import load_policy
from payments.config import Settings
from payments.domain.release_rules import ReleasePolicy
from payments.usecases.errors import GrantNotFound

STAFF = (Role.OPERATOR, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER, Role.ASSESSOR)
FINANCE = (Role.OPERATOR, Role.FINANCE_OFFICER, Role.FINANCE_APPROVER)
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Retry safely with the same key.")]
PROBLEMS = API_PROBLEMS


def settings_of(request: Request) -> Settings:
    """The service settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def policy_of(request: Request) -> ReleasePolicy:
    """The release policy in force (the document the settings name, read once)."""
    return load_policy(settings_of(request).release_policy_file)


def organisation_scope(principal: Principal) -> str | None:
    """None for staff (they see every grant); an applicant's own organisation otherwise."""
    if principal.has(*STAFF):
        return None
    if not principal.organisation_id:
        raise Problem(403, "no-organisation", "Your token names no organisation", "An applicant token needs `org`.")
    return principal.organisation_id


def check_can_see(principal: Principal, grant: Grant | None, grant_id: str) -> Grant:
    """The grant if the caller may see it; 404 otherwise (an applicant learns nothing of other grants)."""
    scope = organisation_scope(principal)
    if grant is None or (scope is not None and grant.organisation_id != scope):
        raise GrantNotFound(f"No grant {grant_id!r}.")
    return grant


StrictQuery = query.StrictQuery  # unknown or repeated query parameters are a 422 validation-error
