"""The consumers build the projections from a grant's events, under duplicates and reordering."""

import random
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery import NotReady
from grants_shared.events import ALL_EVENTS
from grants_shared.uow import UnitOfWork
from reporting.adapters.orm import Application, Grant, Payment, Round, TimelineEntry, Tranche
from reporting.consumers.events import CONSUMED, on_any_event

from .story import Story, applied, count, deliver, deliver_eventually

Sessions = sessionmaker[Session]


def test_every_event_of_the_other_services_is_consumed() -> None:
    assert set(CONSUMED) == {e for e in ALL_EVENTS if e.producer != "reporting"}


def test_a_realistic_event_sequence_builds_the_projections(sessions: Sessions) -> None:
    story = Story()
    events = [
        story.round_opened(),
        *story.up_to_award(),
        *story.paid_tranche(1, date(2026, 2, 1)),
        story.scheduled(2, date(2026, 8, 1)),
        story.held(2),
    ]
    for envelope in events:
        assert deliver(sessions, envelope)
    with sessions() as s:
        assert s.get(Round, "round-1").budget_pence == 1_000_000_000
        assert s.get(Application, story.application_id).status == "awarded"
        grant = s.get(Grant, story.grant_id)
        assert (grant.amount_pence, grant.paid_pence, grant.returned_pence) == (150_000_000, 37_500_000, 0)
        assert grant.imd_decile == 1 and grant.status == "awarded"
        assert s.get(Tranche, story.tranche_id(1)).status == "settled"
        assert s.get(Tranche, story.tranche_id(2)).status == "held"
    assert count(sessions, TimelineEntry) == len(events)


def test_the_same_event_twice_has_one_effect(sessions: Sessions) -> None:
    story = Story()
    events = [*story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]
    for envelope in events:
        assert deliver(sessions, envelope)
        assert not deliver(sessions, envelope)  # the inbox drops the duplicate
    settled = events[-1]
    with UnitOfWork(sessions) as uow:  # even past the inbox, the consumer is idempotent by the event id
        on_any_event(settled, uow)
        uow.commit()
    with sessions() as s:
        assert s.get(Grant, story.grant_id).paid_pence == story.tranche_amount
    assert count(sessions, TimelineEntry) == len(events)


def test_a_settlement_republished_under_a_new_event_id_is_counted_once(sessions: Sessions) -> None:
    story = Story()
    for envelope in [*story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]:
        deliver(sessions, envelope)
    assert deliver(sessions, story.settled(1))  # same instruction, new event id: on the timeline, not paid twice
    with sessions() as s:
        assert s.get(Grant, story.grant_id).paid_pence == story.tranche_amount


def test_a_settlement_before_its_grant_waits_then_applies(sessions: Sessions) -> None:
    story = Story()
    up_to_award = story.up_to_award()
    scheduled, released, instructed, settled = story.paid_tranche(1, date(2026, 2, 1))
    with pytest.raises(NotReady):
        deliver(sessions, settled)
    assert count(sessions, TimelineEntry) == 0 and count(sessions, Payment) == 0  # nothing kept of the attempt
    for envelope in [*up_to_award, scheduled]:
        deliver(sessions, envelope)
    assert applied(sessions, settled)  # woken by the events it waited for, and applied
    for late in (instructed, released):  # older events arriving last do not move the status back
        deliver(sessions, late)
    with sessions() as s:
        assert s.get(Grant, story.grant_id).paid_pence == story.tranche_amount
        assert s.get(Tranche, story.tranche_id(1)).status == "settled"


def test_a_release_before_its_schedule_waits(sessions: Sessions) -> None:
    story = Story()
    deliver(sessions, story.awarded())
    scheduled, released = story.scheduled(1, date(2026, 2, 1)), story.released(1)
    with pytest.raises(NotReady):
        deliver(sessions, released)
    deliver(sessions, scheduled)
    assert applied(sessions, released)  # woken by its schedule
    with sessions() as s:
        assert s.get(Tranche, story.tranche_id(1)).status == "released"


def test_a_return_waits_for_its_settlement_and_owes_the_money_again(sessions: Sessions) -> None:
    story = Story()
    events = [*story.up_to_award(), *story.paid_tranche(1, date(2026, 2, 1))]
    returned = story.returned(1)
    for envelope in events[:-1]:
        deliver(sessions, envelope)
    with pytest.raises(NotReady):
        deliver(sessions, returned)
    deliver(sessions, events[-1])
    assert applied(sessions, returned)  # woken by its settlement
    assert deliver(sessions, story.returned(1))  # a second return of the same instruction is not counted
    with sessions() as s:
        grant = s.get(Grant, story.grant_id)
        assert (grant.paid_pence, grant.returned_pence) == (story.tranche_amount, story.tranche_amount)
        assert s.get(Tranche, story.tranche_id(1)).status == "returned"


def test_grant_completed_before_its_award_waits(sessions: Sessions) -> None:
    story = Story()
    awarded, completed = story.awarded(), story.completed()
    with pytest.raises(NotReady):
        deliver(sessions, completed)
    deliver(sessions, awarded)
    deliver(sessions, completed)
    with sessions() as s:
        assert s.get(Grant, story.grant_id).status == "completed"


def test_application_status_is_the_latest_event_whatever_the_arrival_order(sessions: Sessions) -> None:
    story = Story()
    submitted, assessed, decided = story.submitted(), story.assessed(), story.decided()
    for envelope in (decided, submitted, assessed):
        deliver(sessions, envelope)
    with sessions() as s:
        application = s.get(Application, story.application_id)
        assert application.status == "awarded"
        assert application.organisation_id == "org-1"  # filled in by the later-arriving events


def full_life(story: Story) -> list[Any]:
    """Every kind of grant event: two tranches paid, one of them returned, a third held, then completed."""
    return [
        *story.up_to_award(),
        *story.paid_tranche(1, date(2026, 2, 1)),
        story.returned(1),
        *story.paid_tranche(2, date(2026, 8, 1)),
        story.scheduled(3, date(2027, 2, 1)),
        story.held(3),
        story.completed(),
    ]


def snapshot(sessions: Sessions, story: Story) -> tuple[Any, ...]:
    """What the projections say about a story's grant, without its ids."""
    with sessions() as s:
        grant = s.get(Grant, story.grant_id)
        tranches = [s.get(Tranche, story.tranche_id(n)).status for n in (1, 2, 3)]
        application = s.get(Application, story.application_id)
        return (
            grant.paid_pence,
            grant.returned_pence,
            grant.status,
            tranches,
            application.status,
            application.organisation_id,
        )


def test_any_arrival_order_with_duplicates_ends_in_the_same_state(sessions: Sessions) -> None:
    in_order = Story(n=1)
    for envelope in full_life(in_order):
        deliver(sessions, envelope)
    for seed in range(5):
        shuffled = Story(n=2 + seed)
        events = full_life(shuffled)
        events += random.Random(seed).sample(events, 4)  # redelivered duplicates
        random.Random(seed).shuffle(events)
        deliver_eventually(sessions, events)
        assert snapshot(sessions, shuffled) == snapshot(sessions, in_order), seed
    assert snapshot(sessions, in_order) == (
        75_000_000,
        37_500_000,
        "completed",
        ["returned", "settled", "held"],
        "awarded",
        "org-1",
    )
