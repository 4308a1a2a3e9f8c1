"""Release conditions people record (the signed agreement, the endorsed plan), and tranches falling due by date."""

from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock, today
from grants_shared.delivery.writer import Database
from grants_shared.http.problems import Problem
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, Tranche
from payments.domain.release_conditions import AGREEMENT_SIGNED, PLAN_ENDORSED
from payments.domain.statuses import GRANT_ACTIVE, TRANCHE_CANCELLED
from payments.read.queries import grant_views
from payments.usecases.releases import AUTO_RELEASER, review, snapshot


def load_grant(uow: UnitOfWork, grant_id: str) -> Grant:
    """The grant, locked (every writer locks the grant first); 404 problem when unknown."""
    grant = uow.session.get(Grant, grant_id, with_for_update=True)
    if grant is None:
        raise Problem(404, "grant-not-found", "No such grant", f"No grant {grant_id!r}.")
    return grant


def require_active(grant: Grant) -> None:
    """409 problem unless the grant is still being paid."""
    if grant.status != GRANT_ACTIVE:
        raise Problem(409, "grant-not-active", "The grant is not active", f"Grant {grant.grant_id} is {grant.status}.")


def _record_fact(
    uow: UnitOfWork, grant: Grant, fact: str, actor: str, detail: dict[str, Any], *, threshold: int, clock: Clock
) -> None:
    tranche = uow.session.scalars(
        select(Tranche).where(Tranche.grant_id == grant.grant_id, Tranche.number == 1,
                              Tranche.status != TRANCHE_CANCELLED).with_for_update()
    ).first()  # fmt: skip
    if tranche is None:
        raise Problem(409, "no-first-tranche", "The grant has no first tranche to release")
    if tranche.facts.get(fact) is True:
        raise Problem(409, f"{fact.replace('_', '-')}-already", "This condition is already recorded",
                      f"{fact} was recorded on grant {grant.grant_id} before.")  # fmt: skip
    before = snapshot(tranche)
    tranche.facts, tranche.updated_at = {**tranche.facts, fact: True}, clock()
    uow.audit(actor=actor, action=f"grant.{fact}", entity_type="grant", entity_id=grant.grant_id,
              before=before, after={**snapshot(tranche), **detail})  # fmt: skip
    # Whoever completes the conditions releases tranche 1: they may not also approve it.
    review(uow, grant, tranche, actor=actor, threshold=threshold, clock=clock)


def record_agreement(
    uow: UnitOfWork, grant_id: str, officer: Principal, *, signed_on: date, reference: str | None, threshold: int,
    clock: Clock,
) -> dict[str, Any]:  # fmt: skip
    """A finance officer records the grant agreement as signed: one of tranche 1's two conditions."""
    grant = load_grant(uow, grant_id)
    require_active(grant)
    detail = {"signed_on": signed_on.isoformat(), "reference": reference}
    _record_fact(uow, grant, AGREEMENT_SIGNED, officer.subject, detail, threshold=threshold, clock=clock)
    return grant_views(uow.session, [grant])[0]


def endorse_plan(
    uow: UnitOfWork, grant_id: str, assessor: Principal, *, note: str | None, threshold: int, clock: Clock
) -> dict[str, Any]:
    """An assessor endorses the partnership's plan: the other of tranche 1's two conditions."""
    grant = load_grant(uow, grant_id)
    require_active(grant)
    _record_fact(uow, grant, PLAN_ENDORSED, assessor.subject, {"note": note}, threshold=threshold, clock=clock)
    return grant_views(uow.session, [grant])[0]


def due_turn(db: Database, *, threshold: int, clock: Clock, batch: int = 200) -> int:
    """Review every scheduled tranche that has fallen due: held with the reasons, or released; returns the changes."""
    with db.reading() as session:
        rows = session.execute(
            select(Tranche.tranche_id, Tranche.grant_id).where(Tranche.status == "scheduled",
                                                               Tranche.due_on <= today(clock))
            .order_by(Tranche.due_on, Tranche.tranche_id).limit(batch)
        ).all()  # fmt: skip

    def review_one(uow: UnitOfWork, *, tranche_id: str, grant_id: str) -> bool:
        grant = uow.session.get(Grant, grant_id, with_for_update=True)
        tranche = uow.session.get(Tranche, tranche_id, with_for_update=True)
        if grant is None or tranche is None or grant.status != GRANT_ACTIVE or tranche.status != "scheduled":
            return False
        review(uow, grant, tranche, actor=AUTO_RELEASER, threshold=threshold, clock=clock)
        return tranche.status != "scheduled"

    return sum(db.transact(partial(review_one, tranche_id=t, grant_id=g)) for t, g in rows)
