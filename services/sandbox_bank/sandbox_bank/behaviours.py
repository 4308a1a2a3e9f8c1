"""Failure injection: queue behaviours and consume them for the next matching new payments.

fail (refused at once as failed), timeout (recorded, answered late), return (settles, then comes back), delay (settles
ten times later) and alter_amount (recorded, settled and answered with another amount than was asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .config import Settings
from .models import FAILED, PENDING, QueuedBehaviour

FAIL_REASON = "insufficient funds (sandbox)"
RETURN_REASON = "account closed: payment returned by payee bank (sandbox)"


@dataclass(frozen=True)
class Plan:
    """What happens to a new payment: its status, when it settles and when it comes back."""

    status: str
    settle_due_at: datetime | None
    return_due_at: datetime | None = None
    failure_reason: str | None = None
    response_delay_seconds: float = 0.0
    amount_delta_pence: int = 0

    def amount(self, asked_pence: int) -> int:
        """The amount the bank records for a payment asked for ``asked_pence`` (never below 1p)."""
        return max(1, asked_pence + self.amount_delta_pence)


@dataclass(frozen=True)
class Injection:
    """A behaviour taken from the queue for one payment, with its parameter."""

    behaviour: str
    amount_delta_pence: int | None = None


def queue(
    session: Session,
    behaviour: str,
    count: int,
    match_reference: str | None,
    now: datetime,
    amount_delta_pence: int | None = None,
) -> QueuedBehaviour:
    """Append a behaviour to the queue."""
    row = QueuedBehaviour(
        behaviour=behaviour,
        remaining=count,
        match_reference=match_reference,
        created_at=now,
        amount_delta_pence=amount_delta_pence,
    )
    session.add(row)
    session.flush()
    return row


def list_queued(session: Session) -> list[QueuedBehaviour]:
    """Queued behaviours in the order they will be applied."""
    return list(session.scalars(select(QueuedBehaviour).order_by(QueuedBehaviour.id)))


def clear(session: Session) -> int:
    """Remove every queued behaviour; return how many there were."""
    return int(session.execute(delete(QueuedBehaviour)).rowcount or 0)  # type: ignore[attr-defined]


def take_next(session: Session, reference: str) -> Injection | None:
    """Consume one use of the oldest behaviour matching ``reference`` (in the caller's transaction)."""
    row = session.scalars(
        select(QueuedBehaviour)
        .where(or_(QueuedBehaviour.match_reference.is_(None), QueuedBehaviour.match_reference == reference))
        .order_by(QueuedBehaviour.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    taken = Injection(row.behaviour, row.amount_delta_pence)
    if row.remaining <= 1:
        session.delete(row)
    else:
        row.remaining -= 1
    return taken


def plan(injection: Injection | None, now: datetime, settings: Settings) -> Plan:
    """Turn a behaviour (or none) into the payment's fate."""
    behaviour = injection.behaviour if injection else None
    settle_after = timedelta(seconds=settings.settle_after_seconds)
    if behaviour == "fail":
        return Plan(status=FAILED, settle_due_at=None, failure_reason=FAIL_REASON)
    if behaviour == "delay":
        return Plan(status=PENDING, settle_due_at=now + settle_after * settings.delay_factor)
    if behaviour == "return":
        due = now + settle_after
        return Plan(
            status=PENDING, settle_due_at=due, return_due_at=due + timedelta(seconds=settings.return_after_seconds)
        )
    if behaviour == "timeout":
        return Plan(status=PENDING, settle_due_at=now + settle_after, response_delay_seconds=settings.timeout_seconds)
    if behaviour == "alter_amount" and injection and injection.amount_delta_pence:
        return Plan(status=PENDING, settle_due_at=now + settle_after, amount_delta_pence=injection.amount_delta_pence)
    return Plan(status=PENDING, settle_due_at=now + settle_after)
