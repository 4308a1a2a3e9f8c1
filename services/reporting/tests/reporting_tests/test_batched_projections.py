"""Projections applied many events to a transaction (the worker's batches) end as they do one event at a time."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery.apply import apply_envelopes
from grants_shared.events import Envelope, wrap
from reporting.adapters.orm import Tranche
from reporting.adapters.orm_public import TrancheHold

from .story import GROUP, ROUTES, T0, Story, deliver

Sessions = sessionmaker[Session]


def _hold(story: Story, number: int, reasons: list[str], minutes: int) -> Envelope[Any]:
    held = story.held(number).payload.model_copy(
        update={"reasons": reasons, "held_at": T0 + timedelta(minutes=minutes)}
    )
    return wrap(held, subject=story.grant_id, occurred_at=T0 + timedelta(minutes=minutes))


def _state(sessions: Sessions, story: Story) -> list[tuple[Any, ...]]:
    with sessions() as s:
        tranches = [(t.tranche_id, t.status, t.status_rank) for t in s.query(Tranche).order_by(Tranche.tranche_id)]
        holds = [(h.tranche_id, tuple(h.reasons)) for h in s.query(TrancheHold).order_by(TrancheHold.tranche_id)]
    return tranches + holds


def _events(story: Story) -> list[Envelope[Any]]:
    return [
        *story.up_to_award(),
        story.scheduled(1, date(2026, 2, 1)),
        story.scheduled(2, date(2026, 8, 1)),
        _hold(story, 2, ["newest"], 500),
        story.held(1),
        story.released(1),
        _hold(story, 2, ["older, arrived later"], 400),
        story.instructed(1),
        story.settled(1),
    ]


def test_one_batch_ends_as_one_event_per_transaction(sessions: Sessions) -> None:
    story = Story()
    events = _events(story)
    apply_envelopes(sessions, GROUP, ROUTES, events)  # one transaction: status moves kept until after the inserts
    batched = _state(sessions, story)
    one, two = story.tranche_id(1), story.tranche_id(2)
    assert {row[:2] for row in batched[:2]} == {(one, "settled"), (two, "held")}
    assert set(batched[2:]) == {(one, ("report not accepted",)), (two, ("newest",))}  # the latest hold wins
    with sessions() as s:
        for table in ("tranche_holds", "tranches", "payments", "grants", "applications", "timeline", "inbox"):
            s.execute(text(f"DELETE FROM {table}"))
        s.commit()
    for envelope in events:
        deliver(sessions, envelope)
    assert _state(sessions, story) == batched
