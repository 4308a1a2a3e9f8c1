"""Applying a re-profile: the remaining tranches re-spread (amounts, pattern), the ledger moved by the change."""

from typing import Any

from sqlalchemy import select

from grants_shared.clock import Clock
from grants_shared.clock import as_utc as utc
from grants_shared.events import GrantVaried, ScheduledTranche, TrancheScheduled
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import post_once, posting_key
from payments.adapters.orm import Grant, Partnership, Tranche
from payments.adapters.orm_variations import Variation
from payments.domain.ledger import TransactionKind, award_commitment, release_commitment
from payments.domain.release_rules import ReleasePolicy
from payments.domain.schedule import SchedulePattern, TrancheDue, add_months
from payments.domain.statuses import HOLD_PARTNERSHIP, TRANCHE_CANCELLED, TRANCHE_SCHEDULED, UNRELEASED
from payments.domain.variation import Reprofiled, VariationError, reprofile_remaining
from payments.usecases.awards import WORKER, partnership_reason, tranche_id_of
from payments.usecases.budgets import require_headroom
from payments.usecases.errors import VariationNotApplicable
from payments.usecases.releases import add_hold, conditions_for, review, snapshot

K = TransactionKind


def plan_reprofile(uow: UnitOfWork, grant: Grant, new_total: int, pattern: SchedulePattern | None) -> Reprofiled:
    """The re-profile as it would apply to the grant now (`VariationNotApplicable` when it cannot)."""
    tranches = _live_tranches(uow, grant.grant_id)
    remaining = [TrancheDue(t.number, t.due_on, t.amount_pence) for t in tranches if t.status in UNRELEASED]
    committed = sum(t.amount_pence for t in tranches if t.status not in UNRELEASED)
    ends_on = add_months(utc(grant.awarded_at).date(), grant.duration_months)
    try:
        return reprofile_remaining(
            remaining,
            last_number=max((t.number for t in tranches), default=0),
            committed_pence=committed,
            new_total_pence=new_total,
            pattern=pattern,
            ends_on=ends_on,
        )
    except VariationError as error:
        raise VariationNotApplicable(str(error)) from error


def _live_tranches(uow: UnitOfWork, grant_id: str) -> list[Tranche]:
    return list(
        uow.session.scalars(
            select(Tranche)
            .where(Tranche.grant_id == grant_id, Tranche.status != TRANCHE_CANCELLED)
            .order_by(Tranche.number)
            .with_for_update()
        )
    )


def apply_reprofile(
    uow: UnitOfWork,
    grant: Grant,
    variation: Variation,
    pattern: SchedulePattern | None,
    *,
    approved_by: str | None,
    policy: ReleasePolicy,
    clock: Clock,
) -> dict[str, Any]:
    """Re-spread the remaining tranches, post the change of commitment, announce the new schedule."""
    previous = grant.amount_pence
    new_total = variation.new_total_pence or previous
    plan = plan_reprofile(uow, grant, new_total, pattern)
    if new_total > previous:
        require_headroom(uow.session, grant.round_id, new_total - previous)
    rows = {t.number: t for t in _live_tranches(uow, grant.grant_id)}
    removed_ids = [rows[n].tranche_id for n in plan.removed]
    for number in plan.removed:
        uow.audit(
            actor=approved_by or variation.requested_by,
            action="tranche.removed-by-variation",
            entity_type="tranche",
            entity_id=rows[number].tranche_id,
            before=snapshot(rows[number]),
        )
    for number in plan.removed:  # never released, so nothing of theirs was ever at the bank or in the ledger
        uow.session.delete(rows[number])
    uow.session.flush()
    of_tranches = max([n for n in rows if n not in plan.removed] + [t.number for t in plan.tranches])
    touched = [
        _put(uow, grant, rows.get(due.number), due, variation.variation_id, of_tranches, clock) for due in plan.tranches
    ]
    for row in rows.values():
        if row.number not in plan.removed:
            row.of_tranches = of_tranches
    _post_change(uow, grant, variation.variation_id, new_total - previous, clock)
    grant.amount_pence = new_total
    uow.emit(
        GrantVaried(
            grant_id=grant.grant_id,
            variation_id=variation.variation_id,
            previous_total_pence=previous,
            new_total_pence=new_total,
            pattern=variation.pattern,
            requested_by=variation.requested_by,
            approved_by=approved_by,
            cancelled_tranche_ids=removed_ids,
            varied_at=clock(),
            remaining_tranches=[
                ScheduledTranche(tranche_id=t.tranche_id, number=t.number, due_on=t.due_on, amount_pence=t.amount_pence)
                for t in touched
            ],
        ),
        subject=grant.grant_id,
    )
    for row in touched:
        review(uow, grant, row, actor=approved_by or variation.requested_by, policy=policy, clock=clock)
    return {
        "previous_total_pence": previous,
        "new_total_pence": new_total,
        "removed_tranche_ids": removed_ids,
        "remaining": [
            {
                "tranche_id": t.tranche_id,
                "number": t.number,
                "due_on": t.due_on.isoformat(),
                "amount_pence": t.amount_pence,
            }
            for t in touched
        ],
    }


def _put(
    uow: UnitOfWork,
    grant: Grant,
    row: Tranche | None,
    due: TrancheDue,
    variation_id: str,
    of_tranches: int,
    clock: Clock,
) -> Tranche:
    """Update a remaining tranche to its new date and amount, or add a new one (announced as scheduled)."""
    if row is not None:
        row.due_on, row.amount_pence, row.updated_at = due.due_on, due.amount_pence, clock()
        return row
    row = Tranche(
        tranche_id=tranche_id_of(grant.grant_id, due.number, variation_id),
        grant_id=grant.grant_id,
        number=due.number,
        of_tranches=of_tranches,
        due_on=due.due_on,
        amount_pence=due.amount_pence,
        status=TRANCHE_SCHEDULED,
        conditions=conditions_for(due.number),
        facts={},
        holds=[],
        updated_at=clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    uow.emit(
        TrancheScheduled(
            grant_id=grant.grant_id,
            tranche_id=row.tranche_id,
            number=row.number,
            of_tranches=of_tranches,
            due_on=row.due_on,
            amount_pence=row.amount_pence,
        ),
        subject=grant.grant_id,
    )
    partnership = uow.session.get(Partnership, grant.partnership_id)
    if partnership is not None and not partnership.compliant:
        add_hold(uow, grant, row, HOLD_PARTNERSHIP, partnership_reason(partnership.reasons), WORKER, clock)
    return row


def _post_change(uow: UnitOfWork, grant: Grant, variation_id: str, delta: int, clock: Clock) -> None:
    """More money: Dr fund_awarded, Cr the commitment; less: the unneeded commitment released back."""
    if delta == 0:
        return
    kind, build = (K.AWARD, award_commitment) if delta > 0 else (K.RELEASE, release_commitment)
    at = clock()
    post_once(
        uow.session,
        posting_key(kind, f"{grant.grant_id}:variation:{variation_id}"),
        lambda tid: build(grant.grant_id, abs(delta), transaction_id=tid, effective_at=at),
    )
