"""The soak's checks on real state: a real Redis (streams, groups, dead letters) and real SQLite databases."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, insert

from grants_cli.soak import checks
from grants_cli.soak.checks import SERVICES
from grants_cli.soak.injector import readd_entries
from grants_cli.soak.probe import Probe
from grants_shared import deadletter, tables
from grants_shared.events import TrancheReleased, wrap
from grants_shared.wire import DATA_FIELD, decode_entry, encode_frame

NOW = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture
def probe(redis_url: str, tmp_path: Path) -> Iterator[Probe]:
    """A probe over an empty Redis and one empty SQLite database per service, schema in place."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    databases = {svc: f"sqlite:///{tmp_path / f'{svc}.db'}" for svc in SERVICES}
    for url in databases.values():
        engine = create_engine(url)
        tables.metadata.create_all(engine)
        engine.dispose()
    probe = Probe(client, databases, {})
    yield probe
    probe.close()


def released(tranche_id: str) -> Any:
    return wrap(
        TrancheReleased(
            grant_id="g1", tranche_id=tranche_id, number=1, amount_pence=100, released_by="fiona", released_at=NOW
        ),
        subject="g1",
    )


def xadd(probe: Probe, envelope: Any) -> str:
    frame = encode_frame(envelope.model_dump_json(), {"event_id": envelope.event_id})
    return str(probe.redis.xadd(TrancheReleased.stream(), {DATA_FIELD: frame}).decode())


def outbox(probe: Probe, envelope: Any, published: bool = True) -> None:
    with probe.db("payments") as connection:
        connection.execute(
            insert(tables.outbox).values(
                event_id=envelope.event_id,
                stream=TrancheReleased.stream(),
                subject="g1",
                body="{}",
                headers={},
                created_at=NOW,
                published_at=NOW if published else None,
            )
        )
        connection.commit()


def test_an_outbox_event_missing_from_its_stream_is_an_event_lost(probe: Probe) -> None:
    event = released("t1")
    outbox(probe, event)
    lost = checks.no_event_lost(probe)
    assert not lost.ok and event.event_id in lost.detail
    xadd(probe, event)
    assert checks.no_event_lost(probe).ok


def test_an_unpublished_outbox_event_is_not_yet_converged(probe: Probe) -> None:
    event = released("t1")
    outbox(probe, event, published=False)
    xadd(probe, event)
    result = checks.no_event_lost(probe)
    assert not result.ok and "1 unpublished" in result.detail


def test_a_group_with_pending_or_undelivered_entries_is_behind(probe: Probe) -> None:
    stream = TrancheReleased.stream()
    xadd(probe, released("t1"))
    probe.redis.xgroup_create(stream, "reporting", id="0")
    assert "1 undelivered" in checks.nothing_pending(probe).detail
    [[_, [(entry_id, _fields)]]] = probe.redis.xreadgroup("reporting", "c1", {stream: ">"})
    behind = checks.nothing_pending(probe)
    assert not behind.ok and "reporting on grants.payments.tranche-released.v1: 1 pending" in behind.detail
    probe.redis.xack(stream, "reporting", entry_id)
    assert checks.nothing_pending(probe).ok


def test_a_dead_letter_fails_the_run(probe: Probe) -> None:
    assert checks.no_dead_letter(probe).ok
    probe.redis.xadd(deadletter.stream_of("reporting"), {"error": "boom"})
    result = checks.no_dead_letter(probe)
    assert not result.ok and "'reporting': 1" in result.detail


def test_a_parked_event_fails_the_run(probe: Probe) -> None:
    assert checks.nothing_parked(probe).ok
    with probe.db("reporting") as connection:
        connection.execute(
            insert(tables.parked).values(
                consumer_group="reporting",
                event_id="e1",
                stream=TrancheReleased.stream(),
                waits_for="g1",
                frame="{}",
                reason="grant unknown",
                parked_at=NOW,
                attempts=1,
                next_attempt_at=NOW,
            )
        )
        connection.commit()
    result = checks.nothing_parked(probe)
    assert not result.ok and "reporting:reporting" in result.detail


def test_a_redelivered_entry_is_no_second_effect_but_a_second_event_for_one_tranche_is(probe: Probe) -> None:
    first = released("t1")
    xadd(probe, first)
    readd_entries(probe.redis, pick=0, count=5, newest_first=False)  # the same event id again: a duplicate delivery
    assert probe.redis.xlen(TrancheReleased.stream()) == 2 and checks.no_effect_twice(probe).ok
    xadd(probe, released("t1"))  # a new event id for the same tranche: released twice
    result = checks.no_effect_twice(probe)
    assert not result.ok and "tranche-released x2 for t1" in result.detail


def test_reordered_entries_come_back_newest_first(probe: Probe) -> None:
    events = [released(f"t{n}") for n in range(3)]
    for event in events:
        xadd(probe, event)
    stream, count = readd_entries(probe.redis, pick=7, count=3, newest_first=True)
    assert (stream, count) == (TrancheReleased.stream(), 3)
    in_order = [decode_entry(fields)[0]["event_id"] for _, fields in probe.redis.xrange(stream)]
    assert in_order[3:] == [e.event_id for e in reversed(events)]


def test_a_check_that_cannot_read_fails_instead_of_crashing(probe: Probe) -> None:
    probe.databases["payments"] = "sqlite:////nonexistent/dir/payments.db"
    results = {c.name: c for c in checks.run_checks(probe)}
    assert not results["no event lost"].ok and "could not check" in results["no event lost"].detail
