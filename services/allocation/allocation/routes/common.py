"""What every route shares: role dependencies, paging parameters, path parameters."""

from typing import Annotated

from fastapi import Depends, Header, Path, Query

from grants_shared.auth import Principal, Role, require

READERS = (Role.OPERATOR, Role.ASSESSOR, Role.INTEGRATOR)
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Reader = Annotated[Principal, Depends(require(*READERS))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description="Retry-safe key (1-200 chars).")]
RoundId = Annotated[str, Path(min_length=1, max_length=100)]
RunId = Annotated[str, Path(min_length=1, max_length=100)]
