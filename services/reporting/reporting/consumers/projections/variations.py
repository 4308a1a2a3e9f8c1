"""Projections of a grant's changes after award: resumed tranches, re-profiles and early closure.

Each event may arrive late, twice or before another: amounts and dates move only for a later event (`amount_at`,
`varied_at`, compared by when the event was published, as statuses are), so any arrival order ends in one state.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.delivery import NotReady
from grants_shared.events import Envelope, GrantClosed, GrantVaried, TrancheResumed
from reporting.adapters.orm import Grant, Tranche
from reporting.consumers.projections.funding import require_grant
from reporting.consumers.projections.status import advance_tranche
from reporting.domain.status import grant_ending, grant_sources


def tranche_resumed(envelope: Envelope[TrancheResumed], session: Session) -> None:
    """A held tranche is held no longer; waits for its TrancheScheduled."""
    require_tranches(session, [envelope.payload.tranche_id], envelope.event_type)
    advance_tranche(session, envelope.payload.tranche_id, "resumed", envelope.occurred_at)


def grant_varied(envelope: Envelope[GrantVaried], session: Session) -> None:
    """The remaining tranches re-profiled (some removed) and the amount changed; waits for every tranche it names."""
    p, at = envelope.payload, as_utc(envelope.occurred_at)
    require_grant(session, p.grant_id, envelope.event_type)
    require_tranches(
        session, [t.tranche_id for t in p.remaining_tranches] + p.cancelled_tranche_ids, envelope.event_type
    )
    _set_amount(session, p.grant_id, p.new_total_pence, at)
    for t in p.remaining_tranches:
        session.execute(
            update(Tranche)
            .where(Tranche.tranche_id == t.tranche_id, or_(Tranche.varied_at.is_(None), Tranche.varied_at < at))
            .values(due_on=t.due_on, amount_pence=t.amount_pence, varied_at=at)
            .execution_options(synchronize_session=False)
        )
    _end(session, p.cancelled_tranche_ids, "removed", at)


def grant_closed(envelope: Envelope[GrantClosed], session: Session) -> None:
    """The grant closed early: its unpaid tranches cancelled and its unspent commitment released to the fund."""
    p, at = envelope.payload, as_utc(envelope.occurred_at)
    require_grant(session, p.grant_id, envelope.event_type)
    require_tranches(session, p.cancelled_tranche_ids, envelope.event_type)
    session.execute(
        update(Grant)
        .where(Grant.grant_id == p.grant_id, Grant.status.in_(grant_sources("closed")))
        .values(grant_ending("closed", p.closed_at, released_pence=p.released_pence))
        .execution_options(synchronize_session=False)
    )
    _set_amount(session, p.grant_id, p.awarded_pence, at, inclusive=True)
    _end(session, p.cancelled_tranche_ids, "cancelled", at)


def require_tranches(session: Session, tranche_ids: Iterable[str], event_type: str) -> None:
    """NotReady while any of the tranches has not been scheduled here yet."""
    wanted = set(tranche_ids)
    if not wanted:
        return
    known = set(session.scalars(select(Tranche.tranche_id).where(Tranche.tranche_id.in_(wanted))))
    if missing := sorted(wanted - known):
        raise NotReady(f"{event_type} names tranches not scheduled yet: {', '.join(missing[:5])}")


def _set_amount(session: Session, grant_id: str, pence: int, at: Any, *, inclusive: bool = False) -> None:
    # A closure states the amount at the same moment as the variation it follows, so it may set it at a tie.
    newer = Grant.amount_at <= at if inclusive else Grant.amount_at < at
    session.execute(
        update(Grant)
        .where(Grant.grant_id == grant_id, or_(Grant.amount_at.is_(None), newer))
        .values(amount_pence=pence, amount_at=at)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def _end(session: Session, tranche_ids: Iterable[str], status: str, at: Any) -> None:
    for tranche_id in tranche_ids:
        advance_tranche(session, tranche_id, status, at)


HANDLERS: dict[type[Any], Any] = {
    TrancheResumed: tranche_resumed,
    GrantVaried: grant_varied,
    GrantClosed: grant_closed,
}
