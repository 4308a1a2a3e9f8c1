"""Read models for the API: grants with their tranches and paid figure, tranches, payment instructions, variations."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from payments.adapters.orm import Grant, Partnership, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Variation
from payments.adapters.records import partnership_compliant, variation_record
from payments.domain.release_conditions import PARTNERSHIP_COMPLIANT, evaluate
from payments.domain.statuses import SETTLED, UNRELEASED


def tranche_view(tranche: Tranche, partnership_compliant: bool) -> dict[str, Any]:
    """The public view of a tranche; unmet conditions are shown while it is not released."""
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
    }


def _grant_view(grant: Grant, tranches: list[Tranche], paid: int, compliant: bool) -> dict[str, Any]:
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
        "tranches": [tranche_view(t, compliant) for t in sorted(tranches, key=lambda t: t.number)],
    }


def _paid_by_grant(session: Session, grant_ids: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(PaymentInstruction.grant_id, func.sum(PaymentInstruction.amount_pence))
        .where(PaymentInstruction.grant_id.in_(grant_ids), PaymentInstruction.status == SETTLED)
        .group_by(PaymentInstruction.grant_id)
    )
    return {grant_id: int(total) for grant_id, total in rows}


def grant_views(session: Session, grants: list[Grant]) -> list[dict[str, Any]]:
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
        _grant_view(g, tranches[g.grant_id], paid.get(g.grant_id, 0), g.partnership_id not in non_compliant)
        for g in grants
    ]


def page_of_grants(
    session: Session, *, organisation_id: str | None, status: str | None, limit: int, offset: int
) -> dict[str, Any]:
    """A page of grants, newest award first; only one organisation's when `organisation_id` is given."""
    query = select(Grant)
    if organisation_id is not None:
        query = query.where(Grant.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Grant.status == status)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    grants = list(session.scalars(query.order_by(Grant.awarded_at.desc(), Grant.grant_id).limit(limit).offset(offset)))
    return {"items": grant_views(session, grants), "total": int(total), "limit": limit, "offset": offset}


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


def tranche_answer(session: Session, tranche: Tranche) -> dict[str, Any]:
    """The view of a tranche with its partnership's compliance (what a tranche action answers)."""
    grant = session.get(Grant, tranche.grant_id)
    assert grant is not None, "a tranche always belongs to a grant"
    return tranche_view(tranche, partnership_compliant(session, grant.partnership_id))


def variations_of(session: Session, grant_id: str) -> list[dict[str, Any]]:
    """A grant's variations, oldest first."""
    rows = session.scalars(
        select(Variation).where(Variation.grant_id == grant_id).order_by(Variation.requested_at, Variation.variation_id)
    )
    return [variation_record(v) for v in rows]
