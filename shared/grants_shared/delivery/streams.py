"""A consumer group's streams in Redis: read new entries in batches, claim stale ones, acknowledge, dead-letter.

One XREADGROUP covers every stream of the group, so a service with twenty streams makes one call, not twenty.
What is read is processed before the next read, so nothing sits pending merely because it is queued: the claim
(XAUTOCLAIM) only ever takes entries a consumer read and did not finish, its own after a failure or another's that
died. While a long batch is still being applied its entries are touched (XCLAIM JUSTID), so another replica's claim
never takes work that is in hand.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from grants_shared.deadletter import stream_of
from grants_shared.wire import DATA_FIELD


@dataclass
class Entry:
    """One stream entry as read: where it is, how often it has been delivered, its raw fields."""

    stream: str
    entry_id: str
    fields: dict[bytes, bytes]
    deliveries: int = 1

    @property
    def millis(self) -> int:
        """When Redis added the entry (the id's first part, milliseconds since 1970)."""
        return int(self.entry_id.split("-", 1)[0])

    @cached_property
    def position(self) -> tuple[int, int]:
        """Where Redis added the entry, comparable across streams (ids share Redis's clock); parsed once (sort keys)."""
        millis, _, seq = self.entry_id.partition("-")
        return (int(millis), int(seq or 0)) if millis.isdigit() else (0, 0)

    @property
    def frame(self) -> str:
        """The platform's JSON frame (`{"headers": ..., "data": ...}`), or '' when the entry has none."""
        raw = self.fields.get(DATA_FIELD.encode())
        return raw.decode(errors="replace") if raw is not None else ""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class GroupStreams:
    """The Redis side of one consumer (a name in a group) over several streams."""

    def __init__(self, redis: Redis, *, group: str, consumer: str, streams: list[str], batch: int) -> None:
        self.redis, self.group, self.consumer, self.streams, self.batch = redis, group, consumer, streams, batch
        self._claim_from = dict.fromkeys(streams, "0-0")

    async def ensure_groups(self) -> None:
        """Create the group on each stream from its first entry (id 0), so a late first start misses nothing."""
        for stream in self.streams:
            try:
                await self.redis.xgroup_create(stream, self.group, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

    async def read(self, block_ms: int | None, streams: list[str] | None = None) -> list[Entry]:
        """New entries of every stream, or of `streams` (at most `batch` from each), waiting up to `block_ms`."""
        reply: Any = await self.redis.xreadgroup(
            self.group,
            self.consumer,
            dict.fromkeys(self.streams if streams is None else streams, ">"),
            count=self.batch,
            block=block_ms,
        )
        return [
            Entry(_text(stream), _text(entry_id), fields or {})
            for stream, items in reply or []
            for entry_id, fields in items
        ]

    async def claim(self, min_idle_ms: int) -> list[Entry]:
        """Entries pending longer than `min_idle_ms` in this group, now this consumer's, with their delivery counts."""
        claimed: list[Entry] = []
        for stream in self.streams:
            reply: Any = await self.redis.xautoclaim(
                stream, self.group, self.consumer, min_idle_ms, start_id=self._claim_from[stream], count=self.batch
            )
            self._claim_from[stream] = _text(reply[0])
            entries = [Entry(stream, _text(i), f) for i, f in reply[1] if f is not None]
            gone = [_text(i) for i, f in reply[1] if f is None] + [_text(i) for i in (reply[2:3] or [[]])[0]]
            if gone:  # deleted from the stream while pending: there is nothing left to process
                await self.redis.xack(stream, self.group, *gone)
            if entries:
                await self._count_deliveries(stream, entries)
                claimed.extend(entries)
        return claimed

    async def _count_deliveries(self, stream: str, entries: list[Entry]) -> None:
        ids = sorted(entries, key=lambda e: tuple(map(int, e.entry_id.split("-"))))
        found = await self.redis.xpending_range(
            stream,
            self.group,
            min=ids[0].entry_id,
            max=ids[-1].entry_id,
            count=len(entries) * 2 + 10,
            consumername=self.consumer,
        )
        counts = {_text(p["message_id"]): int(p["times_delivered"]) for p in found}
        for entry in entries:
            entry.deliveries = counts.get(entry.entry_id, entry.deliveries)

    async def touch(self, entries: list[Entry]) -> None:
        """Reset the idle time of entries still being applied (no delivery is counted), so no one claims them."""
        for stream, ids in _by_stream(entries).items():
            await self.redis.xclaim(stream, self.group, self.consumer, 0, list[Any](ids), justid=True)

    async def ack(self, entries: list[Entry]) -> None:
        """Acknowledge entries (one round trip for all of them)."""
        if not entries:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for stream, ids in _by_stream(entries).items():
                pipe.xack(stream, self.group, *ids)
            await pipe.execute()

    async def dead_letter(self, entry: Entry, error: str, body: Any = None) -> None:
        """Move an entry to the group's dead-letter stream and acknowledge it, in one MULTI/EXEC."""
        record = dead_letter_record(
            self.group,
            entry.stream,
            entry.entry_id,
            body if body is not None else _body_of(entry),
            error,
            entry.deliveries,
            frame=entry.frame,
        )
        async with self.redis.pipeline(transaction=True) as move:
            move.xadd(stream_of(self.group), record)  # type: ignore[arg-type]
            move.xack(entry.stream, self.group, entry.entry_id)
            await move.execute()


def split_at_horizon(
    entries: list[Entry], fresh: list[Entry], batch: int, unread: Iterable[tuple[int, int]] = ()
) -> tuple[list[Entry], list[Entry]]:
    """Split entries, in Redis's order, into those safe to apply now and those to hold for the next read.

    XREADGROUP's COUNT applies per stream: a stream that came back full (`batch` entries in `fresh`) may have more
    after its last entry, while a busier mix on another stream ran ahead. Entries later than the earliest such last
    entry could depend on what that stream has not handed over yet (a payment before its tranche), so they wait.
    A stream left out of this read may have more too: `unread` gives the position of the last entry read from each.
    """
    counts: dict[str, int] = {}
    last: dict[str, tuple[int, int]] = {}
    for entry in fresh:
        counts[entry.stream] = counts.get(entry.stream, 0) + 1
        last[entry.stream] = max(last.get(entry.stream, (0, 0)), entry.position)
    ordered = sorted(entries, key=lambda e: e.position)
    full = [last[stream] for stream, n in counts.items() if n >= batch] + list(unread)
    if not full:
        return ordered, []
    horizon = min(full)
    return [e for e in ordered if e.position <= horizon], [e for e in ordered if e.position > horizon]


def dead_letter_record(
    group: str, stream: str, message_id: str, body: Any, error: str, deliveries: int, *, frame: str = ""
) -> dict[str, str]:
    """The fields of a dead letter: where it came from, why it failed, how often it was tried.

    `frame` is the entry as it travelled (envelope and signature): a replay puts back exactly that.
    """
    return {
        **({"frame": frame} if frame else {}),
        "group": group,
        "stream": stream,
        "message_id": message_id,
        "body": json.dumps(body, default=str),
        "error": error[:2000],
        "deliveries": str(deliveries),
        "failed_at": datetime.now(UTC).isoformat(),
    }


def _body_of(entry: Entry) -> Any:
    """The envelope as a JSON value when the frame can be read, else the raw fields as text."""
    try:
        return json.loads(json.loads(entry.frame)["data"])
    except (ValueError, KeyError, TypeError):
        return {_text(k): _text(v) for k, v in entry.fields.items()}


def _by_stream(entries: list[Entry]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entry in entries:
        grouped.setdefault(entry.stream, []).append(entry.entry_id)
    return grouped
