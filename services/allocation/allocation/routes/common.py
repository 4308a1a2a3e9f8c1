"""What every route shares: role dependencies, paging parameters, idempotent POSTs."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.auth import Principal, Role, require
from grants_shared.http.idempotency import run_idempotent
from grants_shared.http.problems import Problem
from grants_shared.uow import UnitOfWork

READERS = (Role.OPERATOR, Role.ASSESSOR, Role.INTEGRATOR)
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Reader = Annotated[Principal, Depends(require(*READERS))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Retry-safe key (1-200 chars).")]
RoundId = Annotated[str, Path(min_length=1, max_length=100)]
RunId = Annotated[str, Path(min_length=1, max_length=100)]


def idempotent_post(
    sessions: sessionmaker[Session],
    principal: Principal,
    route: str,
    key: str | None,
    payload: Any,
    work: Callable[[UnitOfWork], tuple[int, Any]],
) -> JSONResponse:
    """Run a creating POST once per Idempotency-Key; a concurrent conflicting write becomes a 409 problem."""
    try:
        return run_idempotent(sessions, key=key, scope=f"{principal.subject}:POST {route}", payload=payload, work=work)
    except IntegrityError as error:
        raise Problem(
            409,
            "conflict",
            "A concurrent change conflicted with this request",
            "Nothing was written; read the current state and retry.",
        ) from error
