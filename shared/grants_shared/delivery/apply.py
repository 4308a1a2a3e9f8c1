"""Applying envelopes through the consumer's own path without Redis: tests, rebuilds and operator commands use it.

The same `Batch` the consumer runs: inbox, each handler in a savepoint, parking, outbox, audit and progress rows,
one commit. Redis is the only thing left out, so what this shows is what a worker does with the same events.
"""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.batch import Batch, BatchResult
from grants_shared.delivery.messages import Handler, Message, NotReady, Route
from grants_shared.delivery.streams import Entry
from grants_shared.events.envelope import Envelope
from grants_shared.uow import ring_commit_bells
from grants_shared.wire import DATA_FIELD, encode_frame


def message_for(envelope: Envelope[Any], route: Route, headers: dict[str, str] | None = None) -> Message:
    """A message as the consumer would have read it from the envelope's stream."""
    headers = {"event_id": envelope.event_id, **(headers or {})}
    body = envelope.model_dump_json()
    frame = encode_frame(body, headers)
    return Message(Entry(route.stream, "0-0", {DATA_FIELD.encode(): frame.encode()}), envelope, route, headers, body)


def apply_envelopes(
    sessions: sessionmaker[Session],
    group: str,
    routes: Sequence[Route],
    envelopes: Iterable[Envelope[Any]],
    *,
    raise_failures: bool = True,
) -> BatchResult:
    """Apply envelopes in one transaction as `group` would; a handler's error is raised unless told otherwise.

    A conflict with a concurrent transaction that applied the same event first is what the consumer meets when a
    replica raced it: the batch is read again, and the event is then a duplicate.
    """
    by_stream = {route.stream: route for route in routes}
    messages = [message_for(e, by_stream[type(e.payload).stream()]) for e in envelopes]
    attempt = 0
    while True:
        attempt += 1
        try:
            result = _transaction(sessions, group, by_stream, messages)
        except IntegrityError:
            if attempt >= 3:
                raise
            continue
        failed = result.with_status("failed")
        if not failed or not raise_failures:
            return result
        if not (isinstance(failed[0].exception, IntegrityError) and attempt < 3):
            raise failed[0].exception or RuntimeError(failed[0].error)


def apply_event(
    sessions: sessionmaker[Session], group: str, routes: Sequence[Route] | Handler, envelope: Envelope[Any]
) -> bool:
    """Apply one event as `group`'s worker does (inbox, unit of work, handler, parking, one commit); False for a
    duplicate. `routes` may be the group's routes or just the handler of this event.

    An event whose prerequisite has not arrived is parked, as the worker parks it, and NotReady is raised so the
    caller can tell; the event it waits for wakes it. A handler's error is raised and nothing of the event is kept.
    """
    if callable(routes):
        routes = [Route(type(envelope.payload), routes)]
    result = apply_envelopes(sessions, group, routes, [envelope])
    if parked := result.with_status("parked"):
        raise NotReady(parked[0].error or "parked")
    return bool(result.with_status("applied"))


def _transaction(
    sessions: sessionmaker[Session], group: str, routes: dict[str, Route], messages: list[Message]
) -> BatchResult:
    with sessions() as session:
        result = Batch(session, group, routes, datetime.now(UTC)).apply(messages)
        session.commit()
    if result.wrote_events:
        ring_commit_bells()
    return result
