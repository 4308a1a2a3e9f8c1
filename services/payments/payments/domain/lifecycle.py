"""A lifecycle as data: each event names the statuses it may start from and the one it leads to.

Every status a service stores changes through one of these tables (`move`), so the rules that are tested are the
rules that run; `allowed` gives the (old, new) pairs a database may ever show.
"""

from collections.abc import Iterable, Mapping
from typing import Protocol


class LifecycleError(ValueError):
    """A status move the lifecycle does not allow."""


class HasStatus(Protocol):
    """Anything with a stored status (a row, or a new award's draft before it is written)."""

    status: str


class Lifecycle:
    """The moves of one aggregate's status: event -> (the statuses it may start from, the status it leads to)."""

    def __init__(
        self,
        name: str,
        initial: Iterable[str],
        moves: Mapping[str, tuple[Iterable[str], str]],
        error: type[LifecycleError] = LifecycleError,
    ) -> None:
        self.name = name
        self.initial = frozenset(str(s) for s in initial)
        self.moves = {
            str(event): (frozenset(str(s) for s in sources), str(target)) for event, (sources, target) in moves.items()
        }
        self.error = error

    def move(self, current: str, event: str) -> str:
        """The status `event` leads to from `current`; raises the lifecycle's error when it may not start there."""
        sources, target = self.moves[str(event)]
        if current not in sources:
            starts = ", ".join(sorted(sources))
            raise self.error(f"a {current} {self.name} cannot {event} (only from: {starts})")
        return target

    def apply(self, thing: HasStatus, event: str) -> bool:
        """Move `thing` by `event` (refused as `move` refuses); True when its status changed."""
        target = self.move(thing.status, event)
        if target == thing.status:
            return False
        thing.status = target
        return True

    def sources(self, event: str) -> tuple[str, ...]:
        """The statuses `event` may start from (a guarded UPDATE's `WHERE status IN (...)`)."""
        return tuple(sorted(self.moves[str(event)][0]))

    def target(self, event: str) -> str:
        """The status `event` leads to."""
        return self.moves[str(event)][1]

    def allowed(self) -> frozenset[tuple[str, str]]:
        """Every (old, new) pair of a stored status change the lifecycle allows (staying put is no change)."""
        return frozenset((s, t) for sources, t in self.moves.values() for s in sources if s != t)
