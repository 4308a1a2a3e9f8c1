"""Benchmark: `grants rebuild reporting` in events per second, against a raw XRANGE read of the same streams.

Run: ``make bench NAME=rebuild`` (``uv run python -m benchmarks rebuild``). A round's history is published once,
signed by each producer as its relay would: GRANTS (default 2,000) grants awarded, four tranches scheduled and two
paid each (11 events a grant). The baseline, measured in the same run, is the bare read: XRANGE every stream the
rebuild reads, in pages of the same size, keeping nothing. The result is the whole rebuild into a fresh, migrated
database (decode, signature check, inbox, projections, timeline, commits). Each is the best of 3, alternately;
each rebuild gets a new database. The ratio is rebuild events/s over raw-read events/s (1.0 would mean the
database and projections cost nothing). SQLite files by default; GRANTS_BENCH_POSTGRES_URL for PostgreSQL.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from grants_shared.delivery.redis_client import sync_client
from grants_shared.event_keys import new_keys
from grants_shared.events import (
    Envelope,
    GrantAwarded,
    PaymentInstructed,
    PaymentSettled,
    RoundOpened,
    TrancheReleased,
    TrancheScheduled,
    wrap,
)
from grants_shared.signing import Keyring
from grants_shared.wire import DATA_FIELD, encode_frame

from ._pipeline_env import Place, place

GRANTS = int(os.environ.get("GRANTS_BENCH_REBUILD_GRANTS", "2000"))
RUNS = 3
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def grant_life(n: int) -> list[Envelope[Any]]:
    """One grant: awarded, four tranches scheduled, two released, instructed and settled."""
    grant, amount = f"grant-{n}", 100_000_000 + n
    moment = iter(T0 + timedelta(seconds=n * 100 + i) for i in range(100))
    events: list[Envelope[Any]] = [
        wrap(
            GrantAwarded(
                grant_id=grant,
                round_id="round-1",
                run_id="run-1",
                application_id=f"app-{n}",
                organisation_id=f"org-{n}",
                partnership_id=f"p-{n}",
                neighbourhood_code=f"E05{n:06d}",
                region_code="E12000004",
                imd_decile=1 + n % 10,
                amount_pence=amount,
                duration_months=120,
                awarded_at=T0,
            ),
            subject=grant,
            occurred_at=next(moment),
        )
    ]
    for t in range(1, 5):
        tranche = f"{grant}-t{t}"
        due = date(2026 + t // 2, 1 + 6 * (t % 2), 1)
        events.append(
            wrap(
                TrancheScheduled(
                    grant_id=grant,
                    tranche_id=tranche,
                    number=t,
                    of_tranches=4,
                    due_on=due,
                    amount_pence=amount // 4,
                ),
                subject=grant,
                occurred_at=next(moment),
            )
        )
    for t in (1, 2):
        events += _paid(grant, f"{grant}-t{t}", t, amount // 4, moment)
    return events


def _paid(grant: str, tranche: str, number: int, pence: int, moment: Any) -> list[Envelope[Any]]:
    instruction = f"{tranche}-i"
    payloads = [
        TrancheReleased(
            grant_id=grant,
            tranche_id=tranche,
            number=number,
            amount_pence=pence,
            released_by="finance",
            released_at=T0,
        ),
        PaymentInstructed(
            grant_id=grant,
            tranche_id=tranche,
            instruction_id=instruction,
            provider="sandbox",
            provider_payment_id=f"pp-{instruction}",
            amount_pence=pence,
            instructed_at=T0,
        ),
        PaymentSettled(
            grant_id=grant, tranche_id=tranche, instruction_id=instruction, amount_pence=pence, settled_at=T0
        ),
    ]
    return [wrap(p, subject=grant, occurred_at=next(moment)) for p in payloads]


def publish(redis_url: str, keyring: Keyring) -> int:
    """XADD the round's history, each entry signed by its producer; returns how many entries."""
    opened = RoundOpened(
        round_id="round-1",
        name="Round 1",
        budget_pence=17_500_000_000,
        min_award_pence=100_000_000,
        max_award_pence=250_000_000,
        opened_at=T0,
    )
    client, count = sync_client(redis_url), 0
    with client.pipeline(transaction=False) as pipe:
        for n in range(GRANTS + 1):
            for envelope in grant_life(n) if n else [wrap(opened, subject="round-1", occurred_at=T0)]:
                stream, body = type(envelope.payload).stream(), envelope.model_dump_json()
                signature = keyring.signer(envelope.producer).headers(stream, body)
                pipe.xadd(stream, {DATA_FIELD: encode_frame(body, {"event_id": envelope.event_id, **signature})})
                count += 1
            if n % 200 == 0:
                pipe.execute()
        pipe.execute()
    return count


def raw_read(redis_url: str) -> int:
    """The baseline: every entry of the rebuild's streams read with XRANGE, in the rebuild's pages."""
    from reporting.consumers.rebuild import PAGE, routes, streams_of

    client, read = sync_client(redis_url), 0
    for stream in streams_of(routes()):
        start = "-"
        while True:
            reply: Any = client.xrange(stream, min=start, max="+", count=PAGE)
            read += len(reply)
            if len(reply) < PAGE:
                break
            start = "(" + reply[-1][0].decode()
    return read


def rebuild_once(where: Place, keyring: Keyring) -> int:
    """The result: a whole rebuild into a fresh database; returns the entries applied."""
    from reporting.consumers.rebuild import Rebuild

    _, sessions = where.service_sessions("reporting")
    result = Rebuild(sessions, sync_client(where.redis_url), keyring).run()
    assert result.clean, (result.failed[:3], result.refused[:3], result.still_parked[:3])
    return result.applied + result.woken + result.own_events


def timed(action: Any) -> tuple[float, int]:
    start = time.perf_counter()
    done = action()
    return time.perf_counter() - start, done


def main() -> None:
    """Publish the history once, then time the raw read and the rebuild alternately; print the ratio last."""
    keyring = Keyring.of(new_keys("bench"))
    with place(os.environ.get("GRANTS_BENCH_POSTGRES_URL")) as where:
        events = publish(where.redis_url, keyring)
        print(f"history: {events} events of {GRANTS} grants on {where.dialect}")
        raw, rebuilt = [], []
        for _ in range(RUNS):
            seconds, read = timed(lambda: raw_read(where.redis_url))
            assert read == events, (read, events)
            raw.append(read / seconds)
            seconds, applied = timed(lambda: rebuild_once(where, keyring))
            assert applied == events, (applied, events)
            rebuilt.append(applied / seconds)
        baseline, result = max(raw), max(rebuilt)
        print(f"baseline (raw XRANGE read): {baseline:,.0f} events/s")
        print(f"result (rebuild into a fresh database): {result:,.0f} events/s")
        print(f"ratio: {result / baseline:.3f}")
