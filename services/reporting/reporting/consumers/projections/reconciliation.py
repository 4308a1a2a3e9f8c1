"""Projection of reconciliation differences: raised by payments, open until payments says they are resolved."""

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.delivery import NotReady, awaiting
from grants_shared.events import Envelope, ReconciliationDifferenceFound, ReconciliationDifferenceResolved
from reporting.adapters.orm import ReconciliationDifference


def difference_found(envelope: Envelope[ReconciliationDifferenceFound], session: Session) -> None:
    """Record a difference (once per difference id)."""
    p = envelope.payload
    if session.get(ReconciliationDifference, p.difference_id) is not None:
        return
    session.add(
        ReconciliationDifference(
            difference_id=p.difference_id,
            kind=p.kind,
            provider_payment_id=p.provider_payment_id,
            instruction_id=p.instruction_id,
            grant_id=p.grant_id,
            tranche_id=p.tranche_id,
            bank_amount_pence=p.bank_amount_pence,
            ledger_amount_pence=p.ledger_amount_pence,
            detail=p.detail,
            found_at=as_utc(p.found_at),
        )
    )
    session.flush()


def difference_resolved(envelope: Envelope[ReconciliationDifferenceResolved], session: Session) -> None:
    """Close a difference, with who (or "reconciliation") and why; waits for its ReconciliationDifferenceFound."""
    p = envelope.payload
    if session.get(ReconciliationDifference, p.difference_id) is None:
        raise NotReady(
            f"difference {p.difference_id} resolved before it was found here",
            waits_for=awaiting("difference_id", p.difference_id),
        )
    session.execute(
        update(ReconciliationDifference)
        .where(
            ReconciliationDifference.difference_id == p.difference_id, ReconciliationDifference.resolved_at.is_(None)
        )
        .values(
            resolved_at=as_utc(p.resolved_at), resolved_by=p.resolved_by or "reconciliation", resolution_note=p.note
        )
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


HANDLERS: dict[type[Any], Any] = {
    ReconciliationDifferenceFound: difference_found,
    ReconciliationDifferenceResolved: difference_resolved,
}
