"""Read use cases: rounds, runs, a run's decisions and an application's latest committed decision."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allocation.adapters.orm import Decision, Round, Run
from allocation.handlers.rounds import find_round
from allocation.views import application_decision_view, decision_view, page, round_view, run_summary_view
from grants_shared.auth import Principal, Role
from grants_shared.http.problems import Problem


def list_rounds(session: Session, limit: int, offset: int) -> dict[str, Any]:
    """Rounds, newest first."""
    total = session.scalar(select(func.count()).select_from(Round)) or 0
    rows = session.scalars(select(Round).order_by(Round.opened_at.desc(), Round.id).limit(limit).offset(offset))
    return page([round_view(r) for r in rows], total, limit, offset)


def get_round(session: Session, round_id: str) -> dict[str, Any]:
    """One round (404 problem when there is none)."""
    return round_view(find_round(session, round_id))


def find_run(session: Session, run_id: str) -> Run:
    """One run (404 problem when there is none)."""
    run = session.get(Run, run_id)
    if run is None:
        raise Problem(404, "run-not-found", "No such run", f"There is no run {run_id}.")
    return run


def get_run(session: Session, run_id: str) -> dict[str, Any]:
    """A run's summary: hashes and totals."""
    return run_summary_view(find_run(session, run_id))


def list_runs(session: Session, round_id: str, limit: int, offset: int) -> dict[str, Any]:
    """A round's runs, newest first (404 problem when there is no such round)."""
    find_round(session, round_id)
    where = Run.round_id == round_id
    total = session.scalar(select(func.count()).select_from(Run).where(where)) or 0
    rows = session.scalars(select(Run).where(where).order_by(Run.created_at.desc(), Run.id).limit(limit)
                           .offset(offset))
    return page([run_summary_view(r) for r in rows], total, limit, offset)


def list_decisions(session: Session, run_id: str, limit: int, offset: int) -> dict[str, Any]:
    """A run's decisions in rank order (unranked last, by application id)."""
    run = find_run(session, run_id)
    rows = session.scalars(
        select(Decision).where(Decision.run_id == run_id).order_by(Decision.position).limit(limit).offset(offset)
    )
    return page([decision_view(d) for d in rows], run.considered, limit, offset)


def latest_decision(session: Session, application_id: str, principal: Principal) -> dict[str, Any]:
    """The newest committed decision on an application; applicants see only their organisation's."""
    found = session.execute(
        select(Decision, Run)
        .join(Run, Run.id == Decision.run_id)
        .where(Decision.application_id == application_id, Decision.committed.is_(True))
        .order_by(Run.created_at.desc(), Run.id.desc())
        .limit(1)
    ).first()
    staff = principal.has(Role.OPERATOR, Role.ASSESSOR, Role.INTEGRATOR)
    if found is None or not (staff or found[0].organisation_id == principal.organisation_id):
        raise Problem(404, "decision-not-found", "No committed decision",
                      f"No committed run has decided application {application_id} yet.")
    return application_decision_view(found[0], found[1])
