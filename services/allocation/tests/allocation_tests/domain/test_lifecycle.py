"""The round and registry vintage lifecycles allow their moves and refuse every other."""

from dataclasses import dataclass

import pytest

from allocation.domain.lifecycle import (
    CLOSED,
    HELD,
    OPEN,
    PENDING,
    ROUND_MOVES,
    SUPERSEDED,
    VINTAGE_MOVES,
    IllegalMove,
    close_round,
    move_vintage,
)
from grants_shared.errors import Conflict


@dataclass
class Thing:
    status: str


def test_an_open_round_closes_once() -> None:
    round_ = Thing(OPEN)
    close_round(round_)
    assert round_.status == CLOSED
    with pytest.raises(IllegalMove):
        close_round(round_)
    assert round_.status == CLOSED


@pytest.mark.parametrize(("start", "to"), [(PENDING, HELD), (PENDING, SUPERSEDED), (SUPERSEDED, PENDING)])
def test_a_vintage_makes_its_allowed_moves(start: str, to: str) -> None:
    vintage = Thing(start)
    move_vintage(vintage, to)
    assert vintage.status == to


@pytest.mark.parametrize(
    ("start", "to"), [(start, to) for start in VINTAGE_MOVES for to in VINTAGE_MOVES if to not in VINTAGE_MOVES[start]]
)
def test_a_vintage_refuses_every_other_move(start: str, to: str) -> None:
    vintage = Thing(start)
    with pytest.raises(IllegalMove):
        move_vintage(vintage, to)
    assert vintage.status == start


def test_a_refused_move_is_a_409_conflict_with_a_stable_code() -> None:
    with pytest.raises(IllegalMove) as refused:
        close_round(Thing(CLOSED))
    assert isinstance(refused.value, Conflict) and refused.value.code == "illegal-status-move"
    assert set(ROUND_MOVES) == {OPEN, CLOSED}
