"""Consumers: every event of the other services goes on the timeline and into the projections it feeds."""

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from grants_shared.events import ALL_EVENTS, Envelope, Event
from grants_shared.uow import UnitOfWork
from reporting.adapters import timeline
from reporting.consumers.projections import applications, funding, payments, reconciliation, variations

Projection = Callable[[Envelope[Any], Session], None]

PROJECTIONS: dict[type[Event], Projection] = {
    **applications.HANDLERS,
    **funding.HANDLERS,
    **payments.HANDLERS,
    **variations.HANDLERS,
    **reconciliation.HANDLERS,
}

CONSUMED: tuple[type[Event], ...] = tuple(e for e in ALL_EVENTS if e.producer != "reporting")


def on_any_event(envelope: Envelope[Any], uow: UnitOfWork) -> None:
    """Record the event on the timeline and update its projection.

    The timeline row is written with the batch's others in one executemany, so it cannot say whether the event id
    was there already: the inbox drops duplicates, and every projection is idempotent on its own (insert-once rows,
    conditional updates, money moved once per instruction), so a repeat that got past the inbox changes nothing.
    """
    timeline.record_later(uow.session, envelope)
    project = PROJECTIONS.get(type(envelope.payload))
    if project is not None:
        project(envelope, uow.session)


def consumed() -> list[tuple[type[Event], Callable[[Envelope[Any], UnitOfWork], None]]]:
    """What the worker subscribes to: every event class of the other services, each into `on_any_event`."""
    return [(event, on_any_event) for event in CONSUMED]
