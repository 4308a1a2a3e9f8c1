"""Public pages (no login, no personal data): the fund-wide page and one per neighbourhood, in HTML and JSON.

Every answer is built at most once per GRANTS_READ_CACHE_TTL_S and new event applied, carries an ETag (a repeat
request with If-None-Match gets 304 and no body) and may be kept by browsers and shared caches for a minute.
"""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from grants_shared.http.app import CachedReads
from grants_shared.http.headers import CSP, page_policy, source_hash
from grants_shared.http.problems import Problem, problem_responses
from grants_shared.http.query import StrictQuery
from reporting.read.public import public_fund, public_neighbourhood
from reporting.routes.freshness import read_model_answer
from reporting.routes.fund import json_bytes
from reporting.routes.public.html import STYLE
from reporting.routes.public.pages import fund_page, neighbourhood_page, not_found_page


async def public_visitor() -> None:
    """Who may read the public pages: anyone, with or without a token (none is read)."""


# A bad ward code or query is a 422 problem; a repeat with the ETag a 304 without a body.
router = APIRouter(
    prefix="/public",
    tags=["public"],
    dependencies=[Depends(public_visitor), *StrictQuery],
    responses={**problem_responses(422, 429, 503), 304: {"description": "Not modified (If-None-Match)"}},
)
HTML_404: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such neighbourhood (an HTML page)", "content": {"text/html": {}}}
}
POLICY = page_policy(style_src=source_hash(STYLE))
CACHE_CONTROL = "public, max-age=60"
WardCode = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9]+$")]
Answer = tuple[int, bytes, str]
"""Status, body and ETag: the tag is computed once per cached answer, not once per request."""


def _answer(status: int, body: bytes) -> Answer:
    return status, body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@router.get("/", response_class=HTMLResponse, summary="The fund's public page (HTML)")
async def fund_html(request: Request, reads: CachedReads) -> Response:
    """Money committed and paid, grants, neighbourhoods and outcomes reported, fund-wide."""
    answer = await read_model_answer(request, reads, ("public", "fund", "html"), _fund_html)
    return _cached(request, answer, "text/html; charset=utf-8")


@router.get("/api/fund", summary="The fund's public figures (JSON)", response_model=dict[str, Any])
async def fund_json(request: Request, reads: CachedReads) -> Response:
    """The figures of the fund's public page, money in integer pence."""
    answer = await read_model_answer(request, reads, ("public", "fund", "json"), _fund_json)
    return _cached(request, answer, "application/json")


@router.get(
    "/neighbourhoods/{ward_code}",
    response_class=HTMLResponse,
    summary="A neighbourhood's public page",
    responses=HTML_404,
)
async def neighbourhood_html(request: Request, reads: CachedReads, ward_code: WardCode) -> Response:
    """Whether it applied, the decision and why, money awarded and paid so far, outcomes reported; 404 if unknown."""
    code = ward_code.upper()
    answer = await read_model_answer(
        request, reads, ("public", code, "html"), lambda s, _b: _neighbourhood_html(request, s, code)
    )
    return _cached(request, answer, "text/html; charset=utf-8")


@router.get(
    "/api/neighbourhoods/{ward_code}",
    summary="A neighbourhood's public figures (JSON)",
    response_model=dict[str, Any],
    responses=problem_responses(404),
)
async def neighbourhood_json(request: Request, reads: CachedReads, ward_code: WardCode) -> Response:
    """The figures of a neighbourhood's public page, money in integer pence; 404 problem if unknown."""
    code = ward_code.upper()
    answer = await read_model_answer(
        request, reads, ("public", code, "json"), lambda s, _b: _neighbourhood_json(request, s, code)
    )
    if answer[0] == 404:
        raise Problem(404, "not-found", "No such neighbourhood", f"No neighbourhood has the ward code {code}.")
    return _cached(request, answer, "application/json")


def _fund_html(session: Session, _block: dict[str, Any]) -> Answer:
    return _answer(200, fund_page(public_fund(session)).encode())


def _fund_json(session: Session, _block: dict[str, Any]) -> Answer:
    return _answer(200, json_bytes(public_fund(session)))


def _neighbourhood(request: Request, session: Session, code: str) -> dict[str, Any] | None:
    return public_neighbourhood(session, code, request.app.state.settings.reference_data_dir)


def _neighbourhood_html(request: Request, session: Session, code: str) -> Answer:
    found = _neighbourhood(request, session, code)
    if found is None:
        return _answer(404, not_found_page(code).encode())
    return _answer(200, neighbourhood_page(found).encode())


def _neighbourhood_json(request: Request, session: Session, code: str) -> Answer:
    found = _neighbourhood(request, session, code)
    return _answer(404, b"") if found is None else _answer(200, json_bytes(found))


def _cached(request: Request, answer: Answer, media_type: str) -> Response:
    status, body, tag = answer
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if media_type.startswith("text/html"):
        headers[CSP] = POLICY
    if status == 200 and tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type=media_type, headers=headers)
