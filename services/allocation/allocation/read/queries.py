"""Read queries: rounds, runs, a run's decisions, an application's latest committed decision, the pool, the registry.

Each returns rows (and a total for pages); the routes turn them into answers.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allocation.adapters.lookup import find_round, find_run
from allocation.adapters.orm import AssessedApplication, Decision, Partnership, Round, Run
from allocation.adapters.pool import pool_query
from allocation.adapters.registry_store import in_force
from allocation.adapters.registry_tables import RegistryVintage
from grants_shared.auth import Principal, Role
from grants_shared.errors import NotFound

T = TypeVar("T")
NEWEST_VINTAGES = 100


@dataclass(frozen=True)
class Rows(Generic[T]):
    """One page of rows and how many there are in all."""

    items: list[T]
    total: int


def list_rounds(session: Session, limit: int, offset: int) -> Rows[Round]:
    """Rounds, newest first."""
    total = session.scalar(select(func.count()).select_from(Round)) or 0
    rows = session.scalars(select(Round).order_by(Round.opened_at.desc(), Round.id).limit(limit).offset(offset))
    return Rows(list(rows), total)


def get_round(session: Session, round_id: str) -> Round:
    """One round (NotFound when there is none)."""
    return find_round(session, round_id)


def get_run(session: Session, run_id: str) -> Run:
    """One run (NotFound when there is none)."""
    return find_run(session, run_id)


def list_runs(session: Session, round_id: str, limit: int, offset: int) -> Rows[Run]:
    """A round's runs, newest first (NotFound when there is no such round)."""
    find_round(session, round_id)
    where = Run.round_id == round_id
    total = session.scalar(select(func.count()).select_from(Run).where(where)) or 0
    rows = session.scalars(select(Run).where(where).order_by(Run.created_at.desc(), Run.id).limit(limit).offset(offset))
    return Rows(list(rows), total)


def list_decisions(session: Session, run_id: str, limit: int, offset: int) -> Rows[Decision]:
    """A run's decisions in rank order (unranked last, by application id)."""
    run = find_run(session, run_id)
    rows = session.scalars(
        select(Decision).where(Decision.run_id == run_id).order_by(Decision.position).limit(limit).offset(offset)
    )
    return Rows(list(rows), run.considered)


def latest_decision(session: Session, application_id: str, principal: Principal) -> tuple[Decision, Run]:
    """The newest committed decision on an application and its run; applicants see only their organisation's."""
    found = session.execute(
        select(Decision, Run)
        .join(Run, Run.id == Decision.run_id)
        .where(Decision.application_id == application_id, Decision.committed.is_(True))
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(1)
    ).first()
    staff = principal.has(Role.OPERATOR, Role.ASSESSOR, Role.INTEGRATOR)
    if found is None or not (staff or found[0].organisation_id == principal.organisation_id):
        raise NotFound(
            f"No committed run has decided application {application_id} yet.",
            code="decision-not-found",
            title="No committed decision",
        )
    return found[0], found[1]


def list_pool(
    session: Session, limit: int, offset: int, grant_type: str = "main"
) -> Rows[tuple[AssessedApplication, Partnership | None]]:
    """The pool a round of the grant type would decide now (assessed, not withdrawn, not awarded), by application id."""
    query = pool_query(grant_type)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.limit(limit).offset(offset))
    return Rows([(row, partnership) for row, partnership in rows], total)


def registry_vintages(session: Session) -> tuple[str | None, list[RegistryVintage]]:
    """The inputs hash of the vintage in force, and the newest announced vintages, newest first."""
    current = in_force(session)
    newest_first = (RegistryVintage.loaded_at.desc(), RegistryVintage.inputs_hash.desc())
    rows = session.scalars(select(RegistryVintage).order_by(*newest_first).limit(NEWEST_VINTAGES))
    return (current.inputs_hash if current else None), list(rows)
