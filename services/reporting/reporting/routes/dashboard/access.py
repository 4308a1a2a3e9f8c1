"""Who may see the dashboard and its lists: anyone in development, an operator in production."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from grants_shared.auth import Principal, Role, current_principal
from grants_shared.http.problems import Problem

_bearer = HTTPBearer(auto_error=False)


async def dashboard_viewer(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """In production only an operator may see the page; elsewhere it is open, like a local tool."""
    if request.app.state.settings.env != "production":
        return None
    principal = await current_principal(request, credentials)
    if not principal.has(Role.OPERATOR):
        raise Problem(403, "forbidden", "Your role may not do this", "Needs one of: operator.")
    return principal


Viewer = Annotated[Principal | None, Depends(dashboard_viewer)]
