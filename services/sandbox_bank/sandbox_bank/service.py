"""Payment creation with idempotency keys, and reads that settle lazily first."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.errors import Conflict

from .behaviours import plan, take_next
from .config import Settings
from .db import transaction
from .models import Payment
from .schemas import PayeeAccountOut, PaymentIn, PaymentOut
from .settlement import locked_now, sweep


class IdempotencyConflict(Conflict):
    """The idempotency key was already used with a different request body."""

    default_code = "idempotency-key-reused"
    default_title = "Conflict"


@dataclass(frozen=True)
class Outcome:
    """The HTTP answer to a create: the first response, and whether this is a replay of it."""

    status_code: int
    payment_id: str
    body: str
    replayed: bool
    response_delay_seconds: float = 0.0


def request_hash(payment_in: PaymentIn) -> str:
    """A fingerprint of the validated request body (formatting and key order do not matter)."""
    return hashlib.sha256(payment_in.model_dump_json().encode()).hexdigest()


def to_out(payment: Payment) -> PaymentOut:
    """The public view of a payment."""
    return PaymentOut(
        payment_id=payment.id,
        idempotency_key=payment.idempotency_key,
        status=payment.status,
        amount_pence=payment.amount_pence,
        currency=payment.currency,
        payee_account=PayeeAccountOut(
            name=payment.payee_name,
            sort_code=payment.payee_sort_code,
            account_number=payment.payee_account_number,
        ),
        reference=payment.reference,
        created_at=payment.created_at,
        settled_at=payment.settled_at,
        returned_at=payment.returned_at,
        failure_reason=payment.failure_reason,
        return_reason=payment.return_reason,
    )


def find_by_key(session: Session, key: str) -> Payment | None:
    """The payment created for an idempotency key, if any."""
    return session.scalars(select(Payment).where(Payment.idempotency_key == key)).first()


def _replay(existing: Payment, fingerprint: str) -> Outcome:
    if existing.request_hash != fingerprint:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different request body")
    return Outcome(existing.first_response_status, existing.id, existing.first_response_body, replayed=True)


def create_or_replay(factory: sessionmaker[Session], settings: Settings, key: str, data: PaymentIn) -> Outcome:
    """Create the payment for ``key`` once; a repeat with the same body gets the first response back."""
    fingerprint = request_hash(data)
    try:
        with transaction(factory) as session:
            now = locked_now(session)
            existing = find_by_key(session, key)
            if existing is not None:
                return _replay(existing, fingerprint)
            injection = take_next(session, data.reference)
            fate = plan(injection, now, settings)
            payment = Payment(
                id=f"pay_{uuid.uuid4().hex}",
                idempotency_key=key,
                request_hash=fingerprint,
                amount_pence=fate.amount(data.amount_pence),  # what was asked, unless told to alter it
                currency=data.currency,
                payee_name=data.payee_account.name,
                payee_sort_code=data.payee_account.sort_code,
                payee_account_number=data.payee_account.account_number,
                reference=data.reference,
                status=fate.status,
                behaviour=injection.behaviour if injection else None,
                failure_reason=fate.failure_reason,
                created_at=now,
                settle_due_at=fate.settle_due_at,
                return_due_at=fate.return_due_at,
                first_response_status=201,
            )
            payment.first_response_body = to_out(payment).model_dump_json()
            session.add(payment)
            session.flush()  # the UNIQUE key is checked here
            return Outcome(
                201,
                payment.id,
                payment.first_response_body,
                replayed=False,
                response_delay_seconds=fate.response_delay_seconds,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race; its payment is the only one.
        with transaction(factory) as session:
            existing = find_by_key(session, key)
            if existing is None:
                raise
            return _replay(existing, fingerprint)


def read_payment(
    factory: sessionmaker[Session], *, payment_id: str | None = None, key: str | None = None
) -> PaymentOut | None:
    """Settle whatever is due, then read one payment by id or by idempotency key."""
    with transaction(factory) as session:
        sweep(session, locked_now(session))
        payment = session.get(Payment, payment_id) if payment_id is not None else find_by_key(session, key or "")
        return None if payment is None else to_out(payment)
