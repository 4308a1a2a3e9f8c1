"""The lifecycles that run: each move a stored status may make, checked against the tranche's transitions."""

import pytest

from payments.domain import grant_state, instruction_state, tranche_state
from payments.domain.instruction_state import InstructionStateError
from payments.domain.lifecycle import Lifecycle
from payments.domain.tranche_state import TrancheEvent, TrancheStateError, TrancheStatus, is_path, release_event

S, E = TrancheStatus, TrancheEvent


def test_every_stored_tranche_move_is_a_path_of_the_transitions() -> None:
    life = tranche_state.LIFECYCLE
    assert set(life.moves) == {str(e) for e in E}
    for source, target in life.allowed():
        assert is_path(S(source), S(target)), (source, target)
    assert not is_path(S.CANCELLED, S.SCHEDULED) and not is_path(S.SETTLED, S.HELD)


@pytest.mark.parametrize(
    ("current", "event", "target"),
    [
        ("scheduled", E.HOLD, "held"),
        ("held", E.HOLD, "held"),
        ("held", E.RESUME, "scheduled"),
        ("scheduled", E.RELEASE_FOR_APPROVAL, "awaiting_approval"),
        ("returned", E.RELEASE, "released"),
        ("released", E.INSTRUCT, "instructed"),
        ("approved", E.FAIL, "failed"),
        ("failed", E.RETRY, "released"),
        ("returned", E.CANCEL, "cancelled"),
    ],
)
def test_a_tranche_moves_by_its_events(current: str, event: TrancheEvent, target: str) -> None:
    assert tranche_state.LIFECYCLE.move(current, event) == target


@pytest.mark.parametrize(
    ("current", "event"),
    [
        ("released", E.HOLD),
        ("scheduled", E.RESUME),
        ("instructed", E.CANCEL),
        ("settled", E.RETRY),
        ("cancelled", E.RELEASE),
        ("awaiting_approval", E.INSTRUCT),
    ],
)
def test_a_tranche_move_the_lifecycle_does_not_allow_is_refused(current: str, event: TrancheEvent) -> None:
    with pytest.raises(TrancheStateError, match=f"a {current} tranche cannot {event}"):
        tranche_state.LIFECYCLE.move(current, event)


def test_above_the_threshold_a_release_awaits_approval() -> None:
    assert (release_event(11, 10), release_event(10, 10)) == (E.RELEASE_FOR_APPROVAL, E.RELEASE)


def test_an_instruction_is_paid_once_and_never_moves_back() -> None:
    life, ev = instruction_state.LIFECYCLE, instruction_state.InstructionEvent
    assert life.move("awaiting_approval", ev.APPROVE) == "created"
    assert life.move("instructed", ev.SETTLE) == "settled"
    assert life.sources(ev.FAIL) == ("instructed",) and life.target(ev.REJECT) == "failed"
    assert ("settled", "instructed") not in life.allowed() and ("returned", "settled") not in life.allowed()
    with pytest.raises(InstructionStateError, match="a settled instruction cannot settle"):
        life.move("settled", ev.SETTLE)
    assert life.initial == {"awaiting_approval", "created"}


def test_a_grant_ends_once_and_a_variation_is_decided_once() -> None:
    assert grant_state.LIFECYCLE.allowed() == {("active", "completed"), ("active", "closed")}
    with pytest.raises(grant_state.GrantStateError):
        grant_state.LIFECYCLE.move("completed", grant_state.GrantEvent.CLOSE)
    assert grant_state.VARIATION_LIFECYCLE.allowed() == {
        ("pending_approval", "applied"),
        ("pending_approval", "rejected"),
    }


def test_staying_put_is_no_move() -> None:
    life = Lifecycle("thing", initial=("a",), moves={"poke": (("a", "b"), "b")})
    assert life.move("b", "poke") == "b" and life.allowed() == {("a", "b")}
