"""What every route module shares: callers by role, pagination, idempotent POSTs."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Principal, Role, require
from grants_shared.http.idempotency import run_idempotent
from grants_shared.http.problems import Problem, problem_responses
from grants_shared.uow import UnitOfWork

Anyone = Annotated[Principal, Depends(require(*Role))]
Reader = Annotated[Principal, Depends(require(Role.APPLICANT, Role.ASSESSOR, Role.OPERATOR))]
Changer = Annotated[Principal, Depends(require(Role.APPLICANT, Role.OPERATOR))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, at most 200.")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")]
PathId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:-]{1,64}$", description="An id or code.")]
# Optional query parameters are documented without `null`: a query string cannot say null, only leave it out.
QueryText = Annotated[str | SkipJsonSchema[None], Query(max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=200, description="Retry-safe key, 1-200 chars."),
]

PROBLEMS = problem_responses(401, 403, 404, 422)
WRITE_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 422)


def idempotent_post(
    request: Request,
    sessions: sessionmaker[Session],
    actor: Principal,
    key: str | None,
    body: BaseModel | None,
    work: Callable[[UnitOfWork], tuple[int, Any]],
) -> JSONResponse:
    """Run a creating POST once per Idempotency-Key, scoped to the caller and the exact path."""
    payload = body.model_dump(mode="json") if body is not None else {}
    scope = f"{actor.subject}:POST {request.url.path}"
    try:
        return run_idempotent(sessions, key=key, scope=scope, payload=payload, work=work)
    except IntegrityError as error:
        # A concurrent request changed the same thing first (e.g. the same org_id); nothing of ours was written.
        raise Problem(409, "concurrent-change", "Changed concurrently", "Retry the request.") from error
