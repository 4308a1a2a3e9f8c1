"""What every route module shares: callers by role, pagination, problem answers."""

from typing import Annotated

from fastapi import Depends, Header, Path, Query
from pydantic.json_schema import SkipJsonSchema

from grants_shared.auth import Principal, Role, require
from grants_shared.http.problems import problem_responses

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
