"""Read models for the API: grants with their tranches and paid figure, tranches, payment instructions, variations."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc, today
from payments.adapters.orm import Grant, Partnership, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Variation
from payments.adapters.records import partnership_compliant, variation_record
from payments.domain.release_conditions import PARTNERSHIP_COMPLIANT, evaluate
from payments.domain.release_rules import ReleasePolicy, release_waits
from payments.domain.statuses import SETTLED, TRANCHE_CANCELLED, TRANCHE_SCHEDULED, UNRELEASED


def approval_view(tranche: Tranche) -> dict[str, Any] | None:
    """What the second person decides on: the amount, who asked, the policy, and any payee change (old and new)."""
    if tranche.released_by is None:
        return None
    change = tranche.pending_change or {}
    return {
        "kind": change.get("kind", "release"),
        "second_person_needed": tranche.amount_pence > (tranche.threshold_pence or 0) or bool(change),
        "requested_by": tranche.released_by,
        "amount_pence": tranche.amount_pence,
        "threshold_pence": tranche.threshold_pence,
        "policy_version": tranche.policy_version,
        "payee_change": change.get("payee"),
    }


def waits_view(
    tranche: Tranche, unmet: list[str], previous: tuple[int, str] | None, policy: ReleasePolicy | None, on: date
) -> list[dict[str, str]]:
    """Why a scheduled tranche with its conditions met is not released yet (its window, the tranche before it)."""
    if policy is None or tranche.status != TRANCHE_SCHEDULED or unmet:
        return []
    waits = release_waits(policy, due_on=tranche.due_on, today=on, previous=previous)
    return [{"code": w.code, "detail": w.detail} for w in waits]


def tranche_view(
    tranche: Tranche,
    partnership_compliant: bool,
    *,
    policy: ReleasePolicy | None = None,
    previous: tuple[int, str] | None = None,
) -> dict[str, Any]:
    """The public view of a tranche; unmet conditions (and, with the policy, what else it waits for) until released."""
    facts = {**tranche.facts, PARTNERSHIP_COMPLIANT: partnership_compliant}
    unmet = evaluate(tranche.conditions, facts) if tranche.status in UNRELEASED else []
    return {
        "tranche_id": tranche.tranche_id,
        "grant_id": tranche.grant_id,
        "number": tranche.number,
        "of_tranches": tranche.of_tranches,
        "due_on": tranche.due_on.isoformat(),
        "amount_pence": tranche.amount_pence,
        "status": tranche.status,
        "held_reasons": [h["reason"] for h in tranche.holds],
        "conditions": tranche.conditions,
        "unmet_conditions": unmet,
        "released_by": tranche.released_by,
        "approved_by": tranche.approved_by,
        "approval": approval_view(tranche),
        "waiting_for": waits_view(tranche, unmet, previous, policy, today()),
    }


def previous_statuses(tranches: list[Tranche]) -> dict[str, tuple[int, str] | None]:
    """For each of one grant's tranches, the number and status of the one before it (cancelled ones aside)."""
    live = sorted((t for t in tranches if t.status != TRANCHE_CANCELLED), key=lambda t: t.number)
    before = {t.tranche_id: (p.number, p.status) for p, t in zip(live, live[1:], strict=False)}
    return {t.tranche_id: before.get(t.tranche_id) for t in tranches}


def _grant_view(
    grant: Grant, tranches: list[Tranche], paid: int, compliant: bool, policy: ReleasePolicy | None
) -> dict[str, Any]:
    previous = previous_statuses(tranches)
    return {
        "grant_id": grant.grant_id,
        "application_id": grant.application_id,
        "organisation_id": grant.organisation_id,
        "partnership_id": grant.partnership_id,
        "round_id": grant.round_id,
        "neighbourhood_code": grant.neighbourhood_code,
        "region_code": grant.region_code,
        "amount_pence": grant.amount_pence,
        "paid_pence": paid,
        "status": grant.status,
        "duration_months": grant.duration_months,
        "awarded_at": as_utc(grant.awarded_at),
        "completed_at": grant.completed_at and as_utc(grant.completed_at),
        "demonstration": bool(grant.demonstration),
        "tranches": [
            tranche_view(t, compliant, policy=policy, previous=previous[t.tranche_id])
            for t in sorted(tranches, key=lambda t: t.number)
        ],
    }


def _paid_by_grant(session: Session, grant_ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(PaymentInstruction.grant_id, func.sum(PaymentInstruction.amount_pence))
        .where(PaymentInstruction.grant_id.in_(grant_ids), PaymentInstruction.status == SETTLED)
        .group_by(PaymentInstruction.grant_id)
    )
    return {grant_id: int(total) for grant_id, total in rows}


def grant_views(session: Session, grants: list[Grant], policy: ReleasePolicy | None = None) -> list[dict[str, Any]]:
    """Views of several grants, with three queries in all."""
    ids = [g.grant_id for g in grants]
    tranches: dict[str, list[Tranche]] = defaultdict(list)
    for tranche in session.scalars(select(Tranche).where(Tranche.grant_id.in_(ids))):
        tranches[tranche.grant_id].append(tranche)
    paid = _paid_by_grant(session, ids)
    partnership_ids = {g.partnership_id for g in grants}
    non_compliant = set(
        session.scalars(
            select(Partnership.partnership_id).where(
                Partnership.partnership_id.in_(partnership_ids), Partnership.compliant.is_(False)
            )
        )
    )
    return [
        _grant_view(g, tranches[g.grant_id], paid.get(g.grant_id, 0), g.partnership_id not in non_compliant, policy)
        for g in grants
    ]


def page_of_grants(
    session: Session,
    *,
    organisation_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
    policy: ReleasePolicy | None = None,
) -> dict[str, Any]:
    """A page of grants, newest award first; only one organisation's when `organisation_id` is given."""
    query = select(Grant)
    if organisation_id is not None:
        query = query.where(Grant.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Grant.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    grants = list(session.scalars(query.order_by(Grant.awarded_at.desc(), Grant.grant_id).limit(limit).offset(offset)))
    return {"items": grant_views(session, grants, policy), "total": int(total), "limit": limit, "offset": offset}


def instruction_view(ins: PaymentInstruction) -> dict[str, Any]:
    """The public view of a payment instruction."""
    names = (
        "instruction_id",
        "grant_id",
        "tranche_id",
        "attempt",
        "amount_pence",
        "status",
        "provider",
        "provider_payment_id",
        "reference",
        "failure_reason",
        "return_reason",
        "created_at",
        "instructed_at",
        "settled_at",
        "failed_at",
        "returned_at",
    )
    values = {name: getattr(ins, name) for name in names}
    return {name: as_utc(v) if isinstance(v, datetime) else v for name, v in values.items()}


def page_of_instructions(
    session: Session, *, status: str | None, grant_id: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """A page of payment instructions, oldest first."""
    query = select(PaymentInstruction)
    if status is not None:
        query = query.where(PaymentInstruction.status == status)
    if grant_id is not None:
        query = query.where(PaymentInstruction.grant_id == grant_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.scalars(
        query.order_by(PaymentInstruction.created_at, PaymentInstruction.instruction_id).limit(limit).offset(offset)
    )
    return {"items": [instruction_view(i) for i in rows], "total": int(total), "limit": limit, "offset": offset}


def tranche_answer(session: Session, tranche: Tranche, policy: ReleasePolicy | None = None) -> dict[str, Any]:
    """The view of a tranche with its partnership's compliance and what it waits for (what a tranche action answers)."""
    grant = session.get(Grant, tranche.grant_id)
    assert grant is not None, "a tranche always belongs to a grant"
    siblings = list(session.scalars(select(Tranche).where(Tranche.grant_id == tranche.grant_id)))
    previous = previous_statuses(siblings).get(tranche.tranche_id)
    return tranche_view(tranche, partnership_compliant(session, grant.partnership_id), policy=policy, previous=previous)


def variations_of(session: Session, grant_id: str) -> list[dict[str, Any]]:
    """A grant's variations, oldest first."""
    rows = session.scalars(
        select(Variation).where(Variation.grant_id == grant_id).order_by(Variation.requested_at, Variation.variation_id)
    )
    return [variation_record(v) for v in rows]
