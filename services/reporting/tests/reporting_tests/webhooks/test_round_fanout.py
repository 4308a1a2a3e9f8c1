"""At fund scale: a £175m round over the 225 left-behind wards (the real list, GRANTS_REFERENCE_DATA_DIR), every
grant awarded and paid in four tranches (thousands of events), fanned out to subscribers filtered by type and by
ward: each gets exactly its events, once per webhook-id, every signature verified."""

import csv
import os
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.redis_client import sync_client
from grants_shared.events import Envelope
from grants_shared.wire import DATA_FIELD
from tests.support.consuming import eventually, signed_frame

from ..story import Story
from .life import delivery_counts, subscribe_at
from .receiving import receiving

pytestmark = pytest.mark.anyio
ROUND_PENCE = 17_500_000_000  # £175m
WARDS_FILE = "cni_left_behind/left_behind_wards_2019_225_DERIVED.csv"


def left_behind_wards() -> list[str]:
    folder = os.environ.get("GRANTS_REFERENCE_DATA_DIR")
    if not folder:
        pytest.skip("GRANTS_REFERENCE_DATA_DIR is not set: point it at the reference data folder")
    with (Path(folder) / WARDS_FILE).open(newline="", encoding="utf-8-sig") as rows:
        return [row["ward17_code"] for row in csv.DictReader(rows)]


def in_ward(envelope: Envelope[Any], ward: str) -> Envelope[Any]:
    payload = envelope.payload.model_copy(update={"neighbourhood_code": ward})
    return envelope.model_copy(update={"payload": payload})


def round_events(wards: list[str]) -> list[Envelope[Any]]:
    """Each ward's grant awarded, then its four tranches scheduled, released, instructed and settled."""
    events: list[Envelope[Any]] = []
    for n, ward in enumerate(wards, start=1):
        story = Story(n=n, amount=ROUND_PENCE // len(wards))
        events.append(in_ward(story.awarded(), ward))
        for number in range(1, 5):
            events += story.paid_tranche(number, date(2026, 1, 1) + timedelta(days=90 * number))
    return events


def publish_all(redis_url: str, events: list[Envelope[Any]]) -> None:
    client = sync_client(redis_url)
    for start in range(0, len(events), 500):
        pipe = client.pipeline(transaction=False)
        for envelope in events[start : start + 500]:
            pipe.xadd(type(envelope.payload).stream(), {DATA_FIELD: signed_frame(envelope)})
        pipe.execute()


async def test_a_rounds_fan_out_reaches_type_and_ward_subscribers_exactly(
    running_worker: None, sessions: sessionmaker[Session], redis_url: str
) -> None:
    wards = left_behind_wards()
    assert len(wards) == 225
    events = round_events(wards)
    awards = [e.event_id for e in events if e.event_type == "grant-awarded"]
    first_ward = [e.event_id for e in events[: len(events) // len(wards)]]
    awards_secrets: list[str] = []
    ward_secrets: list[str] = []
    with receiving(awards_secrets) as (awards_inbox, awards_url), receiving(ward_secrets) as (ward_inbox, ward_url):
        _, secret = subscribe_at(sessions, awards_url, event_types=["grant-awarded"])
        awards_secrets.append(secret)
        _, secret = subscribe_at(sessions, ward_url, neighbourhood_codes=[wards[0]])
        ward_secrets.append(secret)
        started = time.monotonic()
        publish_all(redis_url, events)
        owed = len(awards) + len(first_ward)
        await eventually(lambda: delivery_counts(sessions) == {"delivered": owed}, timeout=300, what="the fan-out")
        elapsed = time.monotonic() - started
    assert sorted(ev["id"] for _, ev in awards_inbox.handled) == sorted(awards)
    assert sorted(ev["id"] for _, ev in ward_inbox.handled) == sorted(first_ward)
    assert awards_inbox.refused == ward_inbox.refused == awards_inbox.repeats == ward_inbox.repeats == 0
    print(f"\n{len(events)} events, {owed} deliveries in {elapsed:.1f} s")  # a figure, not an assertion
