"""Forged events on a real Redis move no money: payments' consumer dead-letters them with the reason (issue 11).

Written against the wire format alone (headers `signed_by`, `key_id`, `signature`: HMAC-SHA256 over the scheme,
producer, key id, stream and the exact envelope text, docs/delivery.md), so the same file run against code without
signing shows each forgery applied.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery import Route
from grants_shared.delivery.tuning import ConsumerTuning
from grants_shared.events import Envelope, GrantAwarded, ReportAccepted
from grants_shared.wire import DATA_FIELD, encode_frame
from payments.domain.release_conditions import PREVIOUS_REPORT_ACCEPTED
from payments_tests.kit import accepted, awarded, on_grant_awarded, on_report_accepted, tranches
from tests.support.consuming import Running, eventually, publish, start_consumer

pytestmark = pytest.mark.anyio
TUNING = ConsumerTuning(batch=50, block_ms=50, claim_idle_ms=150, max_deliveries=3)
DEAD_LETTERS = "grants.dead-letter.payments"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def keys() -> dict[str, dict[str, str]]:
    """This run's event keys (producer -> key id -> secret), as every process of the run is given them."""
    listed: dict[str, dict[str, str]] = json.loads(os.environ["GRANTS_EVENT_KEYS"])
    return listed


def forged(envelope: Envelope[Any], *, signed_by: str, key_id: str, secret: str, stream: str | None = None) -> str:
    """A frame signed as the scheme says, with whatever key the forger holds."""
    body, stream = envelope.model_dump_json(), stream or type(envelope.payload).stream()
    message = f"grants-event-v1\n{signed_by}\n{key_id}\n{stream}\n".encode() + body.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    headers = {"event_id": envelope.event_id, "signed_by": signed_by, "key_id": key_id, "signature": signature}
    return encode_frame(body, headers)


def current_key(producer: str) -> tuple[str, str]:
    """A producer's real key id and secret (what a compromised service of that producer would hold)."""
    key_id, secret = list(keys()[producer].items())[-1]
    return key_id, secret


def wrong_key(envelope: Envelope[Any]) -> str:
    key_id, _ = current_key(envelope.producer)
    return forged(envelope, signed_by=envelope.producer, key_id=key_id, secret=secrets.token_urlsafe(32))


def unknown_key_id(envelope: Envelope[Any]) -> str:
    return forged(envelope, signed_by=envelope.producer, key_id="stolen-1", secret=secrets.token_urlsafe(32))


def unknown_producer(envelope: Envelope[Any]) -> str:
    return forged(envelope, signed_by="mallory", key_id="m1", secret=secrets.token_urlsafe(32))


def another_producers_key(envelope: Envelope[Any]) -> str:
    other = "applications"  # a real key of a real producer, on a stream it does not own
    key_id, secret = current_key(other)
    return forged(envelope, signed_by=other, key_id=key_id, secret=secret)


def unsigned(envelope: Envelope[Any]) -> str:
    return encode_frame(envelope.model_dump_json(), {"event_id": envelope.event_id})


FORGERIES: dict[str, tuple[Callable[[Envelope[Any]], str], str]] = {
    "wrong key": (wrong_key, "bad-signature"),
    "unknown key id": (unknown_key_id, "unknown-key"),
    "unknown producer": (unknown_producer, "unknown-producer"),
    "another producer's key on this stream": (another_producers_key, "not-stream-owner"),
    "unsigned": (unsigned, "unsigned"),
}


@pytest.fixture
async def consuming(sessions: sessionmaker[Session], redis_url: str) -> AsyncIterator[redis.Redis]:
    """Payments' consumer group on the real Redis, with its real handlers, and one genuine grant g-1 scheduled."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    running = Running()
    routes = [Route(GrantAwarded, on_grant_awarded), Route(ReportAccepted, on_report_accepted)]
    await start_consumer(running, sessions, redis_url, "payments", routes, TUNING, relay=False)
    publish(redis_url, awarded("g-1", amount=1_000_001, months=24))
    await eventually(lambda: len(tranches(sessions, "g-1")) == 4, what="the genuine award")
    try:
        yield client
    finally:
        await running.stop()
        client.flushdb()


async def dead_letter_of(client: redis.Redis, event_id: str) -> dict[str, str]:
    """The dead letter of an event, once there is one."""

    def find() -> dict[str, str] | None:
        for _, fields in client.xrange(DEAD_LETTERS):
            entry = {k.decode(): v.decode() for k, v in fields.items()}
            if json.loads(entry["body"]).get("event_id") == event_id:
                return entry
        return None

    await eventually(lambda: find() is not None, timeout=20, what=f"a dead letter of {event_id}")
    found = find()
    assert found is not None
    return found


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_a_forged_grant_awarded_creates_no_grant_and_is_dead_lettered_with_the_reason(
    consuming: redis.Redis, sessions: sessionmaker[Session], forgery: str
) -> None:
    frame_of, reason = FORGERIES[forgery]
    envelope = awarded("g-forged", amount=2_500_000_00)
    consuming.xadd(GrantAwarded.stream(), {DATA_FIELD: frame_of(envelope)})

    letter = await dead_letter_of(consuming, envelope.event_id)

    assert f"({reason})" in letter["error"] and letter["stream"] == GrantAwarded.stream()
    assert tranches(sessions, "g-forged") == []  # no grant, no schedule, no commitment


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_a_forged_report_accepted_releases_nothing_and_is_dead_lettered_with_the_reason(
    consuming: redis.Redis, sessions: sessionmaker[Session], forgery: str
) -> None:
    frame_of, reason = FORGERIES[forgery]
    before = [(t.number, t.status, dict(t.facts)) for t in tranches(sessions, "g-1")]
    envelope = accepted("g-1", period=1)  # a report reporting never accepted
    consuming.xadd(ReportAccepted.stream(), {DATA_FIELD: frame_of(envelope)})

    letter = await dead_letter_of(consuming, envelope.event_id)

    assert f"({reason})" in letter["error"] and letter["stream"] == ReportAccepted.stream()
    assert [(t.number, t.status, dict(t.facts)) for t in tranches(sessions, "g-1")] == before


async def test_a_genuine_signed_entry_copied_onto_another_stream_is_refused(
    consuming: redis.Redis, sessions: sessionmaker[Session]
) -> None:
    envelope = awarded("g-copied")
    key_id, secret = current_key("allocation")
    signed_elsewhere = forged(
        envelope, signed_by="allocation", key_id=key_id, secret=secret, stream="grants.allocation.round-opened.v1"
    )
    consuming.xadd(GrantAwarded.stream(), {DATA_FIELD: signed_elsewhere})

    letter = await dead_letter_of(consuming, envelope.event_id)

    assert "(bad-signature)" in letter["error"]
    assert tranches(sessions, "g-copied") == []


async def test_a_correctly_signed_report_accepted_is_applied(
    consuming: redis.Redis, sessions: sessionmaker[Session], redis_url: str
) -> None:
    publish(redis_url, accepted("g-1", period=1))

    def recorded() -> bool:
        second = next(t for t in tranches(sessions, "g-1") if t.number == 2)
        return second.facts.get(PREVIOUS_REPORT_ACCEPTED) is True

    await eventually(recorded, what="the accepted report recorded on tranche 2")
    assert consuming.xlen(DEAD_LETTERS) == 0
