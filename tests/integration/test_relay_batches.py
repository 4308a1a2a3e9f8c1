"""The outbox relay's batches on a real Redis: a publish that fails part-way loses nothing and marks nothing sent."""

from collections import Counter
from datetime import date
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from grants_shared import tables
from grants_shared.delivery.redis_client import sync_client
from grants_shared.delivery.relay import OutboxRelay
from grants_shared.events import TrancheScheduled
from grants_shared.uow import UnitOfWork
from grants_shared.wire import decode_entry
from tests.support.consuming import signer

STREAM = TrancheScheduled.stream()
OTHER = "grants.test.other-stream.v1"


@pytest.fixture
def redis_url(redis_url: str) -> str:
    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


def scheduled(n: int) -> TrancheScheduled:
    return TrancheScheduled(
        grant_id="g1", tranche_id=f"t{n}", number=n, of_tranches=9, due_on=date(2026, 1, 1), amount_pence=100 * n
    )


def write_outbox(sessions: Any, n: int, *, headers: dict[str, str] | None = None) -> list[str]:
    """Commit `n` events in one unit of work; every third goes to OTHER instead of its own stream."""
    with UnitOfWork(sessions) as uow:
        ids = [uow.emit(scheduled(i), subject="g1").event_id for i in range(1, n + 1)]
        for i, row in enumerate(uow.rows["outbox"]):
            row["stream"] = OTHER if i % 3 == 1 else STREAM
            if headers is not None:
                row["headers"] = headers
        uow.commit()
    return ids


def unsent(sessions: Any) -> int:
    with sessions() as session:
        query = select(func.count()).select_from(tables.outbox).where(tables.outbox.c.published_at.is_(None))
        return int(session.execute(query).scalar_one())


def published(redis_url: str) -> Counter[str]:
    """How many times each event id is on the two streams."""
    client = redis.Redis.from_url(redis_url)
    seen: Counter[str] = Counter()
    for stream in (STREAM, OTHER):
        if client.type(stream) == b"stream":
            for _, fields in client.xrange(stream):
                seen[decode_entry(fields)[1]["event_id"]] += 1
    return seen


def test_a_batch_that_fails_part_way_is_published_again_whole_and_then_marked_sent(
    sessions: Any, redis_url: str
) -> None:
    ids = write_outbox(sessions, 9)
    client = redis.Redis.from_url(redis_url)
    client.set(OTHER, "not a stream")  # every XADD to OTHER fails; those before and after it in the pipeline land
    relay = OutboxRelay(sessions, sync_client(redis_url), signer=signer("payments"), batch=500)

    with pytest.raises(redis.ResponseError):
        relay.publish_pending()

    assert unsent(sessions) == 9  # nothing is marked sent: the whole batch goes again
    first = published(redis_url)
    assert set(first) == {ids[i] for i in range(9) if i % 3 != 1}  # the rest of the pipeline still went out

    client.delete(OTHER)
    assert relay.publish_pending() == 9
    assert unsent(sessions) == 0
    again = published(redis_url)
    assert set(again) == set(ids)  # nothing lost
    assert all(again[i] == first[i] + 1 for i in ids)  # a late repeat of what went out before the failure, no more
    assert relay.publish_pending() == 0
    assert published(redis_url) == again  # once marked sent, never published again


def test_a_batch_larger_than_the_relay_batch_goes_out_in_order_over_several_turns(
    sessions: Any, redis_url: str
) -> None:
    ids = write_outbox(sessions, 7)
    relay = OutboxRelay(sessions, sync_client(redis_url), signer=signer("payments"), batch=3)

    assert [relay.publish_pending() for _ in range(4)] == [3, 3, 1, 0]
    client = redis.Redis.from_url(redis_url)
    on_stream = [decode_entry(fields)[1]["event_id"] for _, fields in client.xrange(STREAM)]
    assert on_stream == [ids[i] for i in range(7) if i % 3 != 1]  # in the order they were written
    assert published(redis_url) == Counter(ids)


def test_without_an_exporter_the_producers_trace_context_is_passed_on(
    sessions: Any, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    ids = write_outbox(sessions, 1, headers={"traceparent": parent})

    assert OutboxRelay(sessions, sync_client(redis_url), signer=signer("payments")).publish_pending() == 1
    ((_, fields),) = redis.Redis.from_url(redis_url).xrange(STREAM)
    headers = decode_entry(fields)[1]
    assert headers["event_id"] == ids[0]
    assert headers["traceparent"] == parent
