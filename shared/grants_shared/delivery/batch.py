"""A batch of events applied in one transaction: inbox, the handlers under shared savepoints, parking, progress.

Runs of messages share a SAVEPOINT; one that fails or is not ready yet is undone and kept apart while the rest of
the batch commits. A message whose prerequisite is missing is parked (kept, durably, in this transaction) and
woken in the same transaction the moment an event about the subject it waits for is applied. Outbox, audit and
inbox rows are written once per table at the end. Errors of the database itself (a lock, a lost connection)
abort the whole batch: they say nothing about any message, so the caller retries the batch, never dead-letters.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from opentelemetry import propagate, trace
from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from grants_shared import tables
from grants_shared.delivery import parking
from grants_shared.delivery.messages import Message, NotReady, Route, wake_keys
from grants_shared.delivery.progress import record_progress
from grants_shared.grant_trace import grant_of, mark_grant
from grants_shared.log_context import enter_event, leave_event
from grants_shared.telemetry import tracing_exported
from grants_shared.uow import Rows, UnitOfWork, discard_deferred, write_deferred, write_rows

tracer = trace.get_tracer(__name__)
Status = Literal["applied", "duplicate", "parked", "failed"]


def is_transient(error: BaseException) -> bool:
    """True for failures of the database rather than of a message: locks, timeouts, lost connections."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


@dataclass
class Outcome:
    """What became of one message: applied, a duplicate, parked until its prerequisite, or failed (with why)."""

    message: Message
    status: Status
    error: str | None = None
    exception: BaseException | None = None


@dataclass
class Tried:
    """One attempt at a message: its status, and for one not applied why, what it waits for, what it raised."""

    message: Message
    status: Status
    error: str | None = None
    waits_for: str = ""
    exception: BaseException | None = None


@dataclass
class BatchResult:
    """The outcomes of a batch, how many parked events it woke, and whether it wrote events to the outbox."""

    outcomes: list[Outcome] = field(default_factory=list)
    woken: int = 0
    wrote_events: bool = False

    def with_status(self, *statuses: Status) -> list[Outcome]:
        """The outcomes in any of `statuses`."""
        return [o for o in self.outcomes if o.status in statuses]


class Batch:
    """One transaction's worth of messages for one consumer group."""

    def __init__(self, session: Session, group: str, routes: dict[str, Route], now: datetime) -> None:
        self.session, self.group, self.routes, self.now = session, group, routes, now
        self.rows: Rows = {"outbox": [], "audit_log": []}
        self.inbox: list[dict[str, Any]] = []
        self.applied_subjects: set[str] = set()
        self.last_event_at: datetime | None = None
        self.result = BatchResult()
        self.traced = tracing_exported()  # read once: an absent variable costs a KeyError caught per lookup

    def apply(self, messages: Iterable[Message]) -> BatchResult:
        """Apply the messages in order, wake what they release, write the kept rows; the caller commits."""
        messages = list(messages)
        seen = self._seen({m.event_id for m in messages})
        fresh: list[Message] = []
        for message in messages:
            if message.event_id in seen:
                self.result.outcomes.append(Outcome(message, "duplicate"))
                continue
            seen.add(message.event_id)
            fresh.append(message)
        for tried in self._attempt(fresh):
            if tried.status == "parked":
                parking.park(
                    self.session,
                    self.group,
                    tried.message,
                    reason=tried.error or "",
                    waits_for=tried.waits_for,
                    now=self.now,
                )
            self.result.outcomes.append(Outcome(tried.message, tried.status, tried.error, tried.exception))
        self.wake(self.applied_subjects)
        self.finish()
        return self.result

    def wake(self, subjects: set[str]) -> None:
        """Apply parked events waiting for any of `subjects`, and what those release in turn."""
        while subjects:
            rows, messages = [], []
            for row in parking.waiting_for(self.session, self.group, subjects):
                try:
                    messages.append(parking.message_of(row, self.routes))
                except ValueError:
                    continue  # cannot be read any more: the sweep dead-letters it
                rows.append(row)
            released: set[str] = set()
            for row, tried in zip(rows, self._attempt(messages), strict=True):
                if self._settle_parked(row, tried) == "applied":
                    released |= wake_keys(tried.message.envelope)
            subjects = released

    def retry_parked(self, row: Any, message: Message) -> Status:
        """Try a parked event again: applied (and unparked), still waiting, or failed once more."""
        return self._settle_parked(row, self._run(message))

    def _settle_parked(self, row: Any, tried: "Tried") -> Status:
        if tried.status == "applied":
            parking.unpark(self.session, self.group, tried.message.event_id)
            self.result.woken += 1
        else:
            parking.repark(
                self.session,
                self.group,
                row,
                reason=tried.error or "",
                waits_for=tried.waits_for,
                failed=tried.status == "failed",
                now=self.now,
            )
        return tried.status

    def sweep(self, *, limit: int, park_timeout_s: float, max_failures: int) -> list[Any]:
        """Retry the parked events that are due; return those that waited or failed too long, to dead-letter."""
        given_up = []
        for row in parking.due(self.session, self.group, self.now, limit):
            if parking.expired(row, self.now, park_timeout_s=park_timeout_s, max_failures=max_failures):
                given_up.append(row)
                continue
            try:
                message = parking.message_of(row, self.routes)
            except ValueError:
                given_up.append(row)
                continue
            self.retry_parked(row, message)
        self.wake(set(self.applied_subjects))
        self.finish()
        return given_up

    def finish(self) -> None:
        """Write the kept outbox, audit and inbox rows and the group's progress."""
        write_rows(self.session, self.rows)
        if self.inbox:
            self.session.execute(insert(tables.inbox), self.inbox)
            record_progress(self.session, self.group, len(self.inbox), self.now, self.last_event_at)

    def _seen(self, event_ids: set[str]) -> set[str]:
        if not event_ids:
            return set()
        inbox, parked = tables.inbox.c, tables.parked.c
        handled = self.session.scalars(
            select(inbox.event_id).where(inbox.consumer_group == self.group, inbox.event_id.in_(event_ids))
        )
        waiting = self.session.scalars(
            select(parked.event_id).where(parked.consumer_group == self.group, parked.event_id.in_(event_ids))
        )
        return set(handled) | set(waiting)

    def _attempt(self, messages: list[Message]) -> list["Tried"]:
        """Apply new messages in runs, each under one savepoint; what stops a run is undone with it and kept apart.

        A savepoint and a flush per message cost more than most handlers, so a run of messages shares one. When a
        message of the run waits for a prerequisite (NotReady), the run is undone: the messages before it are
        applied again together, it is parked with the reason it gave (the same state, so the same answer), and the
        next run starts after it. Each message runs at most twice. Any other failure is isolated by running the
        message alone in its own savepoint, and if the messages before it do not apply again together (a failing
        flush names no message), each of those goes alone too.
        """
        tried: list[Tried] = []
        while messages:
            stopped = self._together(messages)
            if stopped is None:
                return tried + [Tried(m, "applied") for m in messages]
            at, waiting = stopped
            if at and self._together(messages[:at]) is None:
                tried += [Tried(m, "applied") for m in messages[:at]]
            else:
                tried += [self._run(m) for m in messages[:at]]
            message = messages[at]
            if waiting is None:
                tried.append(self._run(message))
            else:
                tried.append(Tried(message, "parked", str(waiting), waiting.waits_for or message.envelope.subject))
            messages = messages[at + 1 :]
        return tried

    def _together(self, messages: list[Message]) -> tuple[int, NotReady | None] | None:
        """Run the handlers under one savepoint and keep them all (None); or undo them all and say which one stopped.

        Returns the stopping message's index and, when it stopped because it is not ready, its NotReady.
        """
        done: list[tuple[Message, UnitOfWork]] = []
        savepoint = self.session.begin_nested()
        try:
            for message in messages:
                done.append((message, self._handle(message)))
            write_deferred(self.session)
            self.session.flush()
            savepoint.commit()
        except Exception as error:
            discard_deferred(self.session)
            if is_transient(error):
                raise
            savepoint.rollback()
            at = min(len(done), len(messages) - 1)  # a failing flush names no message: split at the last
            return at, error if isinstance(error, NotReady) and at == len(done) else None
        for message, uow in done:
            self._keep(message, uow)
        return None

    def _handle(self, message: Message, *, flush: bool = False) -> UnitOfWork:
        """Run one handler (no savepoint of its own) in the message's trace context; a failure is recorded on its span.

        Waiting for a prerequisite (NotReady) is not an error of the span.
        """
        envelope = message.envelope
        tokens = enter_event(grant_of(envelope.payload), envelope.event_id)  # log lines name the event and grant
        try:
            return self._handle_bound(message, flush=flush)
        finally:
            leave_event(tokens)

    def _handle_bound(self, message: Message, *, flush: bool) -> UnitOfWork:
        envelope = message.envelope
        uow = UnitOfWork.joined(self.session, cause=envelope)
        if not self.traced:  # a span nobody exports costs more than many handlers: none at all
            message.route.handle(envelope, uow)
            if flush:
                write_deferred(self.session)
                self.session.flush()
            return uow
        with tracer.start_as_current_span(
            f"{message.route.stream} process",
            context=propagate.extract(message.headers),
            kind=trace.SpanKind.CONSUMER,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            span.set_attribute("messaging.system", "redis")
            span.set_attribute("messaging.consumer.group.name", self.group)
            span.set_attribute("messaging.message.id", envelope.event_id)
            mark_grant(span, grant_of(envelope.payload))
            try:
                message.route.handle(envelope, uow)
                if flush:
                    write_deferred(self.session)
                    self.session.flush()
            except NotReady:
                raise
            except Exception as error:
                span.record_exception(error)
                span.set_status(trace.Status(trace.StatusCode.ERROR, repr(error)))
                raise
        return uow

    def _run(self, message: Message) -> "Tried":
        """Run one handler in its own savepoint; keep its rows and its inbox row only if it succeeded."""
        envelope = message.envelope
        savepoint = self.session.begin_nested()
        try:
            uow = self._handle(message, flush=True)
            savepoint.commit()
        except NotReady as waiting:
            discard_deferred(self.session)
            savepoint.rollback()
            return Tried(message, "parked", str(waiting), waiting.waits_for or envelope.subject)
        except Exception as error:
            discard_deferred(self.session)
            if is_transient(error):
                raise
            savepoint.rollback()
            return Tried(message, "failed", repr(error), envelope.subject, error)
        self._keep(message, uow)
        return Tried(message, "applied")

    def _keep(self, message: Message, uow: UnitOfWork) -> None:
        envelope = message.envelope
        for name, kept in uow.rows.items():
            self.rows[name].extend(kept)
        self.result.wrote_events = self.result.wrote_events or bool(uow.emitted)
        self.inbox.append(
            {
                "consumer_group": self.group,
                "event_id": envelope.event_id,
                "stream": message.route.stream,
                "processed_at": self.now,
            }
        )
        self.applied_subjects |= wake_keys(envelope)
        if self.last_event_at is None or envelope.occurred_at > self.last_event_at:
            self.last_event_at = envelope.occurred_at
