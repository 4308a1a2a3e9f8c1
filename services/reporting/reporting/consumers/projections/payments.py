"""Projections of tranches and payments: each settlement and return counted once, keyed by instruction."""

from datetime import datetime
from functools import cache
from typing import Any, TypeAlias, cast

from sqlalchemy import Table, Update, bindparam, update
from sqlalchemy.orm import Session

from grants_shared.clock import as_utc
from grants_shared.delivery import NotReady, awaiting
from grants_shared.events import (
    Envelope,
    PaymentFailed,
    PaymentInstructed,
    PaymentReturned,
    PaymentSettled,
    TrancheHeld,
    TrancheReleased,
    TrancheScheduled,
)
from reporting.adapters.orm import Grant, Payment, Tranche
from reporting.adapters.rows import exists, expire_one, insert_later
from reporting.consumers.projections.funding import require_grant
from reporting.consumers.projections.public import record_hold
from reporting.consumers.projections.status import advance_tranche
from reporting.domain.status import TRANCHE_RANKS

PaymentEvent: TypeAlias = PaymentInstructed | PaymentSettled | PaymentFailed | PaymentReturned


def tranche_scheduled(envelope: Envelope[TrancheScheduled], session: Session) -> None:
    """Record a scheduled tranche (once per tranche id)."""
    p = envelope.payload
    insert_later(
        session,
        Tranche,
        {
            "tranche_id": p.tranche_id,
            "grant_id": p.grant_id,
            "number": p.number,
            "of_tranches": p.of_tranches,
            "due_on": p.due_on,
            "amount_pence": p.amount_pence,
            "status": "scheduled",
            "status_rank": TRANCHE_RANKS["scheduled"],
            "status_at": as_utc(envelope.occurred_at),
        },
    )


def tranche_moved(envelope: Envelope[TrancheReleased] | Envelope[TrancheHeld], session: Session) -> None:
    """A tranche was released or held; waits for its TrancheScheduled."""
    status = "released" if isinstance(envelope.payload, TrancheReleased) else "held"
    _require_tranche(session, envelope.payload.tranche_id, envelope.event_type)
    advance_tranche(session, envelope.payload.tranche_id, status, envelope.occurred_at)
    if isinstance(envelope.payload, TrancheHeld):
        record_hold(session, envelope.payload)


def payment_instructed(envelope: Envelope[PaymentInstructed], session: Session) -> None:
    """The provider accepted an instruction for a tranche."""
    _payment(session, envelope.payload, envelope.event_type)
    advance_tranche(session, envelope.payload.tranche_id, "instructed", envelope.occurred_at)


def payment_failed(envelope: Envelope[PaymentFailed], session: Session) -> None:
    """A payment failed: nothing left the fund."""
    p = envelope.payload
    _payment(session, p, envelope.event_type)
    _stamp(session, p.instruction_id, "failed_at", p.failed_at)
    advance_tranche(session, p.tranche_id, "failed", envelope.occurred_at)


def payment_settled(envelope: Envelope[PaymentSettled], session: Session) -> None:
    """Money left the fund: add it to the grant's paid total once per instruction."""
    p = envelope.payload
    require_grant(session, p.grant_id, envelope.event_type)
    _payment(session, p, envelope.event_type)
    if _stamp(session, p.instruction_id, "settled_at", p.settled_at):
        _add(session, p.grant_id, "paid_pence", p.amount_pence)
    advance_tranche(session, p.tranche_id, "settled", envelope.occurred_at)


def payment_returned(envelope: Envelope[PaymentReturned], session: Session) -> None:
    """A settled payment came back: add it to the grant's returned total once per instruction."""
    p = envelope.payload
    payment = session.get(Payment, p.instruction_id)
    if payment is None or payment.settled_at is None:
        raise NotReady(
            f"payment-returned for instruction {p.instruction_id} before its payment-settled",
            waits_for=awaiting("instruction_id", p.instruction_id),
        )
    if _stamp(session, p.instruction_id, "returned_at", p.returned_at):
        _add(session, p.grant_id, "returned_pence", p.amount_pence)
    advance_tranche(session, p.tranche_id, "returned", envelope.occurred_at)


def _require_tranche(session: Session, tranche_id: str, event_type: str) -> None:
    if not exists(session, Tranche, tranche_id):
        raise NotReady(
            f"{event_type} for tranche {tranche_id} before its tranche-scheduled",
            waits_for=awaiting("tranche_id", tranche_id),
        )


def _payment(session: Session, p: PaymentEvent, event_type: str) -> None:
    _require_tranche(session, p.tranche_id, event_type)
    insert_later(
        session,
        Payment,
        {
            "instruction_id": p.instruction_id,
            "grant_id": p.grant_id,
            "tranche_id": p.tranche_id,
            "amount_pence": p.amount_pence,
        },
    )


@cache
def _stamp_statement(column: str) -> Update:
    # Conditional on the stamp being empty: exactly one event per instruction gets to move the money.
    table = cast(Table, Payment.__table__)
    return (
        update(table)
        .where(table.c.instruction_id == bindparam("key"), table.c[column].is_(None))
        .values({column: bindparam("at", type_=table.c[column].type)})
    )


@cache
def _add_statement(column: str) -> Update:
    table = cast(Table, Grant.__table__)
    return (
        update(table).where(table.c.grant_id == bindparam("key")).values({column: table.c[column] + bindparam("pence")})
    )


def _stamp(session: Session, instruction_id: str, column: str, at: datetime) -> bool:
    result = session.execute(_stamp_statement(column), {"key": instruction_id, "at": as_utc(at)})
    expire_one(session, Payment, instruction_id)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _add(session: Session, grant_id: str, column: str, pence: int) -> None:
    session.execute(_add_statement(column), {"key": grant_id, "pence": pence})
    expire_one(session, Grant, grant_id)


HANDLERS: dict[type[Any], Any] = {
    TrancheScheduled: tranche_scheduled,
    TrancheReleased: tranche_moved,
    TrancheHeld: tranche_moved,
    PaymentInstructed: payment_instructed,
    PaymentFailed: payment_failed,
    PaymentSettled: payment_settled,
    PaymentReturned: payment_returned,
}
