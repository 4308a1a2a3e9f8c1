"""What must hold after any walk: events in the streams, one payment per tranche, a balanced ledger."""

from collections import Counter
from typing import Any

import httpx
import redis

from grants_cli.walk import Walk
from grants_shared.auth import Role
from grants_shared.events import (
    AllocationDecided,
    ApplicationAssessed,
    ApplicationSubmitted,
    GrantAwarded,
    PaymentInstructed,
    PaymentSettled,
    ReportAccepted,
    TrancheReleased,
    TrancheScheduled,
)
from grants_shared.wire import decode_entry
from tests.e2e.conftest import RunningSystem


def distinct_events(client: redis.Redis, stream: str) -> list[dict[str, Any]]:
    """The envelopes on a stream, one per event id (a relay may repeat an event after a crash)."""
    seen: dict[str, dict[str, Any]] = {}
    for _, fields in client.xrange(stream):
        envelope, _headers = decode_entry(fields)
        seen.setdefault(envelope["event_id"], envelope)
    return list(seen.values())


def about(events: list[dict[str, Any]], key: str, value: str) -> list[dict[str, Any]]:
    """The events whose payload field `key` equals `value`."""
    return [e for e in events if e["payload"].get(key) == value]


def check_events(running: RunningSystem, walk: Walk) -> None:
    """Every step of the walk is in its stream, exactly once by event id."""
    r = running.redis
    assert len(about(distinct_events(r, ApplicationSubmitted.stream()), "application_id", walk.application_id)) == 1
    assessed = about(distinct_events(r, ApplicationAssessed.stream()), "application_id", walk.application_id)
    assert [e["payload"]["eligible"] for e in assessed] == [True]
    decided = about(distinct_events(r, AllocationDecided.stream()), "application_id", walk.application_id)
    assert len(decided) == 1 and decided[0]["payload"]["awarded"] is True
    [awarded] = about(distinct_events(r, GrantAwarded.stream()), "grant_id", walk.grant_id)
    assert awarded["payload"]["amount_pence"] == walk.decision["awarded_pence"]
    scheduled = about(distinct_events(r, TrancheScheduled.stream()), "grant_id", walk.grant_id)
    assert sum(e["payload"]["amount_pence"] for e in scheduled) == awarded["payload"]["amount_pence"]
    for stream in (TrancheReleased.stream(), PaymentInstructed.stream(), PaymentSettled.stream()):
        per_tranche = Counter(
            e["payload"]["tranche_id"] for e in about(distinct_events(r, stream), "grant_id", walk.grant_id)
        )
        assert len(per_tranche) == 2 and set(per_tranche.values()) == {1}, (stream, per_tranche)
    assert len(about(distinct_events(r, ReportAccepted.stream()), "grant_id", walk.grant_id)) == 1
    correlation = {e["correlation_id"] for e in decided + [awarded]}
    assert len(correlation) >= 1


def check_money(running: RunningSystem, walk: Walk) -> None:
    """Exactly one bank payment per paid tranche; the ledger's invariants hold; reporting agrees."""
    bank_url, headers = running.system.url("sandbox-bank"), running.system.bank_headers()
    bank = httpx.get(f"{bank_url}/settlements", headers=headers, timeout=10).json()
    items = [line for line in bank["entries"] if line["kind"] == "settled"]
    paid = [t for t in walk.grant["tranches"] if t["status"] == "settled"]
    assert len(items) == len(paid) == 2, items
    assert sorted(p["amount_pence"] for p in items) == sorted(t["amount_pence"] for t in paid)
    assert len({p["idempotency_key"] for p in items}) == 2
    finance = running.client.token(Role.FINANCE_OFFICER)
    check = running.client.call("GET", "payments", "/ledger/check", finance)
    assert check["ok"], check
    position = walk.position
    assert position["committed_pence"] == walk.decision["awarded_pence"]
    assert position["paid_pence"] == sum(t["amount_pence"] for t in paid)
    assert position["budget_pence"] == 1_000_000_000
    assert position["remaining_pence"] == position["budget_pence"] - position["committed_pence"]
