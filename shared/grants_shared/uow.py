"""The unit of work: one transaction holding a use case's state change, its events and its inbox row."""

import json
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from opentelemetry import propagate
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from grants_shared import tables
from grants_shared.events.envelope import Envelope, Event, wrap


class UnitOfWork:
    """Opens a session; `emit` and `audit` write into the same transaction; `commit` once at the end."""

    def __init__(self, sessions: sessionmaker[Session], cause: Envelope[Any] | None = None) -> None:
        self._sessions = sessions
        self.cause = cause
        self.emitted: list[Envelope[Any]] = []

    def __enter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Commit the state change, the outbox rows, the audit rows and the inbox row together."""
        self.session.commit()

    def emit(self, payload: Event, *, subject: str, event_id: str | None = None) -> Envelope[Any]:
        """Record an event in the outbox; the relay publishes it after commit, with today's trace context."""
        envelope = wrap(
            payload,
            subject=subject,
            event_id=event_id,
            correlation_id=self.cause.correlation_id if self.cause else None,
            causation_id=self.cause.event_id if self.cause else None,
        )
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        self.session.execute(
            insert(tables.outbox).values(
                event_id=envelope.event_id,
                stream=payload.stream(),
                subject=subject,
                body=envelope.model_dump_json(),
                headers=carrier,
                created_at=datetime.now(UTC),
            )
        )
        self.emitted.append(envelope)
        return envelope

    def audit(
        self, *, actor: str, action: str, entity_type: str, entity_id: str, before: Any = None, after: Any = None
    ) -> None:
        """Append who changed what, with the state before and after (JSON-safe values)."""
        self.session.execute(
            insert(tables.audit_log).values(
                occurred_at=datetime.now(UTC),
                actor=actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                before=json.loads(json.dumps(before, default=str)) if before is not None else None,
                after=json.loads(json.dumps(after, default=str)) if after is not None else None,
            )
        )
