"""The fund's obligations by financial year against the drawdown plan, from the tranche read model."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from grants_shared.auth import Principal, require
from grants_shared.http.app import ReadSession
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from reporting.read.access import STAFF
from reporting.read.obligations import obligations_view

router = APIRouter(tags=["read models"], responses=API_PROBLEMS, dependencies=StrictQuery)
Staff = Annotated[Principal, Depends(require(*STAFF))]


@router.get("/fund/obligations", summary="Obligations by financial year against the drawdown plan")
def fund_obligations(
    _: Staff,
    session: ReadSession,
    years: Annotated[int | None, Query(ge=1, le=100, description="Only the first this many years.")] = None,
) -> dict[str, Any]:
    """Every grant's unpaid tranches summed by financial year (April-March), with the plan's limit and headroom."""
    return obligations_view(session, years)
