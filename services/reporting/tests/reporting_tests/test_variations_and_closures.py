"""Re-profiles, early closures and resumed tranches move the read models, whatever order the events arrive in."""

import random
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.delivery import NotReady
from reporting.adapters.orm import Grant
from reporting.read.grants import grant_detail
from reporting.read.pipeline import due_tranches
from reporting.read.position import fund_position

from .conftest import FINANCE
from .story import Story, applied, deliver, deliver_eventually

Sessions = sessionmaker[Session]
M = 1_000_000  # pence in £10,000, to keep the figures readable


def varied_life(story: Story) -> list[Any]:
    """Tranche 1 paid; cut to £1.2m (tranche 4 cancelled); then raised to £1.3m with a new tranche 5."""
    return [
        story.round_opened(),
        *story.up_to_award(),
        *story.paid_tranche(1, date(2026, 2, 1)),
        story.scheduled(2, date(2026, 8, 1)),
        story.scheduled(3, date(2027, 2, 1)),
        story.scheduled(4, date(2027, 8, 1)),
        story.varied(120 * M, {2: (date(2026, 9, 1), 41_250_000), 3: (date(2027, 3, 1), 41_250_000)}, [4], "v1"),
        story.scheduled(5, date(2027, 9, 1), amount=25 * M),
        story.varied(
            130 * M,
            {2: (date(2026, 9, 1), 41_250_000), 3: (date(2027, 3, 1), 26_250_000), 5: (date(2027, 9, 1), 25 * M)},
            [],
            "v2",
        ),
    ]


def tranches_of(sessions: Sessions, story: Story) -> dict[int, tuple[str, date, int, int]]:
    """Each tranche of the story's grant by number, as the grant read model shows it: status, due, amount, of."""
    with sessions() as s:
        detail = grant_detail(s, s.get(Grant, story.grant_id))
        return {t.number: (t.status, t.due_on, t.amount_pence, t.of_tranches) for t in detail.tranches}


def grant_of(sessions: Sessions, story: Story) -> tuple[int, int, str]:
    """The projected grant's amount, released pence and status."""
    with sessions() as s:
        grant = s.get(Grant, story.grant_id)
        return grant.amount_pence, grant.released_pence, grant.status


def test_a_reprofile_moves_the_amount_the_dates_and_the_tranches(sessions: Sessions, client: TestClient) -> None:
    story = Story()
    for envelope in varied_life(story):
        assert deliver(sessions, envelope)
    assert grant_of(sessions, story) == (130 * M, 0, "awarded")
    tranches = tranches_of(sessions, story)
    assert tranches == {
        1: ("settled", date(2026, 2, 1), 37_500_000, 5),
        2: ("scheduled", date(2026, 9, 1), 41_250_000, 5),
        3: ("scheduled", date(2027, 3, 1), 26_250_000, 5),
        4: ("removed", date(2027, 8, 1), 37_500_000, 5),
        5: ("scheduled", date(2027, 9, 1), 25 * M, 5),
    }
    live = sum(pence for status, _, pence, _ in tranches.values() if status != "removed")
    assert live == 130 * M  # the live schedule still sums exactly to the grant
    position = client.get("/fund/position", params={"as_of": "2027-12-31"}, headers=FINANCE).json()
    assert position["committed_pence"] == 130 * M and position["remaining_pence"] == 870 * M
    assert (position["tranches_due"], position["tranches_due_pence"]) == (3, 92_500_000)  # not the cancelled one
    with sessions() as s:
        assert [t.number for t in due_tranches(s, date(2027, 12, 31), 10)] == [2, 3, 5]


def test_an_older_variation_arriving_last_changes_nothing(sessions: Sessions) -> None:
    story = Story()
    *before, v1, scheduled_5, v2 = varied_life(story)
    for envelope in [*before, scheduled_5, v2, v1]:
        deliver(sessions, envelope)
    assert grant_of(sessions, story)[0] == 130 * M
    assert tranches_of(sessions, story)[3][1:3] == (date(2027, 3, 1), 26_250_000)
    assert tranches_of(sessions, story)[4][0] == "removed"


def test_a_variation_waits_for_the_tranches_it_names(sessions: Sessions) -> None:
    story = Story()
    *before, v1, scheduled_5, v2 = varied_life(story)
    for envelope in [*before, v1]:
        deliver(sessions, envelope)
    with pytest.raises(NotReady):
        deliver(sessions, v2)  # tranche 5 is not scheduled here yet
    assert grant_of(sessions, story)[0] == 120 * M  # nothing of the attempt was kept
    deliver(sessions, scheduled_5)
    assert applied(sessions, v2)  # woken by the tranche it named
    assert grant_of(sessions, story)[0] == 130 * M


def closed_life(story: Story) -> list[Any]:
    """Tranche 1 paid; tranche 2 paid and returned; 3 held; 4 scheduled; then closed early, and completed."""
    return [
        story.round_opened(),
        *story.up_to_award(),
        *story.paid_tranche(1, date(2026, 2, 1)),
        *story.paid_tranche(2, date(2026, 8, 1)),
        story.returned(2),
        story.scheduled(3, date(2027, 2, 1)),
        story.held(3),
        story.scheduled(4, date(2027, 8, 1)),
        story.closed(awarded=150 * M, paid=37_500_000, released=112_500_000, cancelled=[2, 3, 4]),
        story.completed(),
    ]


def test_an_early_closure_releases_the_unspent_commitment(sessions: Sessions, client: TestClient) -> None:
    story = Story()
    for envelope in closed_life(story):
        deliver(sessions, envelope)
    assert grant_of(sessions, story) == (150 * M, 112_500_000, "closed")  # completed after closed: still closed
    assert [v[0] for _, v in sorted(tranches_of(sessions, story).items())] == [
        "settled",
        "cancelled",
        "cancelled",
        "cancelled",
    ]
    position = client.get("/fund/position", params={"as_of": "2028-01-01"}, headers=FINANCE).json()
    assert {
        k: position[k]
        for k in (
            "committed_pence",
            "paid_pence",
            "returned_pence",
            "released_pence",
            "unpaid_commitments_pence",
            "remaining_pence",
            "grants_closed",
        )
    } == {
        "committed_pence": 37_500_000,
        "paid_pence": 37_500_000,  # net of returns (docs/reporting.md, "Money words"): 75m gross
        "returned_pence": 37_500_000,
        "released_pence": 112_500_000,
        "unpaid_commitments_pence": 0,
        "remaining_pence": 962_500_000,
        "grants_closed": 1,
    }
    assert position["tranches_due"] == 0 and position["least_first"]["by_decile"]["1"]["committed_pence"] == 37_500_000
    page = client.get("/dashboard", params={"as_of": "2028-01-01"}).text
    assert "Released by early closures" in page and "£1,125,000" in page


def test_a_closure_and_its_completion_in_either_order_end_closed(sessions: Sessions) -> None:
    story = Story()
    *before, closed, completed = closed_life(story)
    for envelope in [*before, completed, closed]:
        deliver(sessions, envelope)
    assert grant_of(sessions, story) == (150 * M, 112_500_000, "closed")


@pytest.mark.parametrize("life", [varied_life, closed_life], ids=["varied", "closed"])
def test_any_arrival_order_with_duplicates_ends_in_the_same_state(
    sessions: Sessions, life: Callable[[Story], list[Any]]
) -> None:
    in_order = Story(n=1)
    for envelope in life(in_order):
        deliver(sessions, envelope)
    expected = (grant_of(sessions, in_order), tranches_of(sessions, in_order))
    for seed in range(6):
        shuffled = Story(n=2 + seed)
        events = life(shuffled)
        events += random.Random(seed).sample(events, 3)  # redelivered duplicates
        random.Random(seed).shuffle(events)
        deliver_eventually(sessions, events)
        assert (grant_of(sessions, shuffled), tranches_of(sessions, shuffled)) == expected, seed


def test_a_held_tranche_resumes_then_is_released(sessions: Sessions) -> None:
    story = Story()
    scheduled, held, resumed, released = (
        story.scheduled(2, date(2026, 8, 1)),
        story.held(2),
        story.resumed(2),
        story.released(2),
    )
    deliver(sessions, story.awarded())
    with pytest.raises(NotReady):
        deliver(sessions, resumed)
    for envelope in (scheduled, held, resumed):
        deliver(sessions, envelope)
    assert tranches_of(sessions, story)[2][0] == "resumed"
    deliver(sessions, released)
    deliver(sessions, held)  # a redelivered, older hold does not put it back
    assert tranches_of(sessions, story)[2][0] == "released"


def test_the_fund_position_counts_what_a_closure_released_once(sessions: Sessions) -> None:
    story = Story()
    events = closed_life(story)
    for envelope in events:
        deliver(sessions, envelope)
    deliver(sessions, story.closed(awarded=150 * M, paid=37_500_000, released=112_500_000, cancelled=[2, 3, 4]))
    with sessions() as s:
        assert fund_position(s, date(2028, 1, 1))["released_pence"] == 112_500_000
