"""The unit of work: one transaction holding a use case's state change, its events and its inbox row."""

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from opentelemetry import propagate
from sqlalchemy import JSON, Dialect, bindparam, event, insert
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from grants_shared import tables
from grants_shared.db import sqlite_write_lock
from grants_shared.events.envelope import Envelope, Event, envelope_of, wrap

Rows = dict[str, list[dict[str, Any]]]
_commit_bells: dict[str, Callable[[], None]] = {}
_DEFERRED, _CACHE = "grants_deferred_writes", "grants_transaction_cache"
_DEFERRED_LATER = "grants_deferred_updates"


def on_commit_with_events(name: str, bell: Callable[[], None] | None) -> None:
    """Ring `bell` after every commit in this process that wrote outbox rows (the relay's doorbell); None removes it."""
    if bell is None:
        _commit_bells.pop(name, None)
    else:
        _commit_bells[name] = bell


def ring_commit_bells() -> None:
    """Tell whoever listens that committed outbox rows wait (a relay wakes at once instead of at its next poll)."""
    for bell in list(_commit_bells.values()):
        bell()


class UnitOfWork:
    """Opens a session; `emit` and `audit` write into the same transaction; `commit` once at the end.

    Outbox and audit rows are kept in memory and written together, in one statement per table, when the unit of
    work flushes them (at `commit`, or when a batch of consumed events ends): a use case that emits twenty events
    costs one INSERT, not twenty.
    """

    def __init__(self, sessions: sessionmaker[Session] | None, cause: Envelope[Any] | None = None) -> None:
        self._sessions = sessions
        self.cause = cause
        self.emitted: list[Envelope[Any]] = []
        self.rows: Rows = {"outbox": [], "audit_log": []}
        self._write_lock: threading.RLock | None = None
        self._carrier: dict[str, str] | None = None

    @classmethod
    def joined(cls, session: Session, cause: Envelope[Any] | None = None) -> "UnitOfWork":
        """A unit of work inside a transaction someone else owns (a batch of events): it never commits itself."""
        uow = cls(None, cause)
        uow.session = session
        return uow

    def __enter__(self) -> "UnitOfWork":
        assert self._sessions is not None, "a joined unit of work is not entered"
        self._write_lock = sqlite_write_lock(self._sessions.kw.get("bind"))
        if self._write_lock is not None:
            self._write_lock.acquire()
        try:
            self.session = self._sessions()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            self._release()

    def _release(self) -> None:
        if self._write_lock is not None:
            self._write_lock.release()
            self._write_lock = None

    def commit(self) -> None:
        """Commit the state change, the outbox rows, the audit rows and the inbox row together."""
        if self._sessions is None:
            raise RuntimeError("a joined unit of work is committed by the transaction that owns it")
        self.write_rows()
        self.session.commit()
        if self.emitted:
            ring_commit_bells()

    def write_rows(self) -> None:
        """Write the outbox and audit rows kept so far (one INSERT per table) and forget them."""
        write_rows(self.session, self.rows)
        self.rows = {"outbox": [], "audit_log": []}

    def emit(self, payload: Event, *, subject: str, event_id: str | None = None) -> Envelope[Any]:
        """Record an event in the outbox; the relay publishes it after commit, with today's trace context."""
        envelope = _envelope(payload, subject, event_id, self.cause)
        self.rows["outbox"].append(
            {
                "event_id": envelope.event_id,
                "stream": payload.stream(),
                "subject": subject,
                "body": envelope.model_dump_json(),
                "headers": self.trace_carrier(),
                "created_at": envelope.occurred_at,
            }
        )
        self.emitted.append(envelope)
        return envelope

    def trace_carrier(self) -> dict[str, str]:
        """Today's trace context, taken once per unit of work: every event it emits carries the same one."""
        if self._carrier is None:
            self._carrier = {}
            propagate.inject(self._carrier)
        return self._carrier

    def audit(
        self, *, actor: str, action: str, entity_type: str, entity_id: str, before: Any = None, after: Any = None
    ) -> None:
        """Append who changed what, with the state before and after (JSON-safe values)."""
        self.rows["audit_log"].append(
            {
                "occurred_at": datetime.now(UTC),
                "actor": actor,
                "action": action,
                "entity_type": entity_type,
                "entity_id": entity_id,
                "before": _json_safe(before),
                "after": _json_safe(after),
            }
        )


def _envelope(payload: Event, subject: str, event_id: str | None, cause: Envelope[Any] | None) -> Envelope[Any]:
    """`wrap`'s envelope without validating it again: every field is built here from checked values (the payload
    was validated when it was made, the cause when it was read), so it is the same model and the same JSON."""
    if not isinstance(payload, Event) or not isinstance(subject, str) or not isinstance(event_id, str | None):
        return wrap(
            payload,
            subject=subject,
            event_id=event_id,
            correlation_id=cause.correlation_id if cause else None,
            causation_id=cause.event_id if cause else None,
        )  # validates, so a wrong type fails loudly as before
    eid = event_id or _uuid4_text()
    model: Any = envelope_of(type(payload))
    envelope: Envelope[Any] = model.model_construct(
        event_id=eid,
        event_type=payload.event_type,
        event_version=payload.event_version,
        occurred_at=datetime.now(UTC),
        producer=payload.producer,
        subject=subject,
        correlation_id=(cause.correlation_id if cause else None) or eid,
        causation_id=cause.event_id if cause else None,
        payload=payload,
    )
    return envelope


class EncodedJSON(TypeDecorator[str]):
    """A JSON column bound from text encoded already (PostgreSQL still gets its `::JSON` cast from the column type)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        """No processing: the value is JSON text."""
        return None


_INSERT_OUTBOX = insert(tables.outbox).values(headers=bindparam("headers_json", type_=EncodedJSON()))


def _uuid4_text() -> str:
    """`str(uuid.uuid4())` without building a `uuid.UUID` (twenty-one per award): random, version 4, RFC 4122."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def write_rows(session: Session, rows: Rows) -> None:
    """Insert kept outbox and audit rows, one executemany per table, outbox first (ids keep emission order)."""
    if rows.get("outbox"):
        session.execute(_INSERT_OUTBOX, _outbox_params(rows["outbox"]))
    if rows.get("audit_log"):
        session.execute(insert(tables.audit_log), rows["audit_log"])


def _outbox_params(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outbox rows with their headers as JSON text, each distinct headers object encoded once (a unit of work
    gives all its events the same trace carrier: twenty-one events of an award, one encoding)."""
    encoded: dict[int, tuple[Any, str]] = {}
    params = []
    for row in rows:
        headers = row["headers"]
        known = encoded.get(id(headers))
        if known is None or known[0] is not headers:
            known = encoded[id(headers)] = (headers, json.dumps(headers))
        params.append({k: v for k, v in row.items() if k != "headers"} | {"headers_json": known[1]})
    return params


def _json_safe(value: Any) -> Any:
    """`value` as it reads back from JSON written with `default=str` (what the audit columns store), without
    encoding and decoding it: plain containers and scalars walked once, anything else as its `str`."""
    try:
        return _plain(value)
    except _Unusual:  # a key JSON would turn into text some other way: take the round trip itself
        return json.loads(json.dumps(value, default=str))


class _Unusual(Exception):
    pass


def _plain(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if isinstance(value, dict):
        if not all(type(k) is str for k in value):
            raise _Unusual
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):  # a str enum: JSON writes its text
        return str.__str__(value)
    if isinstance(value, int):  # an int enum (bool is never subclassed): JSON writes its number
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    return str(value)


def defer(session: Session, statement: Executable, params: dict[str, Any], *, after_inserts: bool = False) -> None:
    """Run `statement` with `params` later, in one executemany with the other rows of the same statement.

    The kept rows are written before the session's next statement (so every read sees them), at its commit, and
    wherever a caller that owns a savepoint calls `write_deferred` before releasing it. Only for statements whose
    result nobody reads (an INSERT .. ON CONFLICT DO NOTHING): the rows of one statement go in the order given.
    `after_inserts` keeps an UPDATE for after all the other kept rows: only for an update whose order against those
    inserts does not matter (its row was inserted before it was kept) and that commutes with the other kept updates.
    """
    key = _DEFERRED_LATER if after_inserts else _DEFERRED
    session.info.setdefault(key, {}).setdefault(statement, []).append(params)


def write_deferred(session: Session) -> None:
    """Write the rows `defer` kept for this session now, one executemany per statement, the updates last."""
    # Both taken before the first execute: its do_orm_execute hook would otherwise write the updates early.
    inserts: dict[Executable, list[dict[str, Any]]] | None = session.info.pop(_DEFERRED, None)
    updates: dict[Executable, list[dict[str, Any]]] | None = session.info.pop(_DEFERRED_LATER, None)
    for pending in (inserts, updates):
        for statement, params in (pending or {}).items():
            session.execute(statement, params)


def discard_deferred(session: Session) -> None:
    """Forget the kept rows and what the transaction cache knows: the savepoint they belonged to was undone."""
    session.info.pop(_DEFERRED, None)
    session.info.pop(_DEFERRED_LATER, None)
    session.info.pop(_CACHE, None)


def transaction_cache(session: Session) -> dict[Any, Any]:
    """Facts learnt in this session's transaction (rows known to exist); forgotten by `discard_deferred`."""
    cache: dict[Any, Any] = session.info.setdefault(_CACHE, {})
    return cache


@event.listens_for(Session, "do_orm_execute")
def _write_before_statement(state: ORMExecuteState) -> None:
    if _DEFERRED in state.session.info or _DEFERRED_LATER in state.session.info:
        write_deferred(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_deferred(session)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_rollback")
def _discard_after_rollback(session: Session) -> None:
    discard_deferred(session)
