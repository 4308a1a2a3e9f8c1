"""A grant's timeline: its application's events, its partnership's changes and its own, oldest first."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from reporting.adapters.orm import Grant, TimelineEntry
from reporting.domain.summaries import summarise
from reporting.schemas import Timeline, TimelineEvent


def grant_timeline(session: Session, grant: Grant, *, limit: int, offset: int) -> Timeline:
    """One page of the grant's events ordered by when they occurred, then by event id."""
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
    events = [
        TimelineEvent(
            event_id=row.event_id,
            event_type=row.event_type,
            producer=row.producer,
            occurred_at=row.occurred_at,
            subject=row.subject,
            summary=summarise(row.event_type, row.payload),
        )
        for row in rows
    ]
    return Timeline(grant_id=grant.grant_id, application_id=grant.application_id, events=events,
                    total=int(total), limit=limit, offset=offset)
