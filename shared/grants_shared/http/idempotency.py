"""HTTP idempotency: a retried POST with the same Idempotency-Key gets the first response, not a second effect."""

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.auth import Principal
from grants_shared.crash import crash_point
from grants_shared.http.problems import Problem
from grants_shared.uow import UnitOfWork

Work = Callable[[UnitOfWork], tuple[int, Any]]


def request_hash(payload: Any) -> str:
    """A stable hash of a request body (canonical JSON)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


_T = tables.idempotency_keys
_SELECT = select(_T).where(_T.c.scope == bindparam("s"), _T.c.key == bindparam("k"))  # built once, not per request
_INSERT = insert(_T)


def _stored(session: Session, scope: str, key: str) -> Any:
    return session.execute(_SELECT, {"s": scope, "k": key}).first()


def encode(body: Any) -> str:
    """The body as JSONResponse renders it (compact, UTF-8), with non-JSON values as their `str`: encoded once, kept
    and sent as it is, the first time and on every replay."""
    return json.dumps(body, default=str, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))


class EncodedJSON(JSONResponse):
    """A JSON answer whose body is already encoded: its bytes are sent as they are (a JSONResponse to its callers)."""

    def render(self, content: Any) -> bytes:
        """The bytes given, unchanged."""
        return bytes(content)


def answer(body: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON answer of already encoded text."""
    return EncodedJSON(body.encode(), status_code=status, headers=headers)


def _replay(row: Any, digest: str) -> JSONResponse:
    if row.request_hash != digest:
        raise Problem(
            409,
            "idempotency-key-reused",
            "Idempotency-Key already used with another body",
            "Use a new key for a different request.",
        )
    return answer(row.response_body, row.status_code, {"Idempotent-Replayed": "true"})


def run_idempotent(
    sessions: sessionmaker[Session], *, key: str | None, scope: str, payload: Any, work: Work
) -> JSONResponse:
    """Run `work` in one unit of work, remembering its response under (scope, key) in the same transaction."""
    digest = request_hash(payload)
    if len(scope) > 300:  # the scope holds the caller's subject, which a token may make arbitrarily long
        scope = "sha256:" + hashlib.sha256(scope.encode()).hexdigest()
    if key is not None and not 1 <= len(key) <= 200:
        raise Problem(400, "bad-idempotency-key", "Idempotency-Key must be 1 to 200 characters")
    try:
        with UnitOfWork(sessions) as uow:
            if key is not None and (row := _stored(uow.session, scope, key)) is not None:
                return _replay(row, digest)
            status, body = work(uow)
            encoded = encode(body)
            if key is not None:
                row = {
                    "scope": scope,
                    "key": key,
                    "request_hash": digest,
                    "status_code": status,
                    "response_body": encoded,
                    "created_at": datetime.now(UTC),
                }
                uow.session.execute(_INSERT, row)
            uow.commit()
            crash_point(f"{os.environ.get('GRANTS_PROCESS_NAME', 'api')}.after_commit")  # committed, not answered
            return answer(encoded, status)
    except IntegrityError as error:
        if key is not None:
            with UnitOfWork(sessions) as uow:  # a concurrent twin won the race: answer with its response
                if (row := _stored(uow.session, scope, key)) is not None:
                    return _replay(row, digest)
        raise Problem(
            409,
            "conflict",
            "The request conflicts with a concurrent change",
            "Nothing was written; read the current state and retry.",
        ) from error


def idempotent_post(
    request: Request,
    sessions: sessionmaker[Session],
    principal: Principal,
    key: str | None,
    payload: BaseModel | dict[str, Any] | None,
    work: Work,
) -> JSONResponse:
    """Run a state-changing POST once per Idempotency-Key, scoped to the caller and the concrete path.

    The answer's body is made JSON-safe (ISO 8601 times) before it is stored; a concurrent conflicting write is a 409
    `conflict` problem and writes nothing.
    """
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else jsonable_encoder(payload or {})

    def encoded(uow: UnitOfWork) -> tuple[int, Any]:
        status, answer_body = work(uow)
        return status, jsonable_encoder(answer_body)

    scope = f"{principal.subject}:{request.method} {request.url.path}"
    return run_idempotent(sessions, key=key, scope=scope, payload=body, work=encoded)
