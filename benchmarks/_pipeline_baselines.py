"""The pipeline benchmark's baselines, each over the same stream entries as the consumer it is compared with.

(a) redis-py reads and acknowledges the entries in batches of 100: the floor Redis sets.
(b) a plain FastStream consumer (one subscriber per stream) writes one row per message through SQLAlchemy,
    one transaction per message.
(c) a plain consumer reads batches of 100 with redis-py and writes, per event, as many rows as the platform's
    consumer wrote (outbox, audit, inbox and state rows alike) with one executemany per batch, commits, acknowledges.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import redis
from faststream.redis import RedisBroker, StreamSub
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.db import make_engine, session_factory
from grants_shared.wire import DATA_FIELD, JsonMessageFormat

plain_md = MetaData()
plain_rows = Table(
    "plain_rows",
    plain_md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("n", Integer, nullable=False),
    Column("body", Text),
)


def plain_sessions(url: str) -> sessionmaker[Session]:
    """A database with the plain consumers' one table."""
    engine = make_engine(url)
    plain_md.create_all(engine)
    return session_factory(engine)


def _groups(client: redis.Redis, streams: list[str], group: str) -> None:
    for stream in streams:
        client.xgroup_create(stream, group, id="0", mkstream=True)


Timing = tuple[float, float]  # wall seconds, this process's CPU seconds


def redis_only(redis_url: str, streams: list[str], expected: int) -> Timing:
    """(a): seconds for redis-py to read and acknowledge `expected` entries in batches of 100."""
    client = redis.Redis.from_url(redis_url)
    _groups(client, streams, "bench-a")
    cpu, start, done = time.process_time(), time.perf_counter(), 0
    while done < expected:
        reply: Any = client.xreadgroup("bench-a", "a1", dict.fromkeys(streams, ">"), count=100, block=1000)
        pipe = client.pipeline(transaction=False)
        for stream, items in reply or []:
            pipe.xack(stream, "bench-a", *[i for i, _ in items])
            done += len(items)
        pipe.execute()
    return time.perf_counter() - start, time.process_time() - cpu


def plain_batches(redis_url: str, streams: list[str], expected: int, rows_per_event: int, db_url: str) -> Timing:
    """(c): seconds for a plain consumer to write `rows_per_event` rows per event in transactions of 100 events."""
    client, sessions = redis.Redis.from_url(redis_url), plain_sessions(db_url)
    _groups(client, streams, "bench-c")
    cpu, start, done = time.process_time(), time.perf_counter(), 0
    while done < expected:
        reply: Any = client.xreadgroup("bench-c", "c1", dict.fromkeys(streams, ">"), count=100, block=1000)
        rows: list[dict[str, Any]] = []
        acks: list[tuple[Any, Any]] = []
        for stream, items in reply or []:
            for entry_id, fields in items:
                frame = json.loads(fields[DATA_FIELD.encode()])
                event_id = json.loads(frame["data"])["event_id"]
                rows.extend({"event_id": event_id, "n": n, "body": frame["data"]} for n in range(rows_per_event))
                acks.append((stream, entry_id))
        for start_at in range(0, len(acks), 100):
            part = acks[start_at : start_at + 100]
            first, last = start_at * rows_per_event, (start_at + len(part)) * rows_per_event
            with sessions() as session:
                session.execute(insert(plain_rows), rows[first:last])
                session.commit()
            pipe = client.pipeline(transaction=False)
            for stream, entry_id in part:
                pipe.xack(stream, "bench-c", entry_id)
            pipe.execute()
            done += len(part)
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    sessions.kw["bind"].dispose()
    return elapsed


async def faststream_plain(redis_url: str, streams: list[str], expected: int, db_url: str) -> Timing:
    """(b): seconds for a plain FastStream consumer to write one row per message, one transaction each.

    It stops after `expected` messages: the caller may time a sample of the entries (its rate is what counts).
    """
    sessions = plain_sessions(db_url)
    client = redis.Redis.from_url(redis_url)
    _groups(client, streams, "bench-b")
    broker = RedisBroker(redis_url, message_format=JsonMessageFormat, logger=None)  # type: ignore[arg-type]  # the platform wire format only
    seen = {"n": 0}
    finished = asyncio.Event()

    def handler_for(stream: str) -> Any:
        async def handle(body: dict[str, Any]) -> None:
            with sessions() as session:
                session.execute(
                    insert(plain_rows).values(event_id=body["event_id"], n=seen["n"], body=json.dumps(body))
                )
                session.commit()
            seen["n"] += 1
            if seen["n"] >= expected:
                finished.set()

        return handle

    for stream in streams:
        sub = StreamSub(stream, group="bench-b", consumer="b1", max_records=100, polling_interval=10)
        broker.subscriber(stream=sub)(handler_for(stream))
    cpu, start = time.process_time(), time.perf_counter()
    async with broker:
        await broker.start()
        await finished.wait()
        elapsed = time.perf_counter() - start, time.process_time() - cpu
    sessions.kw["bind"].dispose()
    return elapsed
