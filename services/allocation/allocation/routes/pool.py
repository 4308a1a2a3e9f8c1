"""Route of the pool: the assessed applications waiting for a committed decision."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from allocation.read import queries
from allocation.read.views import page, pool_item_view
from allocation.routes.common import Limit, Offset, Reader
from allocation.routes.schemas import Page
from grants_shared.http.app import ReadSession
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["pool"], responses=API_PROBLEMS, dependencies=StrictQuery)


class PoolItemOut(BaseModel):
    """An application a run would decide now, as the run would see it."""

    application_id: str
    organisation_id: str
    neighbourhood_code: str
    requested_pence: int
    duration_months: int
    assessed_eligible: bool
    partnership_compliant: bool


@router.get("/pool", response_model=Page[PoolItemOut], summary="Applications waiting for a committed decision")
def list_pool(
    _: Reader,
    session: ReadSession,
    limit: Limit = 50,
    offset: Offset = 0,
    grant_type: Literal["main", "starter"] = "main",
) -> dict[str, Any]:
    """Assessed, not withdrawn, not yet awarded, by application id: what the next run of the grant type decides."""
    rows = queries.list_pool(session, limit, offset, grant_type)
    items = [pool_item_view(row, partnership) for row, partnership in rows.items]
    fields = PoolItemOut.model_fields
    return page([{k: v for k, v in item.items() if k in fields} for item in items], rows.total, limit, offset)
