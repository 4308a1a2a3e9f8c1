"""Moving a projected status forward atomically: the later event wins, whatever order they arrive in."""

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, Table, Update, and_, bindparam, or_, update
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.uow import defer, transaction_cache
from reporting.adapters.orm import Application, Tranche
from reporting.adapters.rows import expire_one
from reporting.domain.status import APPLICATION_RANKS, TRANCHE_RANKS, moved_forward


@cache
def _advance_statement(table: Table) -> Update:
    # `domain.status.supersedes` as one conditional UPDATE, so two workers racing on one row cannot both win
    # (PostgreSQL re-checks it). Built once with bound parameters: building it per event cost more than running it.
    key, rank = table.primary_key.columns[0], bindparam("new_rank", type_=Integer)
    moment = bindparam("moment", type_=table.c.status_at.type)
    newer = or_(table.c.status_at < moment, and_(table.c.status_at == moment, table.c.status_rank < rank))
    columns = moved_forward(bindparam("new_status"), rank, moment)
    return update(table).where(key == bindparam("key"), newer).values(columns)


def _advance(session: Session, model: type[Any], key: str, status: str, rank: int, at: datetime) -> None:
    params = {"key": key, "new_status": status, "new_rank": rank, "moment": as_utc(at)}
    statement = _advance_statement(model.__table__)
    if key in transaction_cache(session).get(model, ()):
        # The row is there or its insert is kept ahead of this: the update may wait for the batch's other writes
        # (newer-wins updates of one row commute), so a run's moves go in one executemany instead of one each.
        defer(session, statement, params, after_inserts=True)
    else:
        session.execute(statement, params)
    expire_one(session, model, key)


def advance_tranche(session: Session, tranche_id: str, status: str, at: datetime) -> None:
    """Set a tranche's status if this event is newer than the one behind its current status."""
    _advance(session, Tranche, tranche_id, status, TRANCHE_RANKS[status], at)


def advance_application(session: Session, application_id: str, status: str, at: datetime) -> None:
    """Set an application's status if this event is newer than the one behind its current status."""
    _advance(session, Application, application_id, status, APPLICATION_RANKS[status], at)
