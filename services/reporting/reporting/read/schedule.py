"""A grant's schedule as it stands: variations remove and add tranches, so its length is read, never stored."""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from reporting.adapters.orm import Tranche
from reporting.domain.status import OFF_SCHEDULE


def schedule_length(tranche: Any = Tranche) -> Any:
    """Per row of `tranche`: the highest tranche number of its grant still in the schedule (a scalar subquery)."""
    other = aliased(Tranche)
    highest = (
        select(func.max(other.number))
        .where(other.grant_id == tranche.grant_id, other.status.not_in(OFF_SCHEDULE))
        .scalar_subquery()
    )
    return func.coalesce(highest, tranche.of_tranches)


def tranche_due(session: Session, grant_id: str, number: int) -> date | None:
    """When tranche `number` of the grant falls due, or None when the schedule reporting knows has no such tranche."""
    due: date | None = session.scalar(
        select(func.min(Tranche.due_on)).where(
            Tranche.grant_id == grant_id, Tranche.number == number, Tranche.status.not_in(OFF_SCHEDULE)
        )
    )
    return due
