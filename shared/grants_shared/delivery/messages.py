"""What a consumer handles: routes from streams to handlers, and stream entries decoded into envelopes."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from grants_shared.delivery.streams import Entry
from grants_shared.events.envelope import Envelope, Event, envelope_of
from grants_shared.uow import UnitOfWork

Handler = Callable[[Envelope[Any], UnitOfWork], None]


# The ids an event carries that another event may wait for: an applied event wakes what waits for any of them.
WAKING_IDS = ("tranche_id", "instruction_id", "difference_id", "round_id")


def awaiting(field_name: str, value: str) -> str:
    """The wake key of an id (`waits_for=awaiting("tranche_id", t)`): woken by the first applied event carrying it."""
    return f"{field_name}:{value}"


def wake_keys(envelope: Envelope[Any]) -> set[str]:
    """What an applied event makes ready: its subject, and each id of WAKING_IDS its payload carries."""
    keys = {envelope.subject}
    fields = vars(envelope.payload)  # not getattr: a pydantic model answers a missing name by raising, slowly
    for name in WAKING_IDS:
        if isinstance(value := fields.get(name), str):
            keys.add(awaiting(name, value))
    return keys


class NotReady(Exception):
    """A prerequisite of this event has not arrived yet: the event is parked until it has, not dropped.

    `waits_for` is the wake key that releases it: by default the event's own subject (the grant or application it
    is about), or, more precisely, `awaiting(id_field, id)`, so that only the event carrying that id wakes it and
    not every later event about the same grant.
    """

    def __init__(self, reason: str, *, waits_for: str | None = None) -> None:
        super().__init__(reason)
        self.waits_for = waits_for


@dataclass(frozen=True)
class Route:
    """One event type a consumer group handles, and the use case it goes to."""

    event: type[Event]
    handle: Handler

    @property
    def stream(self) -> str:
        """The stream the event travels on."""
        return self.event.stream()


@dataclass
class Message:
    """A decoded stream entry: its envelope, the headers it travelled with, the route that handles it.

    `body` is the envelope's text exactly as it travelled: what its signature covers.
    """

    entry: Entry
    envelope: Envelope[Any]
    route: Route
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def event_id(self) -> str:
        """The deduplication key."""
        return self.envelope.event_id


def decode(entry: Entry, routes: dict[str, Route]) -> Message:
    """The entry's envelope, checked against the event its stream carries; ValueError says why it cannot be read."""
    route = routes.get(entry.stream)
    if route is None:
        raise ValueError(f"no handler for stream {entry.stream}")
    return decode_frame(entry, entry.frame, route)


def decode_frame(entry: Entry, frame: str, route: Route) -> Message:
    """Decode a frame (`{"headers": ..., "data": "<envelope>"}`) for `route`."""
    try:
        outer = json.loads(frame)
        body = outer["data"]
        if not isinstance(body, str):
            raise TypeError("data is not a string")
        envelope = envelope_of(route.event).model_validate_json(body)
    except (ValueError, KeyError, TypeError, ValidationError) as error:
        raise ValueError(f"undecodable envelope: {error}") from error
    expected = (route.event.event_type, route.event.event_version)
    if (envelope.event_type, envelope.event_version) != expected:
        raise ValueError(f"undecodable envelope: a {envelope.event_type} v{envelope.event_version} on {route.stream}")
    headers = outer.get("headers") if isinstance(outer.get("headers"), dict) else {}
    return Message(entry, envelope, route, {str(k): str(v) for k, v in headers.items()}, body)
