"""Routes of the fund: its pools, creating a pool, and a stress test of current commitments against a shocked plan."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from allocation.read.fund import pools_view, stress_view
from allocation.routes.common import IdempotencyKey, Operator, Reader
from allocation.routes.schemas import PositiveAmount
from allocation.usecases.fund import create_pool
from grants_shared.http.app import ReadSession, Sessions
from grants_shared.http.idempotency import idempotent_post
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import StrictQuery
from grants_shared.http.text import line_rule

router = APIRouter(tags=["fund"], responses=API_PROBLEMS, dependencies=StrictQuery)
BasisPoints = Annotated[int, Query(ge=0, le=10_000, description="A share in basis points (2000 = 20%).")]


class PoolIn(BaseModel):
    """A new pool of the fund's money."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name: Annotated[str, line_rule(200)]
    total_pence: PositiveAmount


@router.get("/pools", summary="The fund's pools")
def list_pools(_: Reader, session: ReadSession) -> list[dict[str, Any]]:
    """Every pool with its total, what its rounds have committed and what is left (scenario rounds never count)."""
    return pools_view(session)


@router.post("/pools", status_code=201, summary="Create a pool")
def new_pool(
    request: Request, body: PoolIn, principal: Operator, sessions: Sessions, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Create a pool that rounds may draw from (Conflict `pool-exists` when the id is taken)."""
    return idempotent_post(
        request,
        sessions,
        principal,
        idempotency_key,
        body,
        lambda uow: (201, create_pool(uow, body.id, body.name, body.total_pence, principal.subject)),
    )


@router.get("/fund/stress", summary="Years and grants at risk under a shock (changes nothing)")
def stress(
    _: Reader,
    session: ReadSession,
    endowment_fall_bps: BasisPoints = 0,
    cut_bps: BasisPoints = 0,
    cut_from: Annotated[str | None, Query(pattern=r"^[0-9]{4}-[0-9]{2}$")] = None,
) -> dict[str, Any]:
    """Current commitments against the drawdown plan after the endowment falls and the plan is cut from a year."""
    return stress_view(session, endowment_fall_bps, cut_from, cut_bps)
