"""A grant's timeline: its application's events, its partnership's changes and its own, oldest first."""

from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, TimelineEntry


def grant_timeline(session: Session, grant: Grant, *, limit: int, offset: int) -> tuple[Sequence[TimelineEntry], int]:
    """One page of the grant's events ordered by when they occurred, then by event id, and how many there are."""
    belongs = or_(
        TimelineEntry.grant_id == grant.grant_id,
        TimelineEntry.application_id == grant.application_id,
        and_(TimelineEntry.event_type == "partnership-changed", TimelineEntry.partnership_id == grant.partnership_id),
    )
    total = session.execute(select(func.count()).select_from(TimelineEntry).where(belongs)).scalar_one()
    rows = session.execute(
        select(TimelineEntry)
        .where(belongs)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.event_id)
        .limit(limit)
        .offset(offset)
    ).scalars()
    return rows.all(), int(total)
