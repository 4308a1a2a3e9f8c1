"""Release conditions and holds: the facts people record (the signed agreement, the endorsed plan), tranches
falling due by date, and a finance officer's hold and its lifting."""

from collections import defaultdict
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from grants_shared.auth import Principal
from grants_shared.clock import Clock, system_clock, today
from grants_shared.delivery.writer import Database
from grants_shared.grant_trace import grant_span
from grants_shared.people import same_person
from grants_shared.uow import UnitOfWork
from payments.adapters.orm import Grant, Tranche
from payments.domain.release_conditions import (
    AGREEMENT_SIGNED,
    FIRST_TRANCHE,
    PARTNERSHIP_COMPLIANT,
    PLAN_ENDORSED,
    evaluate,
)
from payments.domain.release_rules import GONE_AHEAD, ReleasePolicy
from payments.domain.statuses import (
    GRANT_ACTIVE,
    HOLD_MANUAL,
    HOLD_PARTNERSHIP,
    TRANCHE_CANCELLED,
    TRANCHE_SCHEDULED,
    UNRELEASED,
)
from payments.usecases.errors import (
    AlreadyReleased,
    ConditionAlready,
    ConditionsNeedTwoPeople,
    NoFirstTranche,
    NotHeldByFinance,
)
from payments.usecases.locking import load_grant, load_tranche, require_active
from payments.usecases.releases import AUTO_RELEASER, add_hold, lift_hold, review, snapshot


def _record_fact(
    uow: UnitOfWork,
    grant: Grant,
    fact: str,
    actor: str,
    detail: dict[str, Any],
    *,
    policy: ReleasePolicy,
    clock: Clock,
) -> None:
    tranche = uow.session.scalars(
        select(Tranche)
        .where(Tranche.grant_id == grant.grant_id, Tranche.number == 1, Tranche.status != TRANCHE_CANCELLED)
        .with_for_update()
    ).first()
    if tranche is None:
        raise NoFirstTranche()
    if tranche.facts.get(fact) is True:
        raise ConditionAlready(
            f"{fact} was recorded on grant {grant.grant_id} before.", code=f"{fact.replace('_', '-')}-already"
        )
    recorders = dict(tranche.fact_recorders or {})
    others = [who for name, who in recorders.items() if name != fact and name in FIRST_TRANCHE]
    if any(same_person(who, actor) for who in others):
        raise ConditionsNeedTwoPeople(f"{actor} recorded tranche 1's other condition: someone else records this one.")
    before = snapshot(tranche)
    tranche.facts, tranche.updated_at = {**tranche.facts, fact: True}, clock()
    tranche.fact_recorders = {**recorders, fact: actor}
    uow.audit(
        actor=actor,
        action=f"grant.{fact}",
        entity_type="grant",
        entity_id=grant.grant_id,
        before=before,
        after={**snapshot(tranche), **detail},
    )
    # Whoever completes the conditions releases tranche 1: they may not also approve it.
    review(uow, grant, tranche, actor=actor, policy=policy, clock=clock)


def record_agreement(
    uow: UnitOfWork,
    grant_id: str,
    officer: Principal,
    *,
    signed_on: date,
    reference: str | None,
    policy: ReleasePolicy,
    clock: Clock,
) -> Grant:
    """A finance officer records the grant agreement as signed: one of tranche 1's two conditions."""
    grant = load_grant(uow, grant_id)
    require_active(grant)
    detail = {"signed_on": signed_on.isoformat(), "reference": reference}
    _record_fact(uow, grant, AGREEMENT_SIGNED, officer.subject, detail, policy=policy, clock=clock)
    return grant


def endorse_plan(
    uow: UnitOfWork, grant_id: str, assessor: Principal, *, note: str | None, policy: ReleasePolicy, clock: Clock
) -> Grant:
    """An assessor endorses the partnership's plan: the other of tranche 1's two conditions."""
    grant = load_grant(uow, grant_id)
    require_active(grant)
    _record_fact(uow, grant, PLAN_ENDORSED, assessor.subject, {"note": note}, policy=policy, clock=clock)
    return grant


def _ready(row: Any, earlier: dict[str, list[tuple[int, str]]], policy: ReleasePolicy, on: date) -> bool:
    """Whether reviewing a scheduled tranche changes it now: due (held or released), or ready to go early."""
    if evaluate([c for c in row.conditions if c != PARTNERSHIP_COMPLIANT], row.facts):
        return bool(row.due_on <= on)  # unmet: held once due, else left to the condition's arrival
    before = [status for number, status in earlier.get(row.grant_id, []) if number < row.number]
    return on >= policy.earliest_release(row.due_on) and (not before or before[-1] in GONE_AHEAD)


def due_turn(db: Database, *, policy: ReleasePolicy, clock: Clock, batch: int = 200) -> int:
    """Review the scheduled tranches whose time has come (due, or inside the policy's lead time with their
    conditions met and the tranche before them gone): each is held with the reasons, or released."""
    on = today(clock)
    with db.reading() as session:
        rows = session.execute(
            select(
                Tranche.tranche_id, Tranche.grant_id, Tranche.number, Tranche.due_on, Tranche.conditions, Tranche.facts
            )
            .where(Tranche.status == TRANCHE_SCHEDULED, Tranche.due_on <= on + timedelta(days=policy.release_lead_days))
            .order_by(Tranche.due_on, Tranche.tranche_id)
        ).all()
        grant_ids = {r.grant_id for r in rows}
        earlier: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for grant_id, number, status in session.execute(
            select(Tranche.grant_id, Tranche.number, Tranche.status)
            .where(Tranche.grant_id.in_(grant_ids), Tranche.status != TRANCHE_CANCELLED)
            .order_by(Tranche.grant_id, Tranche.number)
        ):
            earlier[grant_id].append((number, status))
    chosen = [(r.tranche_id, r.grant_id) for r in rows if _ready(r, earlier, policy, on)][:batch]

    def review_one(uow: UnitOfWork, *, tranche_id: str, grant_id: str) -> bool:
        grant = uow.session.get(Grant, grant_id, with_for_update=True)
        tranche = uow.session.get(Tranche, tranche_id, with_for_update=True)
        if grant is None or tranche is None or grant.status != GRANT_ACTIVE or tranche.status != TRANCHE_SCHEDULED:
            return False
        review(uow, grant, tranche, actor=AUTO_RELEASER, policy=policy, clock=clock)
        return tranche.status != TRANCHE_SCHEDULED

    def review_traced(tranche_id: str, grant_id: str) -> bool:
        with grant_span("payments review tranche", grant_id, attributes={"tranche.id": tranche_id}):
            return db.transact(partial(review_one, tranche_id=tranche_id, grant_id=grant_id))

    return sum(review_traced(t, g) for t, g in chosen)


def hold(uow: UnitOfWork, tranche_id: str, reason: str, officer: Principal, clock: Clock = system_clock) -> Tranche:
    """A finance officer holds a tranche that is not released yet."""
    grant, tranche = load_tranche(uow, tranche_id)
    if tranche.status not in UNRELEASED:
        raise AlreadyReleased(f"Tranche {tranche_id} is {tranche.status}.")
    add_hold(uow, grant, tranche, HOLD_MANUAL, f"held by finance: {reason}", officer.subject, clock)
    return tranche


def resume(
    uow: UnitOfWork, tranche_id: str, officer: Principal, policy: ReleasePolicy, clock: Clock = system_clock
) -> Tranche:
    """Lift a finance hold; the tranche is released at once if its conditions are met."""
    grant, tranche = load_tranche(uow, tranche_id)
    kinds = {h["kind"] for h in tranche.holds} if tranche.status in UNRELEASED else set()
    if HOLD_MANUAL not in kinds:
        detail = (
            "It is held because its partnership does not comply; it resumes when the partnership complies again."
            if HOLD_PARTNERSHIP in kinds
            else f"Tranche {tranche_id} is {tranche.status}, not held by finance."
        )
        raise NotHeldByFinance(detail)
    lift_hold(uow, grant, tranche, HOLD_MANUAL, officer.subject, policy, clock)
    return tranche
