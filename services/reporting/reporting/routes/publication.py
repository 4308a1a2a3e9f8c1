"""The fund's grants in the 360Giving Data Standard, open to everyone (the fund publishes openly): JSON, CSV, XLSX."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from grants_shared.http.app import CachedReads
from grants_shared.http.problems import problem_responses
from grants_shared.http.query import StrictQuery
from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.flat import csv_bytes, xlsx_bytes
from reporting.read.publication.package import build_package, package_bytes
from reporting.routes.freshness import read_model_answer
from reporting.routes.public import public_visitor

router = APIRouter(
    tags=["publication"],
    responses=problem_responses(422, 429, 503),
    dependencies=[Depends(public_visitor), *StrictQuery],
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CsvResponse(Response):
    """A CSV sheet (documented as such in the OpenAPI document)."""

    media_type = "text/csv"


class XlsxResponse(Response):
    """An XLSX workbook (documented as such in the OpenAPI document)."""

    media_type = XLSX


FORMATS: dict[str, tuple[Callable[[dict[str, Any]], bytes], str]] = {
    "json": (package_bytes, "application/json"),
    "csv": (csv_bytes, "text/csv; charset=utf-8"),
    "xlsx": (xlsx_bytes, XLSX),
}


async def _published(request: Request, reads: CachedReads, fmt: str) -> Response:
    encode, media_type = FORMATS[fmt]

    def build(session: Session, _block: dict[str, Any]) -> bytes:
        return encode(build_package(session, PublicationSettings()))

    body = await read_model_answer(request, reads, ("publication/360giving", fmt), build)
    disposition = f'{"inline" if fmt == "json" else "attachment"}; filename="360giving.{fmt}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/publication/360giving.json", summary="The fund's grants as a 360Giving package (JSON)")
async def package_json(request: Request, reads: CachedReads) -> Response:
    """Every grant (synthetic, scenario and demo runs left out) in the 360Giving Data Standard 1.4.3; no login.

    Read at most once per GRANTS_READ_CACHE_TTL_S, and again as soon as a new event is applied.
    """
    return await _published(request, reads, "json")


@router.get(
    "/publication/360giving.csv",
    summary="The fund's grants as a flat 360Giving sheet (CSV)",
    response_class=CsvResponse,
)
async def package_csv(request: Request, reads: CachedReads) -> Response:
    """The package as one row per grant under the standard's column titles (UTF-8 with a byte order mark)."""
    return await _published(request, reads, "csv")


@router.get(
    "/publication/360giving.xlsx",
    summary="The fund's grants as a flat 360Giving sheet (XLSX)",
    response_class=XlsxResponse,
)
async def package_xlsx(request: Request, reads: CachedReads) -> Response:
    """The package as one row per grant under the standard's column titles, in a workbook sheet `grants`."""
    return await _published(request, reads, "xlsx")
