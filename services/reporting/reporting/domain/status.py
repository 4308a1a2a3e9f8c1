"""Status ordering for projections built from events that may arrive late, twice or out of order."""

from datetime import datetime
from typing import Any

from grants_shared.clock import as_utc

# Within one timestamp the later lifecycle stage wins; across timestamps the later event wins, so a
# tranche that failed and was instructed again, or an application resubmitted, ends in its true state.
# Changing a rank needs a migration that re-ranks the stored rows (see the reporting migrations).
TRANCHE_RANKS: dict[str, int] = {
    "scheduled": 0,
    "held": 1,
    "resumed": 2,
    "released": 3,
    "instructed": 4,
    "failed": 5,
    "settled": 6,
    "returned": 7,
    "cancelled": 8,  # by an early closure
    "removed": 8,  # from the schedule by a variation
}

# Tranches that need no more payment, tranches no longer in the schedule, and grants that will pay nothing more.
ENDED_TRANCHES = ("settled", "cancelled", "removed")
OFF_SCHEDULE = ("removed",)
ENDED_GRANTS = ("completed", "closed")

# The moves a projected grant may make: a completed grant may still be closed, and a repeated closure restates its
# figures; a closed grant never becomes completed.
GRANT_MOVES: dict[str, frozenset[str]] = {
    "awarded": frozenset({"completed", "closed"}),
    "completed": frozenset({"closed"}),
    "closed": frozenset({"closed"}),
}

APPLICATION_RANKS: dict[str, int] = {
    "submitted": 0,
    "eligible": 1,
    "ineligible": 1,
    "awarded": 2,
    "not_awarded": 2,
    "withdrawn": 3,
}


def supersedes(new_at: datetime, new_rank: int, old_at: datetime, old_rank: int) -> bool:
    """True when a status seen at `new_at` replaces one seen at `old_at` (later event, else later stage)."""
    new, old = as_utc(new_at), as_utc(old_at)
    return new > old or (new == old and new_rank > old_rank)


def live_key(grant_id: str, period_number: int) -> str:
    """The key that allows one live (submitted or accepted) report per grant and period."""
    return f"{grant_id}:{period_number}"


def moved_forward(status: Any, rank: Any, at: Any) -> dict[str, Any]:
    """The columns a projected status takes when it moves forward (values or bound parameters alike).

    Applied only where `supersedes` holds: the guarded UPDATE that applies it says the same in SQL.
    """
    return {"status": status, "status_rank": rank, "status_at": at}


def grant_sources(target: str) -> tuple[str, ...]:
    """The statuses from which a projected grant may become `target`."""
    return tuple(sorted(source for source, targets in GRANT_MOVES.items() if target in targets))


def grant_ending(target: str, at: datetime, **figures: int) -> dict[str, Any]:
    """The columns a projected grant takes when it ends (completed or closed), to apply only from `grant_sources`."""
    if target not in ENDED_GRANTS:
        raise ValueError(f"a grant does not end as {target}")
    return {"status": target, "completed_at": as_utc(at), **figures}
