"""Counting rows in the allocation database, to prove what was (and was not) written."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from allocation.adapters.orm import metadata
from grants_shared import tables
from grants_shared.events import AllocationDecided, GrantAwarded


def count(sessions: sessionmaker[Session], table: str, **where: object) -> int:
    """Rows of a table (service or delivery table), optionally filtered by column values."""
    target = metadata.tables.get(table) if table in metadata.tables else tables.metadata.tables[table]
    query = select(func.count()).select_from(target)
    for column, value in where.items():
        query = query.where(target.c[column] == value)
    with sessions() as session:
        return int(session.scalar(query) or 0)


def outbox(sessions: sessionmaker[Session], stream: str | None = None) -> int:
    """Outbox rows, optionally of one stream."""
    return count(sessions, "outbox", **({"stream": stream} if stream else {}))


def written(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Row counts of every table a request could write."""
    names = ["rounds", "runs", "run_inputs", "decisions", "awards", "outbox", "audit_log", "idempotency_keys"]
    return {name: count(sessions, name) for name in names}


DECIDED, AWARDED = AllocationDecided.stream(), GrantAwarded.stream()
