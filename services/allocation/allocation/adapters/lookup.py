"""Find one stored round or run by id, or refuse with a `NotFound` carrying the service's stable code."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from allocation.adapters.orm import Round, Run
from grants_shared.errors import NotFound


def find_round(session: Session, round_id: str, *, lock: bool = False) -> Round:
    """The round, locked for this transaction when asked (NotFound `round-not-found` when there is none)."""
    query = select(Round).where(Round.id == round_id)
    round_ = session.scalars(query.with_for_update() if lock else query).first()
    if round_ is None:
        raise NotFound(f"There is no round {round_id}.", code="round-not-found", title="No such round")
    return round_


def find_run(session: Session, run_id: str) -> Run:
    """One run (NotFound `run-not-found` when there is none)."""
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"There is no run {run_id}.", code="run-not-found", title="No such run")
    return run
