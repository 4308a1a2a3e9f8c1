"""Routes of the neighbourhood registry: wards of the vintage in force and the vintages loaded."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from applications.read import queries
from applications.read.lists import vintages_page, ward_lsoas, wards_page
from applications.read.registry_queries import ward_lsoa21s
from applications.routes.common import PROBLEMS, Anyone, Limit, Offset, PathId, QueryText
from applications.routes.registry_views import neighbourhood_detail, neighbourhood_out, vintage_out
from applications.routes.schemas.outputs import Page
from applications.routes.schemas.registry_outputs import NeighbourhoodDetailOut, NeighbourhoodOut, VintageOut
from applications.usecases.access import not_found
from grants_shared.http.app import CachedReads, ReadSession
from grants_shared.http.query import StrictQuery

router = APIRouter(tags=["registry"], responses=PROBLEMS, dependencies=StrictQuery)


@router.get("/neighbourhoods", summary="Wards of the registry in force", response_model=Page[NeighbourhoodOut])
async def list_neighbourhoods(
    _: Anyone,
    reads: CachedReads,
    region: QueryText = None,
    left_behind: bool | SkipJsonSchema[None] = None,
    imd_decile: Annotated[int | SkipJsonSchema[None], Query(ge=1, le=10)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """List wards by code, filtered by region, left-behind flag or IMD decile (read at most once per
    GRANTS_READ_CACHE_TTL_S for the same filters)."""
    key = ("neighbourhoods", region, left_behind, imd_decile, limit, offset)
    body = reads.peek(key)  # a hit is answered on the event loop: no thread, no connection
    if body is None:
        body = await run_in_threadpool(
            reads, key, lambda s: _neighbourhoods(s, region, left_behind, imd_decile, limit, offset)
        )
    return Response(body, media_type="application/json")


def _neighbourhoods(
    session: Session, region: str | None, left_behind: bool | None, imd_decile: int | None, limit: int, offset: int
) -> bytes:
    vintage = queries.vintage_in_force(session)
    if vintage is None:
        return Page[NeighbourhoodOut](items=[], total=0, limit=limit, offset=offset).model_dump_json().encode()
    rows, total = wards_page(session, vintage.id, (region, left_behind, imd_decile), limit, offset)
    items = [neighbourhood_out(w, vintage) for w in rows]
    return Page[NeighbourhoodOut](items=items, total=total, limit=limit, offset=offset).model_dump_json().encode()


@router.get("/neighbourhoods/{code}", summary="One ward with its LSOAs and measures")
def get_neighbourhood(code: PathId, _: Anyone, session: ReadSession) -> NeighbourhoodDetailOut:
    """A ward of the registry in force; `iod2025` is its IoD2025 score over its best-fit LSOA21s, when held."""
    ward = queries.neighbourhood_in_force(session, code)
    vintage = queries.vintage_in_force(session)
    if ward is None or vintage is None:
        raise not_found("neighbourhood", code)
    lsoas = ward_lsoas(session, vintage.id, code)
    lsoa21s = ward_lsoa21s(session, vintage.id, [x.code for x in lsoas]) if vintage.lsoa21_count else []
    return neighbourhood_detail(ward, vintage, lsoas, lsoa21s)


@router.get("/registry/vintages", summary="Registry vintages loaded, newest first")
def list_vintages(_: Anyone, session: ReadSession, limit: Limit = 50, offset: Offset = 0) -> Page[VintageOut]:
    """Every vintage loaded, with its inputs hash and whether it is in force."""
    rows, total = vintages_page(session, limit, offset)
    return Page[VintageOut](items=[vintage_out(v) for v in rows], total=total, limit=limit, offset=offset)
