"""The lifecycles of a round and of a registry vintage: every status change goes through `move`, which refuses
a move its lifecycle does not allow."""

from typing import Protocol

from grants_shared.errors import Conflict

OPEN, CLOSED = "open", "closed"
PENDING, HELD, SUPERSEDED = "pending", "held", "superseded"

ROUND_MOVES: dict[str, frozenset[str]] = {OPEN: frozenset({CLOSED}), CLOSED: frozenset()}
"""A round is opened, then closed once; it never reopens."""

VINTAGE_MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({HELD, SUPERSEDED}),  # its wards are stored, or a newer vintage is announced first
    SUPERSEDED: frozenset({PENDING}),  # reinstated: the applications service serves it again
    HELD: frozenset(),  # wards once stored stay held
}
"""A registry vintage is announced pending; it becomes held once its wards are stored."""


class HasStatus(Protocol):
    """Anything with a lifecycle status (a stored round or vintage)."""

    status: str


class IllegalMove(Conflict):
    """A status change its lifecycle does not allow."""

    default_code = "illegal-status-move"
    default_title = "The lifecycle does not allow this change"


def move(thing: HasStatus, to: str, moves: dict[str, frozenset[str]]) -> None:
    """Change `thing`'s status to `to`, or raise IllegalMove when its lifecycle forbids that move."""
    if to not in moves.get(thing.status, frozenset()):
        raise IllegalMove(f"{type(thing).__name__} may not move from {thing.status} to {to}.")
    thing.status = to


def close_round(round_: HasStatus) -> None:
    """Close an open round."""
    move(round_, CLOSED, ROUND_MOVES)


def move_vintage(vintage: HasStatus, to: str) -> None:
    """Move a registry vintage along its lifecycle."""
    move(vintage, to, VINTAGE_MOVES)
