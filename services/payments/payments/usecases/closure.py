"""Early closure of a grant: cancel what is unpaid, release the unspent commitment to the fund, announce it."""

from typing import Any

from sqlalchemy import select

from grants_shared.clock import Clock
from grants_shared.events import GrantClosed, GrantCompleted
from grants_shared.uow import UnitOfWork
from payments.adapters.ledger_store import account_balance, post_once, posting_key
from payments.adapters.lifecycle import move_grant, move_instructions_of_grant, move_tranche
from payments.adapters.orm import Grant, PaymentInstruction, Tranche
from payments.adapters.orm_variations import Variation
from payments.domain.accounts import grant_commitment
from payments.domain.grant_state import GrantEvent
from payments.domain.instruction_state import InstructionEvent
from payments.domain.ledger import TransactionKind, release_commitment
from payments.domain.statuses import CANCELLABLE, IN_FLIGHT
from payments.domain.tranche_state import TrancheEvent
from payments.usecases.errors import PaymentsInFlight
from payments.usecases.settlement import paid_pence


def apply_closure(
    uow: UnitOfWork, grant: Grant, variation: Variation, *, approved_by: str, clock: Clock
) -> dict[str, Any]:
    """Close the grant early; refused (`PaymentsInFlight`) while a payment is on its way to or at the bank."""
    in_flight = uow.session.scalars(
        select(PaymentInstruction.instruction_id).where(
            PaymentInstruction.grant_id == grant.grant_id, PaymentInstruction.status.in_(IN_FLIGHT)
        )
    ).all()
    if in_flight:
        raise PaymentsInFlight(f"{len(in_flight)} instruction(s) not settled or failed yet: approve it after.")
    at = clock()
    cancelled = list(
        uow.session.scalars(
            select(Tranche)
            .where(Tranche.grant_id == grant.grant_id, Tranche.status.in_(CANCELLABLE))
            .order_by(Tranche.number)
            .with_for_update()
        )
    )
    for tranche in cancelled:
        move_tranche(tranche, TrancheEvent.CANCEL)
        tranche.holds, tranche.updated_at = [], at
    move_instructions_of_grant(uow.session, grant.grant_id, InstructionEvent.CANCEL)
    unspent = -account_balance(uow.session, grant_commitment(grant.grant_id))
    if unspent > 0:
        post_once(
            uow.session,
            posting_key(TransactionKind.RELEASE, f"{grant.grant_id}:closure"),
            lambda tid: release_commitment(grant.grant_id, unspent, transaction_id=tid, effective_at=at),
        )
    paid = paid_pence(uow, grant.grant_id)
    move_grant(grant, GrantEvent.CLOSE)
    grant.completed_at = at
    ids = [t.tranche_id for t in cancelled]
    uow.emit(
        GrantClosed(
            grant_id=grant.grant_id,
            variation_id=variation.variation_id,
            awarded_pence=grant.amount_pence,
            paid_pence=paid,
            released_pence=max(unspent, 0),
            cancelled_tranche_ids=ids,
            reason=variation.reason,
            requested_by=variation.requested_by,
            approved_by=approved_by,
            closed_at=at,
        ),
        subject=grant.grant_id,
    )
    # GrantCompleted promises "every tranche paid, or the grant closed early": its consumers learn the end here.
    uow.emit(
        GrantCompleted(grant_id=grant.grant_id, awarded_pence=grant.amount_pence, paid_pence=paid, completed_at=at),
        subject=grant.grant_id,
    )
    return {"released_pence": max(unspent, 0), "paid_pence": paid, "cancelled_tranche_ids": ids}
