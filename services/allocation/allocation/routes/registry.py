"""Route of the registry allocation holds: which vintage runs score need against, and whether it is held."""

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select

from allocation.adapters.registry_tables import RegistryVintage
from allocation.registry.schemas import RegistryOut
from allocation.registry.store import in_force, vintage_view
from allocation.routes.common import Reader
from grants_shared.http.app import ReadSession
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["registry"], responses=API_PROBLEMS, dependencies=StrictQuery)
NEWEST_FIRST = (RegistryVintage.loaded_at.desc(), RegistryVintage.inputs_hash.desc())


@router.get("/registry", response_model=RegistryOut, summary="The neighbourhood registry runs score need against")
def registry(_: Reader, session: ReadSession) -> dict[str, Any]:
    """Vintages announced by the applications service, newest first, with how many wards allocation holds."""
    current = in_force(session)
    current_hash = current.inputs_hash if current else None
    rows = session.scalars(select(RegistryVintage).order_by(*NEWEST_FIRST).limit(100))
    items = [vintage_view(v, current_hash) for v in rows]
    return {"in_force": items[0] if items else None, "items": items}
