"""RFC 9457 problem details: every failure is a clear 4xx with a machine-readable body, never a bare 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from grants_shared.errors import AppError, Conflict, Forbidden, Invalid, NotFound

log = logging.getLogger(__name__)
RETRY_AFTER_S = 2  # what a client is told to wait after the database did not answer in time
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://cwf-grants.example/problems/"


MEANINGS = {
    400: "The body is not JSON",
    401: "No valid bearer token",
    403: "Your role may not do this",
    404: "Not found, or not yours",
    409: "Conflicts with the current state",
    413: "The body is larger than the service takes",
    422: "Invalid request: `errors` names each field",
    429: "Too many requests from this client: wait `Retry-After` seconds",
    503: "The database did not answer in time: retry after `Retry-After` seconds",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` documenting problem+json answers with these statuses (for a router or a route)."""
    return {status: {"description": MEANINGS[status], "content": {PROBLEM_JSON: {}}} for status in statuses}


API_PROBLEMS = problem_responses(*MEANINGS)
"""What any API route may answer besides its success: a router's `responses=`."""


class Problem(Exception):
    """Raise to answer with a problem: a status, a stable `code` (the type's last part), a title and a detail.

    `headers` go on the answer, not in its body (e.g. a 401's `WWW-Authenticate`).
    """

    def __init__(
        self, status: int, code: str, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail, self.extra = status, code, title, detail, extra
        self.headers = headers or {}


def problem_response(status: int, code: str, title: str, detail: str = "", **extra: Any) -> JSONResponse:
    """A problem+json response."""
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


STATUS_OF_ERROR: dict[type[AppError], int] = {NotFound: 404, Conflict: 409, Invalid: 422, Forbidden: 403}
"""The status each kind of application error answers with (a kind not listed answers 422)."""


def error_status(exc: AppError) -> int:
    """The HTTP status of an application error: that of the nearest kind it derives from."""
    for kind in type(exc).__mro__:
        if kind in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[kind]
    return 422


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(err.get("loc", ())), "msg": str(err.get("msg", "")), "type": str(err.get("type", ""))}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    """Turn validation errors, HTTP errors, application errors, problems and surprises into problem+json."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        response = problem_response(exc.status, exc.code, exc.title, exc.detail, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return problem_response(error_status(exc), exc.code, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            "See `errors` for each field.",
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            401: "unauthenticated",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            413: "body-too-large",
            429: "rate-limited",
        }.get(exc.status_code, "http-error")
        response = problem_response(exc.status_code, code, str(exc.detail), str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        # A statement timeout, a lock not granted in time, a lost connection: the request may succeed if repeated.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        response = problem_response(
            503,
            "database-unavailable",
            "The database did not answer in time",
            "Try again shortly (a POST with the same Idempotency-Key).",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "internal-error", "Internal error", "The error was logged.")
