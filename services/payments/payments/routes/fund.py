"""The fund's obligations by financial year against the drawdown plan, from payments' schedules."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from grants_shared.auth import Principal, require
from grants_shared.http.app import ReadSession
from payments.read.obligations import obligations_view
from payments.routes.common import FINANCE, PROBLEMS, StrictQuery

router = APIRouter(tags=["fund"], dependencies=StrictQuery)
Finance = Annotated[Principal, Depends(require(*FINANCE))]


@router.get("/fund/obligations", responses=PROBLEMS, summary="Obligations by financial year against the plan")
def fund_obligations(
    _: Finance,
    session: ReadSession,
    years: Annotated[int | None, Query(ge=1, le=100, description="Only the first this many years.")] = None,
) -> dict[str, Any]:
    """Every grant's unpaid tranches summed by financial year (April-March), with the plan's limit and headroom."""
    return obligations_view(session, years)
