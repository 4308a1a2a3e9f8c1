"""Moving a projected status forward atomically: the later event wins, whatever order they arrive in."""

from datetime import datetime

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session

from reporting.adapters.orm import Application, Tranche
from reporting.domain.status import APPLICATION_RANKS, TRANCHE_RANKS, as_utc
from reporting.projections.rows import expire_one


def advance_tranche(session: Session, tranche_id: str, status: str, at: datetime) -> bool:
    """Set a tranche's status if this event is newer than the one behind its current status."""
    rank, moment = TRANCHE_RANKS[status], as_utc(at)
    # One conditional UPDATE, so two workers racing on one tranche cannot both win (PostgreSQL re-checks it).
    result = session.execute(
        update(Tranche)
        .where(
            Tranche.tranche_id == tranche_id,
            or_(Tranche.status_at < moment, and_(Tranche.status_at == moment, Tranche.status_rank < rank)),
        )
        .values(status=status, status_rank=rank, status_at=moment)
        .execution_options(synchronize_session=False)
    )
    expire_one(session, Tranche, tranche_id)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def advance_application(session: Session, application_id: str, status: str, at: datetime) -> bool:
    """Set an application's status if this event is newer than the one behind its current status."""
    rank, moment = APPLICATION_RANKS[status], as_utc(at)
    result = session.execute(
        update(Application)
        .where(
            Application.application_id == application_id,
            or_(
                Application.status_at < moment,
                and_(Application.status_at == moment, Application.status_rank < rank),
            ),
        )
        .values(status=status, status_rank=rank, status_at=moment)
        .execution_options(synchronize_session=False)
    )
    expire_one(session, Application, application_id)
    return bool(result.rowcount)  # type: ignore[attr-defined]
