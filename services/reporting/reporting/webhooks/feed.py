"""The event feed: the streams' history merged in Redis's order, paged by an opaque per-stream cursor.

Every platform stream is read with XRANGE after the cursor's id for that stream; the entries are merged by their
ids (one clock for all streams, the stream name breaking ties), and the cursor moves each stream on to the last
entry the page took from it, so nothing is skipped whatever the streams' relative pace. Entries are checked like a
consumer checks them (decoded, signed by their producer) and shown as the same CloudEvents webhooks carry.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from redis import Redis

from grants_shared.delivery.messages import Route, decode_frame
from grants_shared.delivery.streams import Entry
from grants_shared.events import ALL_EVENTS, Event
from grants_shared.signing import Keyring, Refused
from reporting.webhooks.cloudevent import cloud_event

Cursor = dict[str, str]


class BadCursor(ValueError):
    """The cursor is not one this feed gave out."""


@dataclass
class Page:
    """A page of events and the cursor to ask for the next."""

    items: list[dict[str, Any]]
    cursor: str
    has_more: bool


def encode_cursor(cursor: Cursor) -> str:
    """The opaque text of a cursor."""
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":"), sort_keys=True).encode()).decode()


def decode_cursor(text: str | None) -> Cursor:
    """A cursor from its text ('' or None: the beginning); BadCursor when it is not one."""
    if not text:
        return {}
    try:
        cursor = json.loads(base64.urlsafe_b64decode(text.encode()))
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise BadCursor(str(error)) from None
    valid = isinstance(cursor, dict) and all(
        isinstance(k, str) and isinstance(v, str) and _is_entry_id(v) for k, v in cursor.items()
    )
    if not valid:
        raise BadCursor("not a feed cursor")
    return {str(k): str(v) for k, v in cursor.items()}


def _is_entry_id(text: str) -> bool:
    millis, dash, seq = text.partition("-")
    return millis.isdigit() and dash == "-" and seq.isdigit()


def streams_of(types: set[str] | None) -> dict[str, type[Event]]:
    """The streams carrying the wanted types (all when none named)."""
    return {e.stream(): e for e in ALL_EVENTS if not types or e.event_type in types}


def read_page(redis: Redis, keyring: Keyring, after: Cursor, types: set[str] | None, limit: int) -> Page:
    """Up to `limit` events after the cursor, oldest first."""
    wanted = streams_of(types)
    pipe = redis.pipeline(transaction=False)
    for stream in wanted:
        pipe.xrange(stream, min=f"({after[stream]}" if stream in after else "-", max="+", count=limit)
    entries = [
        Entry(stream, _text(entry_id), fields)
        for stream, found in zip(wanted, pipe.execute(), strict=True)
        for entry_id, fields in found
    ]
    entries.sort(key=lambda e: (e.position, e.stream))
    taken = entries[:limit]
    cursor = dict(after)
    for entry in taken:
        cursor[entry.stream] = entry.entry_id
    items = [item for entry in taken if (item := _shown(entry, wanted[entry.stream], keyring)) is not None]
    return Page(items, encode_cursor(cursor), len(entries) > limit)


def _shown(entry: Entry, event: type[Event], keyring: Keyring) -> dict[str, Any] | None:
    """The entry as a CloudEvent, or None for one a consumer would refuse (unreadable, or not its producer's)."""
    try:
        message = decode_frame(entry, entry.frame, Route(event, _never))
        keyring.verify(
            stream=entry.stream,
            owner=event.producer,
            producer=message.envelope.producer,
            body=message.body,
            headers=message.headers,
        )
    except (ValueError, Refused):
        return None
    return cloud_event(message.envelope.model_dump(mode="json"))


def _never(*_: Any) -> None:  # pragma: no cover - the feed only decodes
    raise NotImplementedError


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
