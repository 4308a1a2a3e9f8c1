"""A service's consumer group at work: read in batches, apply each batch in one transaction, acknowledge after commit.

The loop reads every stream of the group in one call, applies what it read in transactions of at most `batch`
messages on the database writer, then acknowledges the applied, duplicate and parked ones together. A message that
failed on its own merits stays pending and is claimed again after `claim_idle_ms` (its delivery counted); after
`max_deliveries` it is dead-lettered. An entry that is not signed by its stream's producer with one of the
producer's listed keys is never applied: it is dead-lettered at once with the reason (grants_shared.signing).
A failure of the database or of Redis is waited out with back-off, never
counted against a message. Parked events are swept now and then; those that waited too long are dead-lettered.
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy.exc import IntegrityError

from grants_shared.crash import crash_point
from grants_shared.deadletter import stream_of
from grants_shared.delivery import parking
from grants_shared.delivery.backoff import Backoff
from grants_shared.delivery.batch import Batch, BatchResult, is_transient
from grants_shared.delivery.messages import Message, Route, decode
from grants_shared.delivery.streams import Entry, GroupStreams, dead_letter_record, split_at_horizon
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.delivery.writer import DatabaseWriter
from grants_shared.grant_trace import grant_of
from grants_shared.signing import Keyring, Refused
from grants_shared.uow import ring_commit_bells

log = logging.getLogger(__name__)


class GroupConsumer:
    """One consumer (a name) of a consumer group over the streams its routes name."""

    def __init__(
        self,
        *,
        group: str,
        consumer: str,
        routes: list[Route],
        writer: DatabaseWriter,
        redis: Redis,
        tuning: ConsumerTuning,
        keyring: Keyring,
    ) -> None:
        self.group, self.writer, self.tuning, self.keyring = group, writer, tuning, keyring
        self.consumer = consumer
        self.routes = {route.stream: route for route in routes}
        self.streams = GroupStreams(
            redis, group=group, consumer=consumer, streams=sorted(self.routes), batch=tuning.batch
        )
        self._stopping = asyncio.Event()
        self._next_claim = self._next_sweep = 0.0
        self._held: list[Entry] = []  # read, but later than a stream that came back full: applied next step
        self.stats: Counter[str] = Counter()  # read, claimed, batches and each outcome: what the loop has done

    def stop(self) -> None:
        """End the loop after the current step."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until stopped; Redis or database outages are waited out with back-off."""
        backoff, ready = Backoff(cap_s=2.0), False
        while not self._stopping.is_set():
            try:
                if not ready:
                    await self.streams.ensure_groups()
                    ready = True
                await self.step()
                backoff.reset()
            except ResponseError as error:
                ready = ready and "NOGROUP" not in str(error)  # Redis lost its groups: create them again
                log.warning("%s: Redis refused a command (%s); retrying", self.group, error)
                await backoff.sleep()
            except (RedisError, OSError) as error:
                log.warning("%s: Redis did not answer (%r); retrying", self.group, error)
                await backoff.sleep()
            except Exception:  # a bug must not end the loop silently: what was read stays pending and is claimed
                self.stats["loop_errors"] += 1
                log.exception("%s: the consumer loop failed; retrying", self.group)
                await backoff.sleep()

    async def step(self) -> int:
        """Read and apply once, then claim and sweep when they are due; returns how many entries were handled."""
        handled = await self.process(await self._read())
        now = time.monotonic()
        if now >= self._next_claim:
            self._next_claim = now + self.tuning.claim_every_s
            held = {(e.stream, e.entry_id) for e in self._held}
            claimed = [
                e for e in await self.streams.claim(self.tuning.claim_idle_ms) if (e.stream, e.entry_id) not in held
            ]
            self.stats["claimed"] += len(claimed)
            handled += await self.process(claimed)
        if now >= self._next_sweep:
            self._next_sweep = now + self.tuning.sweep_every_s
            await self.sweep()
        return handled

    async def _read(self) -> list[Entry]:
        """New entries with those held back, up to what every stream has handed over; the rest are held again.

        A stream that already has a batch held back is not read again until it is released: in a lopsided backlog
        (twenty tranches per payment event) reading it anyway would only grow what is held, and touched, each step.
        """
        if self._held:
            await self.streams.touch(self._held)
        held_last: dict[str, tuple[int, int]] = {}
        held_count: Counter[str] = Counter()
        for entry in self._held:
            held_count[entry.stream] += 1
            held_last[entry.stream] = max(held_last.get(entry.stream, (0, 0)), entry.position)
        skipped = [s for s, n in held_count.items() if n >= self.streams.batch]
        wanted = [s for s in self.streams.streams if s not in skipped]
        fresh = (
            await self.streams.read(block_ms=None if self._held else self.tuning.block_ms, streams=wanted)
            if wanted
            else []
        )
        self.stats["read"] += len(fresh)
        unread = [held_last[s] for s in skipped]
        ready, self._held = split_at_horizon(self._held + fresh, fresh, self.streams.batch, unread)
        return ready

    async def process(self, entries: list[Entry]) -> int:
        """Apply entries in order, in transactions of at most `batch`; acknowledge or dead-letter each."""
        messages: list[Message] = []
        for entry in entries:
            try:
                messages.append(self._verified(decode(entry, self.routes)))
            except ValueError as error:
                await self.streams.dead_letter(entry, str(error))
                self.stats["dead_lettered"] += 1
        messages.sort(key=lambda m: m.entry.position)
        unsettled = [m.entry for m in messages]
        async with self._touching(unsettled):
            for start in range(0, len(messages), self.tuning.batch):
                chunk = messages[start : start + self.tuning.batch]
                await self._settle(await self._apply(chunk))
                del unsettled[: len(chunk)]
        return len(entries)

    def _verified(self, message: Message) -> Message:
        """The message, if its stream's producer signed it with a listed key; else Refused (a ValueError)."""
        try:
            self.keyring.verify(
                stream=message.entry.stream,
                owner=message.route.event.producer,
                producer=message.envelope.producer,
                body=message.body,
                headers=message.headers,
            )
        except Refused as refused:
            self.stats[f"refused_{refused.code}"] += 1
            log.warning("%s refused %s on %s: %s", self.group, message.event_id, message.entry.stream, refused)
            raise
        return message

    @asynccontextmanager
    async def _touching(self, entries: list[Entry]) -> AsyncIterator[None]:
        """While the body runs, touch the entries still in `entries` (read, not yet settled) so no one claims them.

        The loop ends on a flag, not on cancellation alone: on Python 3.11 a cancel that lands while a redis-py
        command is under way can be swallowed (asyncio.wait_for returns the finished write instead of raising), so a
        loop stopped only by `cancel()` could run on forever, and this consumer would wait for it forever.
        """
        done = asyncio.Event()

        async def keep_touching() -> None:
            while not done.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(done.wait(), self.tuning.touch_every_s)
                if (targets := entries + self._held) and not done.is_set():
                    await self.streams.touch(targets)

        task = asyncio.create_task(keep_touching())
        try:
            yield
        finally:
            done.set()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _apply(self, chunk: list[Message]) -> BatchResult:
        """Apply a chunk on the writer, retrying database failures; one message at a time if it keeps conflicting."""
        backoff = Backoff(first_s=0.05, cap_s=5.0)
        while True:
            try:
                result: BatchResult = await self.writer.run(self._transaction, chunk)
                return result
            except IntegrityError as error:  # another replica applied one of these meanwhile: read the inbox again
                self.stats["retried"] += 1
                log.info("%s: batch of %d conflicted (%s); applying again", self.group, len(chunk), error.orig)
                if backoff.failures >= 3 and len(chunk) > 1:
                    return await self._one_by_one(chunk)
            except Exception as error:
                if not is_transient(error):
                    raise
                self.stats["retried"] += 1
                log.warning("%s: the database failed a batch of %d (%r); retrying", self.group, len(chunk), error)
            await backoff.sleep()

    async def _one_by_one(self, chunk: list[Message]) -> BatchResult:
        merged = BatchResult()
        for message in chunk:
            result = await self._apply([message])
            merged.outcomes += result.outcomes
            merged.woken += result.woken
            merged.wrote_events = merged.wrote_events or result.wrote_events
        return merged

    def _transaction(self, chunk: list[Message]) -> BatchResult:
        with self.writer.sessions() as session:
            result = Batch(session, self.group, self.routes, datetime.now(UTC)).apply(chunk)
            session.commit()
        return result

    async def _settle(self, result: BatchResult) -> None:
        """After commit: acknowledge what is done, dead-letter what failed too often, wake the relay."""
        self.stats["batches"] += 1
        self.stats["woken"] += result.woken
        self.stats.update(o.status for o in result.outcomes)
        if result.wrote_events:
            ring_commit_bells()
        if log.isEnabledFor(logging.DEBUG):
            for outcome in result.with_status("applied"):
                about = {**_about(outcome.message), "consumer_group": self.group}
                log.debug("%s applied %s", self.consumer, outcome.message.event_id, extra=about)
        done = [o.message.entry for o in result.with_status("applied", "duplicate", "parked")]
        if done:
            crash_point(f"{self.group}.before_ack")  # committed, not acknowledged: the entries come again
        await self.streams.ack(done)
        if done:
            crash_point(f"{self.group}.after_ack")
        for outcome in result.with_status("failed"):
            entry = outcome.message.entry
            log.warning(
                "%s failed on %s (delivery %d): %s",
                self.group,
                outcome.message.event_id,
                entry.deliveries,
                outcome.error,
            )
            if entry.deliveries >= self.tuning.max_deliveries:
                await self.streams.dead_letter(entry, outcome.error or "failed")
                self.stats["dead_lettered"] += 1

    async def sweep(self) -> None:
        """Retry parked events that are due; dead-letter those that waited or failed too long."""
        result, given_up = await self.writer.run(self._sweep_transaction)
        self.stats["woken"] += result.woken
        if result.wrote_events:
            ring_commit_bells()
        for row in given_up:
            entry = Entry(row.stream, f"parked:{row.event_id}", {}, deliveries=row.attempts)
            body = _parked_body(row)
            record: Any = dead_letter_record(
                self.group, row.stream, entry.entry_id, body, f"parked: {row.reason}", row.attempts, frame=row.frame
            )
            await self.streams.redis.xadd(stream_of(self.group), record)
            await self.writer.run(self._forget, row.event_id)
            self.stats["dead_lettered"] += 1

    def _sweep_transaction(self) -> tuple[BatchResult, list[Any]]:
        with self.writer.sessions() as session:
            batch = Batch(session, self.group, self.routes, datetime.now(UTC))
            given_up = batch.sweep(
                limit=self.tuning.batch,
                park_timeout_s=self.tuning.park_timeout_s,
                max_failures=self.tuning.max_deliveries,
            )
            session.commit()
        return batch.result, given_up

    def _forget(self, event_id: str) -> None:
        with self.writer.sessions() as session:
            parking.unpark(session, self.group, event_id)
            session.commit()


def _about(message: Message) -> dict[str, Any]:
    """The log fields of a message: its event, its grant, its type."""
    envelope = message.envelope
    return {"event_id": envelope.event_id, "grant_id": grant_of(envelope.payload), "event_type": envelope.event_type}


def _parked_body(row: Any) -> Any:
    import json

    try:
        return json.loads(json.loads(row.frame)["data"])
    except (ValueError, KeyError, TypeError):
        return row.frame
