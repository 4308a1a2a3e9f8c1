"""Route of the registry allocation holds: which vintage runs score need against, and whether it is held."""

from typing import Any

from fastapi import APIRouter

from allocation.read import queries
from allocation.read.views import vintage_view
from allocation.routes.common import Reader
from allocation.routes.schemas import RegistryOut
from grants_shared.http.app import ReadSession
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["registry"], responses=API_PROBLEMS, dependencies=StrictQuery)


@router.get("/registry", response_model=RegistryOut, summary="The neighbourhood registry runs score need against")
def registry(_: Reader, session: ReadSession) -> dict[str, Any]:
    """Vintages announced by the applications service, newest first, with how many wards allocation holds."""
    current_hash, rows = queries.registry_vintages(session)
    items = [vintage_view(v, current_hash) for v in rows]
    return {"in_force": items[0] if items else None, "items": items}
