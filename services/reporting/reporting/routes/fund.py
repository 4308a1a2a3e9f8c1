"""Read-model routes: the fund position, outcomes, and a grant with its timeline."""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from grants_shared.auth import Principal, require
from grants_shared.http.app import CachedReads, ReadSession
from grants_shared.http.problems import API_PROBLEMS
from grants_shared.http.query import ISO_DATE, StrictQuery
from reporting.domain.summaries import summarise
from reporting.read.access import EVERYONE, STAFF
from reporting.read.grants import grant_detail, grant_fields, visible_grant
from reporting.read.outcomes import outcome_totals
from reporting.read.places import PLACE_NAMES, place_names
from reporting.read.position import fund_position
from reporting.read.timeline import grant_timeline
from reporting.routes.freshness import read_model_answer
from reporting.routes.schemas import GrantOut, Timeline, TimelineEvent, TrancheOut

router = APIRouter(tags=["read models"], responses=API_PROBLEMS, dependencies=StrictQuery)
Staff = Annotated[Principal, Depends(require(*STAFF))]
Reader = Annotated[Principal, Depends(require(*EVERYONE))]
GrantId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/fund/position", summary="The fund position, all amounts in pence", response_model=dict[str, Any])
async def position(
    request: Request,
    _: Staff,
    reads: CachedReads,
    as_of: Annotated[date | None, Query(description="YYYY-MM-DD. Default: today (UTC)."), ISO_DATE] = None,
) -> Response:
    """Budget, commitments, payments, tranches due and overdue, and the least-first share.

    `freshness` says how old the figures are: when reporting last applied an event, and what it has still to do.
    The answer is read at most once per GRANTS_READ_CACHE_TTL_S, and again as soon as a new event is applied.
    """
    day = as_of or datetime.now(UTC).date()

    def build(session: Session, block: dict[str, Any]) -> bytes:
        return json_bytes({**fund_position(session, day), "freshness": block})

    body = await read_model_answer(request, reads, ("fund/position", day), build)
    return Response(body, media_type="application/json")


@router.get("/outcomes", summary="Outcomes of accepted impact reports", response_model=dict[str, Any])
async def outcomes(request: Request, _: Staff, reads: CachedReads) -> Response:
    """Outcome indicators summed over accepted reports, overall and by region and IMD decile (with `freshness`)."""
    body = await read_model_answer(request, reads, "outcomes", _outcomes)
    return Response(body, media_type="application/json")


def _outcomes(session: Session, block: dict[str, Any]) -> bytes:
    return json_bytes({**outcome_totals(session), "freshness": block})


def json_bytes(content: dict[str, Any]) -> bytes:
    """The bytes FastAPI would have sent for `content`, encoded once for every request the cache answers."""
    return bytes(JSONResponse(jsonable_encoder(content)).body)


@router.get("/grants/{grant_id}", response_model=GrantOut, summary="A grant with its tranches")
def grant(grant_id: GrantId, principal: Reader, session: ReadSession) -> GrantOut:
    """A grant you may see (404 otherwise), with paid and returned pence and every tranche."""
    detail = grant_detail(session, visible_grant(session, grant_id, principal))
    named = {"tranches", *PLACE_NAMES}
    fields = grant_fields(detail.grant, (name for name in GrantOut.model_fields if name not in named))
    names = place_names(session, detail.grant.application_id)
    return GrantOut(**fields, **names, tranches=[TrancheOut.model_validate(t) for t in detail.tranches])


@router.get("/grants/{grant_id}/timeline", response_model=Timeline, summary="A grant's history")
def timeline(
    grant_id: GrantId,
    principal: Reader,
    session: ReadSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Timeline:
    """Every event of the grant and of its application, ordered by when it occurred, then event id."""
    grant = visible_grant(session, grant_id, principal)
    rows, total = grant_timeline(session, grant, limit=limit, offset=offset)
    events = [
        TimelineEvent(
            event_id=row.event_id,
            event_type=row.event_type,
            producer=row.producer,
            occurred_at=row.occurred_at,
            subject=row.subject,
            summary=summarise(row.event_type, row.payload),
        )
        for row in rows
    ]
    return Timeline(
        grant_id=grant.grant_id,
        application_id=grant.application_id,
        events=events,
        total=total,
        limit=limit,
        offset=offset,
    )
