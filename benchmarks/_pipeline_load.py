"""The pipeline benchmark's workload: `grant awarded` envelopes, and the downstream mix that follows each award.

The downstream generator builds the envelopes payments emits for an award (its tranches, from payments' own
schedule and tranche ids; tranche 1 held until the agreement and plan are in), then the life of tranche 1
(released, instructed, settled), so reporting sees the same event types, fields and ids a real fund run makes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from grants_shared.event_keys import keyring_of
from grants_shared.events import (
    Envelope,
    GrantAwarded,
    PaymentInstructed,
    PaymentSettled,
    TrancheHeld,
    TrancheReleased,
    TrancheScheduled,
    wrap,
)
from grants_shared.ids import new_id, stable_id
from grants_shared.settings import PlatformSettings
from grants_shared.wire import DATA_FIELD, encode_frame
from payments.domain.schedule import SEMI_ANNUAL, build_schedule
from payments.usecases.awards import tranche_id_of

TRANCHES = 20
DURATION_MONTHS = 120  # semi-annual: 20 tranches
EVENTS_PER_AWARD = 1 + TRANCHES + 4  # awarded, scheduled x 20, held, released, instructed, settled


def awards(n: int, seed: int = 9) -> list[Envelope[Any]]:
    """`n` grant-awarded envelopes of one committed run, £0.5m to £2.5m each, awarded today."""
    rng = random.Random(seed)
    round_id, run_id, at = new_id(), new_id(), datetime.now(UTC).replace(microsecond=0)
    out = []
    for i in range(n):
        grant_id = stable_id("bench", "grant", str(seed), str(i))
        payload = GrantAwarded(
            grant_id=grant_id,
            round_id=round_id,
            run_id=run_id,
            application_id=stable_id("bench", "app", grant_id),
            organisation_id=stable_id("bench", "org", grant_id),
            partnership_id=stable_id("bench", "pship", grant_id),
            neighbourhood_code=f"E05{i % 7000:06d}",
            region_code=f"E1200000{i % 9 + 1}",
            imd_decile=rng.randint(1, 3),
            amount_pence=rng.randrange(50_000_000, 250_000_000, 100),
            duration_months=DURATION_MONTHS,
            awarded_at=at,
        )
        out.append(wrap(payload, subject=grant_id))
    return out


def downstream(award: Envelope[Any]) -> Iterator[Envelope[Any]]:
    """What follows one award, as payments would emit it: 20 scheduled tranches, tranche 1 held then paid."""
    a: GrantAwarded = award.payload
    chain: dict[str, Any] = {"correlation_id": award.correlation_id, "causation_id": award.event_id}
    schedule = build_schedule(a.amount_pence, a.duration_months, a.awarded_at.date(), SEMI_ANNUAL)
    for due in schedule:
        yield wrap(
            TrancheScheduled(
                grant_id=a.grant_id,
                tranche_id=tranche_id_of(a.grant_id, due.number),
                number=due.number,
                of_tranches=len(schedule),
                due_on=due.due_on,
                amount_pence=due.amount_pence,
            ),
            subject=a.grant_id,
            **chain,
        )
    first, at = schedule[0], a.awarded_at
    tranche_id, instruction_id = tranche_id_of(a.grant_id, 1), stable_id("bench", "instruction", a.grant_id)
    yield wrap(
        TrancheHeld(
            grant_id=a.grant_id,
            tranche_id=tranche_id,
            number=1,
            held_at=at,
            reasons=["agreement_signed: not met", "plan_endorsed: not met"],
        ),
        subject=a.grant_id,
        **chain,
    )
    yield wrap(
        TrancheReleased(
            grant_id=a.grant_id,
            tranche_id=tranche_id,
            number=1,
            amount_pence=first.amount_pence,
            released_by="payments:auto-release",
            released_at=at + timedelta(days=30),
        ),
        subject=a.grant_id,
        **chain,
    )
    yield wrap(
        PaymentInstructed(
            grant_id=a.grant_id,
            tranche_id=tranche_id,
            instruction_id=instruction_id,
            provider="sandbox-bank",
            provider_payment_id=f"pp-{instruction_id[:12]}",
            amount_pence=first.amount_pence,
            instructed_at=at + timedelta(days=30),
        ),
        subject=a.grant_id,
        **chain,
    )
    yield wrap(
        PaymentSettled(
            grant_id=a.grant_id,
            tranche_id=tranche_id,
            instruction_id=instruction_id,
            amount_pence=first.amount_pence,
            settled_at=at + timedelta(days=31),
        ),
        subject=a.grant_id,
        **chain,
    )


def reporting_mix(n_events: int, seed: int = 10) -> list[Envelope[Any]]:
    """At least `n_events` envelopes for reporting: each award followed by what it causes, in that order."""
    out: list[Envelope[Any]] = []
    for award in awards(-(-n_events // EVENTS_PER_AWARD), seed):
        out.append(award)
        out.extend(downstream(award))
    return out


def inject(redis_url: str, envelopes: Iterable[Envelope[Any]], chunk: int = 1000) -> int:
    """XADD the envelopes to their streams in the platform's wire format, signed by their producers (pipelined)."""
    client, keyring = redis.Redis.from_url(redis_url), keyring_of(PlatformSettings())
    count = 0
    pipe = client.pipeline(transaction=False)
    for envelope in envelopes:
        body, stream = envelope.model_dump_json(), type(envelope.payload).stream()
        headers = {"event_id": envelope.event_id, **keyring.signer(envelope.producer).headers(stream, body)}
        pipe.xadd(stream, {DATA_FIELD: encode_frame(body, headers)})
        count += 1
        if count % chunk == 0:
            pipe.execute()
    pipe.execute()
    client.close()
    return count


def streams_of(envelopes: Iterable[Envelope[Any]]) -> list[str]:
    """The streams the envelopes travel on."""
    return sorted({type(e.payload).stream() for e in envelopes})
